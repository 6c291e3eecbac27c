import { describe, expect, it } from 'vitest';
import { deadPeerReason, describeEnd, kernelTcp, socketTiming, toSessionNet } from '../../src/model/network.js';
import { predictEnds } from '../../src/model/tcp-timeout.js';
import { derivePolicy } from '../../src/model/policy.js';
import { buildModel } from '../../src/model/sessions.js';
import { parseNetTcp } from '../../src/proc/parse.js';
import { parseSs } from '../../src/proc/parse-ss.js';
import { BTIME, proc, snapshot } from '../support/mem-snapshot.js';

// real /proc/net/tcp rows captured on the lab sshd: a session whose client stopped acknowledging
// (iptables DROP on lo), and a healthy idle one. Note the dead one runs the zero-window-probe
// (persist) timer with probes out and 0 retransmits: not the retransmit timer.
const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
const DEAD_ROW = '   7: 0100007F:5606 0100007F:D61E 01 0000050C:00000000 04:0000010E 00000000     0        4 15485 3 0000000058bed7ba 20 4 13 18 -1';
const HEALTHY_ROW = '   9: 0100007F:5606 0100007F:D61F 01 00000000:00000000 02:000AFA52 00000000     0        0 15484 2 00000000e0bb52c5 21 4 30 18 -1';
const RETRANS_ROW = '  10: 0100007F:5606 0100007F:D620 01 00000200:00000000 01:00000010 00000003     0        0 15490 2 00000000e0bb52c5 21 4 30 18 -1';
const KEEPALIVE_DEAD = '  11: 0100007F:5606 0100007F:D621 01 00000000:00000000 02:00000100 00000000     0        2 15491 2 00000000e0bb52c5 21 4 30 18 -1';
const sockets = new Map(parseNetTcp([HEADER, DEAD_ROW, HEALTHY_ROW, RETRANS_ROW, KEEPALIVE_DEAD].join('\n')).map((s) => [s.inode, s]));

describe('dead-peer rule', () => {
  it('flags unacked data under a running zero-window probe timer with probes out', () => {
    expect(deadPeerReason(toSessionNet(sockets.get(15485)!, undefined))).toMatch(/1292 bytes unacknowledged, zero-window-probe/);
  });
  it('flags unacked data under the retransmit timer with retransmits', () => {
    expect(deadPeerReason(toSessionNet(sockets.get(15490)!, undefined))).toMatch(/retransmit timer/);
  });
  it('flags unanswered keepalive probes', () => {
    expect(deadPeerReason(toSessionNet(sockets.get(15491)!, undefined))).toMatch(/2 TCP keepalive probes/);
  });
  it('leaves a healthy idle connection alone', () => {
    expect(deadPeerReason(toSessionNet(sockets.get(15484)!, undefined))).toBeUndefined();
  });
  it('with ss: outstanding data and no ACK for far longer than the RTO', () => {
    const [ss] = parseSs('0 500 127.0.0.1:22 127.0.0.1:9 ino:15484 <->\n\t rto:200 lastack:30000 lastsnd:10 lastrcv:30000');
    const net = { ...toSessionNet(sockets.get(15484)!, ss), txQueue: 500, timer: 'none' as const };
    expect(deadPeerReason(net)).toMatch(/no ACK for 30s/);
  });
});

function session(sock: number, extra: { title?: string; ssText?: string; idle?: number } = {}) {
  const procs = [
    proc(100, 1, 'sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups'),
    proc(200, 100, 'sshd: alice [priv]', { sockets: [sock] }),
    proc(201, 200, extra.title ?? 'sshd: alice@notty', { uid: 1000, sockets: [sock] }),
    proc(202, 201, 'sleep 300', { comm: 'sleep', uid: 1000, argv: ['sleep', '300'] }),
  ];
  const ss = extra.ssText ? new Map(parseSs(extra.ssText).map((s) => [s.inode, s])) : null;
  const model = buildModel(snapshot(procs, { sockets }), { idleSeconds: extra.idle ?? 600, selfPid: 999_999, ss });
  return model.sessions[0]!;
}

describe('staleness in the model', () => {
  it('marks the dead peer with its reason and the network figures', () => {
    const s = session(15485);
    expect(s.flags).toContain('dead-peer');
    expect(s.reasons['dead-peer']).toMatch(/stopped answering/);
    expect(s.net).toMatchObject({ txQueue: 1292, timer: 'zero-window-probe', probes: 4, source: 'proc' });
  });

  it('takes notty idle from traffic (ss) and says so', () => {
    const s = session(15484, { ssText: '0 0 127.0.0.1:22022 127.0.0.1:54815 ino:15484 <->\n\t rto:204 lastsnd:900000 lastrcv:700000 lastack:700000' });
    expect(s.idleSource).toBe('traffic');
    expect(s.idleSeconds).toBe(700);
    expect(s.idleSources).toEqual({ tty: null, traffic: 700 });
    expect(s.flags).toContain('idle');
    expect(s.reasons.idle).toMatch(/no traffic/);
    expect(s.flags).not.toContain('dead-peer');
  });

  it('without ss a notty session has no idle figure rather than an invented one', () => {
    const s = session(15484);
    expect(s.idleSeconds).toBeNull();
    expect(s.idleSource).toBeNull();
    expect(s.flags).not.toContain('idle');
  });

  it('pre-auth connections turn stale after LoginGraceTime', () => {
    const now = (BTIME + 100_000) * 1000;
    const started = (ticks: number) => ({ startTicks: ticks });
    const procs = [
      proc(100, 1, 'sshd: /usr/sbin/sshd -D [listener] 2 of 10-100 startups'),
      proc(300, 100, 'sshd: unknown [priv]', started((100_000 - 500) * 100)),
      proc(301, 300, 'sshd: unknown [net]', started((100_000 - 500) * 100)),
      proc(310, 100, 'sshd: [accepted]', started((100_000 - 5) * 100)),
    ];
    const policy = derivePolicy(new Map([['logingracetime', '120']]), 'sshd -T', null, null);
    const model = buildModel(snapshot(procs, { takenAt: now }), { idleSeconds: 600, selfPid: 1, policyFor: () => policy });
    const old = model.sessions.find((s) => s.pid === 300)!;
    const young = model.sessions.find((s) => s.pid === 310)!;
    expect(old.flags).toEqual(expect.arrayContaining(['preauth', 'stale']));
    expect(old.reasons.stale).toMatch(/LoginGraceTime 120s/);
    expect(young.flags).toContain('preauth');
    expect(young.flags).not.toContain('stale');
    expect(old.timeouts[0]).toMatch(/overdue/);
  });

  it('an authenticated monitor without a user child long after login is hung', () => {
    const procs = [
      proc(100, 1, 'sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups'),
      // no child at all: a `[pam]` child would be the PAM conversation of a login still in progress
      proc(400, 100, 'sshd: alice [priv]', { startTicks: (100_000 - 3600) * 100 }),
    ];
    const s = buildModel(snapshot(procs), { idleSeconds: 600, selfPid: 1 }).sessions[0]!;
    expect(s.flags).toContain('hung');
    expect(s.reasons.hung).toMatch(/no user process/);
  });

  it('a process in D state for long enough (tracked by the store) makes the session hung', () => {
    const procs = [
      proc(100, 1, 'sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups'),
      proc(500, 100, 'sshd: alice [priv]'),
      proc(501, 500, 'sshd: alice@pts/1', { uid: 1000 }),
      proc(502, 501, 'cat /mnt/nfs/x', { comm: 'cat', uid: 1000, state: 'D', tty: 'pts/1' }),
    ];
    const snap = snapshot(procs);
    const key = `502:${procs[3]!.startTicks}`;
    const fresh = buildModel(snap, { idleSeconds: 600, selfPid: 1, dStateSince: new Map([[key, snap.takenAt - 5000]]) });
    expect(fresh.sessions[0]!.flags).not.toContain('hung');
    const stuck = buildModel(snap, { idleSeconds: 600, selfPid: 1, dStateSince: new Map([[key, snap.takenAt - 60_000]]) });
    expect(stuck.sessions[0]!.reasons.hung).toMatch(/uninterruptible sleep/);
  });
});

describe('from /proc/net/tcp and ss to a prediction', () => {
  it('takes the timer from /proc (clock ticks) and the RTO and backoff from ss', () => {
    // captured together in a namespace (tcp_retries2 8, tcp_rto_max_ms 2000), 4.149 s after the
    // client's ACKs were dropped; the kernel closed it 9.4 s later
    const [tcp] = parseNetTcp(
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n' +
        '   2: 0100007F:15DF 0100007F:8EDA 01 0000020D:00000000 01:00000082 00000004     0        0 228513 2 000000002ff1ee26 200 0 0 1 -1',
    );
    const [ss] = parseSs('0      525    127.0.0.1:5599 127.0.0.1:36570 timer:(on,1.308ms,4) ino:228513 sk:109  <->\n\t ts sack bbr wscale:10,10 rto:2000 backoff:4 rtt:0.031/0.01 mss:32768 cwnd:1 lastsnd:700 lastrcv:4900 lastack:4100');
    const net = toSessionNet(tcp!, ss, 100);
    expect(net).toMatchObject({ timer: 'retransmit', timerMs: 1300, retransmits: 4, rtoMs: 2000, backoff: 4, rttVarMs: 0.01 });
    const k = kernelTcp({ keepaliveTime: 7200, keepaliveIntvl: 75, keepaliveProbes: 9, retries2: 8, rtoMaxMs: 2000, rtoMinMs: 200 });
    const [first] = predictEnds({ socket: socketTiming(net), kernel: k, ssh: null });
    expect(first!.inSeconds).toBeCloseTo(9.395, 0);
  });

  it('without tcp_retries2 the kernel is not modelled (never invented)', () => {
    expect(kernelTcp({ keepaliveTime: 7200, keepaliveIntvl: 75, keepaliveProbes: 9 })).toBeNull();
  });
});

describe('what would end it, in the session', () => {
  const KERNEL = { keepaliveTime: 7200, keepaliveIntvl: 75, keepaliveProbes: 9, retries2: 15, rtoMaxMs: 120_000, rtoMinMs: 200 };
  const issuePolicy = derivePolicy(new Map([['clientaliveinterval', '120'], ['clientalivecountmax', '30']]), 'sshd -T', null, KERNEL);
  const build = (inode: number, ssText?: string) => {
    const procs = [
      proc(100, 1, 'sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups'),
      proc(200, 100, 'sshd: alice [priv]', { sockets: [inode] }),
      proc(201, 200, 'sshd: alice@notty', { uid: 1000, sockets: [inode] }),
      proc(202, 201, 'sleep 300', { comm: 'sleep', uid: 1000, argv: ['sleep', '300'] }),
    ];
    const ss = ssText ? new Map(parseSs(ssText).map((s) => [s.inode, s])) : null;
    return buildModel(snapshot(procs, { sockets }), { idleSeconds: 600, selfPid: 999_999, ss, policyFor: () => issuePolicy }).sessions[0]!;
  };

  it('a dead peer under ClientAlive 120 s × 30: the kernel first, ClientAlive second and not reached', () => {
    const s = build(15490, '0 512 127.0.0.1:22 127.0.0.1:9 ino:15490 <->\n\t rto:1632 backoff:3 rtt:0.03/0.015 lastsnd:100 lastrcv:2000 lastack:2000');
    expect(s.ends?.[0]).toMatchObject({ by: 'retransmission', when: 'running' });
    expect(s.timeouts[0]).toMatch(/^the kernel drops it in 16m \(tcp_retries2 15: retransmissions unanswered, 3 so far/);
    expect(s.timeouts[1]).toBe('ClientAliveInterval 120s × ClientAliveCountMax 30 would drop it after 60m: not reached first');
  });

  it('a healthy idle session: what would end it should the client go silent', () => {
    const s = build(15484, '0 0 127.0.0.1:22 127.0.0.1:9 ino:15484 <->\n\t rto:204 rtt:0.03/0.015 lastsnd:5000 lastrcv:5000 lastack:5000');
    expect(s.timeouts[0]).toMatch(/^if the client goes silent, the kernel drops it after 18m \(tcp_retries2 15: the first ClientAlive probe \(after 115s\) is never acknowledged/);
    expect(s.timeouts[1]).toMatch(/ClientAliveCountMax 30 would drop it after 60m: not reached first/);
  });

  it('without tcp_retries2 (an older reader) it falls back to the policy line', () => {
    const s = buildModel(snapshot([proc(100, 1, 'sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups'), proc(200, 100, 'sshd: alice [priv]', { sockets: [15484] }), proc(201, 200, 'sshd: alice@notty', { uid: 1000, sockets: [15484] })], { sockets }), {
      idleSeconds: 600,
      selfPid: 999_999,
      policyFor: () => derivePolicy(new Map([['clientaliveinterval', '120'], ['clientalivecountmax', '30']]), 'sshd -T', null, { keepaliveTime: 7200, keepaliveIntvl: 75, keepaliveProbes: 9 }),
    }).sessions[0]!;
    expect(s.timeouts[0]).toMatch(/if the client goes silent, sshd drops it after 60m \(ClientAliveInterval 120s × ClientAliveCountMax 30/);
  });

  it('describes a running end and a hypothetical one', () => {
    expect(describeEnd({ by: 'retransmission', inSeconds: 720, when: 'running', setting: 'tcp_retries2 15', how: 'retransmissions unanswered' })).toBe(
      'the kernel drops it in 12m (tcp_retries2 15: retransmissions unanswered)',
    );
    expect(describeEnd({ by: 'keepalive', inSeconds: 7875, when: 'if-silent', setting: 'TCP keepalive 7200s + 9 × 75s', how: 'keepalive probes go unanswered' })).toMatch(
      /^if the client goes silent, the kernel drops it after 2.2h/,
    );
  });
});
