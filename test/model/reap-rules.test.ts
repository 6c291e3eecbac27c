import { describe, expect, it } from 'vitest';
import { selectForReap } from '../../src/model/reap-rules.js';
import { buildModel } from '../../src/model/sessions.js';
import { parseReapArgs } from '../../src/cli/reap-args.js';
import { proc, snapshot } from '../support/mem-snapshot.js';

const LISTENER = proc(100, 1, 'sshd: /usr/sbin/sshd -D [listener] 1 of 10-100 startups');
const NOW_TICKS = 100_000 * 100;

function ttySession(pid: number, user: string, uid: number, tty: string, ageSeconds: number) {
  return [
    proc(pid, 100, `sshd: ${user} [priv]`, { startTicks: NOW_TICKS - ageSeconds * 100 }),
    proc(pid + 1, pid, `sshd: ${user}@${tty}`, { uid, startTicks: NOW_TICKS - ageSeconds * 100 }),
    proc(pid + 2, pid + 1, '-bash', { comm: 'bash', uid, tty, startTicks: NOW_TICKS - ageSeconds * 100 }),
  ];
}

function model(selfPid: number) {
  const procs = [
    LISTENER,
    ...ttySession(200, 'alice', 1000, 'pts/1', 3600),
    ...ttySession(300, 'bob', 1001, 'pts/2', 60),
    ...ttySession(400, 'alice', 1000, 'pts/3', 20 * 3600),
    ...ttySession(500, 'root', 0, 'pts/4', 7200),
    proc(600, 100, 'sshd: unknown [priv]', { startTicks: NOW_TICKS - 400 * 100 }),
    proc(990, 502, 'node sshtop reap', { comm: 'node', tty: 'pts/4' }),
  ];
  const snap = snapshot(procs);
  const atime = (ago: number) => snap.takenAt - ago * 1000;
  const ttyAtimes = new Map([
    ['pts/1', atime(2 * 3600)],
    ['pts/2', atime(5)],
    ['pts/3', atime(60)],
    ['pts/4', atime(3 * 3600)],
  ]);
  // alice's two sessions came in through different daemons: port 22 and an admin sshd on 2222
  const sock = (inode: number, port: number) =>
    [inode, { inode, local: { address: '10.0.0.1', port }, remote: { address: '203.0.113.7', port: 40000 + inode }, state: 1, txQueue: 0, rxQueue: 0, timer: 0, timerJiffies: 0, retransmits: 0, uid: 0, probes: 0 }] as const;
  const procsWithSockets = new Map([...snap.procs].map(([pid, p]) => [pid, pid === 200 || pid === 400 ? { ...p, sockets: [pid] } : p]));
  const sockets = new Map([sock(200, 22), sock(400, 2222)]);
  return buildModel({ ...snap, procs: procsWithSockets, sockets, ttyAtimes }, { idleSeconds: 600, selfPid });
}

const pids = (sel: ReturnType<typeof selectForReap>) => sel.matched.map((d) => d.session.pid).sort();

describe('reap rules', () => {
  const m = model(990);

  it('--idle selects idle sessions only, and spares the caller\'s own', () => {
    const sel = selectForReap(m, { idleSeconds: 1800 });
    expect(pids(sel)).toEqual([200]);
    expect(sel.spared.map((d) => d.session.pid)).toEqual([500]);
    expect(sel.matched[0]!.reasons[0]).toMatch(/idle 2h00m \(tty\)/);
  });

  it('--max-age, and rules combine with OR', () => {
    expect(pids(selectForReap(m, { maxAgeSeconds: 12 * 3600 }))).toEqual([400]);
    expect(pids(selectForReap(m, { maxAgeSeconds: 12 * 3600, idleSeconds: 1800 }))).toEqual([200, 400]);
  });

  it('--user narrows and --exclude-user removes', () => {
    expect(pids(selectForReap(m, { idleSeconds: 30, users: ['bob'] }))).toEqual([]);
    expect(pids(selectForReap(m, { idleSeconds: 30, excludeUsers: ['alice'] }))).toEqual([]);
    expect(pids(selectForReap(m, { idleSeconds: 30 }))).toEqual([200, 400]);
  });

  it('--port narrows to the connections of one sshd; an unknown port never matches', () => {
    expect(pids(selectForReap(m, { idleSeconds: 30, ports: [22] }))).toEqual([200]);
    expect(pids(selectForReap(m, { idleSeconds: 30, ports: [2222] }))).toEqual([400]);
    expect(pids(selectForReap(m, { idleSeconds: 30, ports: [22, 2222] }))).toEqual([200, 400]);
    // bob's and the pre-auth connection's sockets are not visible here: no port, no match
    expect(pids(selectForReap(m, { preauthOlderSeconds: 0, ports: [22] }))).toEqual([]);
  });

  it('--preauth-older selects only unauthenticated connections; --idle never does', () => {
    expect(pids(selectForReap(m, { preauthOlderSeconds: 120 }))).toEqual([600]);
    expect(pids(selectForReap(m, { preauthOlderSeconds: 1000 }))).toEqual([]);
    expect(pids(selectForReap(m, { idleSeconds: 1 })).includes(600)).toBe(false);
  });

  it('never selects a listener', () => {
    const all = selectForReap(m, { idleSeconds: 0, maxAgeSeconds: 0, preauthOlderSeconds: 0, deadPeer: true });
    expect(all.matched.some((d) => d.session.pid === 100)).toBe(false);
  });
});

describe('reap arguments', () => {
  it('parses rules and actions', () => {
    const o = parseReapArgs(['--idle', '30m', '--user', 'a', '--user', 'b', '--signal', 'sighup', '--grace', '10s', '--yes']);
    expect(o.rules).toMatchObject({ idleSeconds: 1800, users: ['a', 'b'] });
    expect(o).toMatchObject({ signal: 'HUP', graceSeconds: 10, yes: true, json: false });
  });
  it('--port takes repeated TCP ports', () => {
    expect(parseReapArgs(['--idle', '1m', '--port', '22', '--port', '2222']).rules.ports).toEqual([22, 2222]);
    expect(() => parseReapArgs(['--idle', '1m', '--port', '0'])).toThrow(/expected a TCP port/);
    expect(() => parseReapArgs(['--idle', '1m', '--port', 'ssh'])).toThrow(/expected a TCP port/);
  });
  it('refuses to run without a rule, with a bad duration or a bad signal', () => {
    expect(() => parseReapArgs(['--yes'])).toThrow(/at least one rule/);
    expect(() => parseReapArgs(['--idle', 'soon'])).toThrow(/expected a duration/);
    expect(() => parseReapArgs(['--idle', '1m', '--signal', 'BOOM'])).toThrow(/unknown signal/);
    expect(() => parseReapArgs(['--idle', '1m', '--frobnicate'])).toThrow(/unknown option/i);
  });
});
