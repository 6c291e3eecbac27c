// What ending a session signals, and in which order; and the identity rules that decide which
// processes outside the sshd tree are the session's. In-memory snapshots (mem-snapshot.ts).
import { describe, expect, it } from 'vitest';
import { endPlan, keptProcesses, sessionTargets } from '../../src/model/end-plan.js';
import { selectForReap } from '../../src/model/reap-rules.js';
import { buildModel } from '../../src/model/sessions.js';
import type { LoginIdentity, Model, ProcEntry, Session } from '../../src/model/types.js';
import { proc, snapshot } from '../support/mem-snapshot.js';

const NOW_TICKS = 100_000 * 100;
const id = (sessionId: number | null, loginUid: number | null = 1000, scope: string | null = null): LoginIdentity => ({ sessionId, loginUid, scope });
const CONN = '203.0.113.7 50001 10.0.0.1 22';

/** alice's tty login (monitor 200, user child 201, bash 202, vim 203), marked with `login` */
function alice(login: LoginIdentity | undefined, extra: ProcEntry[] = []) {
  const mark = login ? { login } : {};
  return [
    proc(100, 1, 'sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups', { login: id(null, null) }),
    proc(200, 100, 'sshd: alice [priv]', { startTicks: NOW_TICKS - 3600 * 100, sockets: [2000], ...mark }),
    proc(201, 200, 'sshd: alice@pts/1', { uid: 1000, ...mark }),
    proc(202, 201, '-bash', { comm: 'bash', uid: 1000, tty: 'pts/1', ...mark }),
    proc(203, 202, 'vim notes', { comm: 'vim', uid: 1000, tty: 'pts/1', ...mark }),
    ...extra,
  ];
}

function build(procs: ProcEntry[], o: { loose?: number[]; conn?: Map<number, string> } = {}): Model {
  const snap = snapshot(procs, { looseRoots: o.loose ?? [], sshConnection: o.conn ?? new Map() });
  const sockets = new Map([[2000, { inode: 2000, local: { address: '10.0.0.1', port: 22 }, remote: { address: '203.0.113.7', port: 50001 }, state: 1, txQueue: 0, rxQueue: 0, timer: 0, timerJiffies: 0, retransmits: 0, uid: 0, probes: 0 }]]);
  return buildModel({ ...snap, sockets }, { idleSeconds: 600, selfPid: -1 });
}
const sessionOf = (m: Model, pid: number) => m.sessions.find((s) => s.pid === pid) as Session;
const orphan1 = (pid: number) => proc(pid, 1, `sleep ${pid}`, { comm: 'sleep', uid: 1000, login: id(7) });

describe('endPlan', () => {
  it("the user's processes deepest first (outside ones among them), then sshd's, the connection process last", () => {
    const m = build(alice(id(7), [proc(300, 1, 'sleep 900', { comm: 'sleep', uid: 1000, login: id(7) }), proc(301, 300, 'sleep 1', { comm: 'sleep', uid: 1000, login: id(7) })]), { loose: [300] });
    const plan = endPlan(sessionOf(m, 200));
    expect(plan.map((p) => p.pid)).toEqual([301, 300, 203, 202, 201, 200]);
    expect(plan.filter((p) => p.outside).map((p) => p.pid)).toEqual([301, 300]);
    expect(plan.filter((p) => p.daemon).map((p) => p.pid)).toEqual([201, 200]);
  });

  it("outside the tree, another user's process (a root daemon a sudo started) is left running", () => {
    const m = build(alice(id(7), [proc(300, 1, '/usr/sbin/exim4 -bd', { comm: 'exim4', uid: 0, login: id(7) }), orphan1(301)]), { loose: [300, 301] });
    const s = sessionOf(m, 200);
    expect(s.processes.filter((p) => p.outside).map((p) => p.pid)).toEqual([300, 301]);
    expect(keptProcesses(s).map((p) => p.pid)).toEqual([300]);
    expect(endPlan(s).map((p) => p.pid)).toEqual([301, 203, 202, 201, 200]);
    // a leftover of only that: nothing reap may end
    const left = build([proc(300, 1, '/usr/sbin/exim4 -bd', { comm: 'exim4', uid: 0, login: id(8) })], { loose: [300], conn: new Map([[300, CONN]]) });
    const g = left.sessions.find((x) => x.kind === 'leftover') as Session;
    expect(endPlan(g)).toEqual([]);
    expect(selectForReap(left, { leftoversOlderSeconds: 0 }).spared[0]?.reasons.at(-1)).toBe('spared: what is left runs as another user than the one who logged in');
  });

  it('a single-process connection (root on OpenSSH <= 9.7, Dropbear): its shell, then it', () => {
    const m = build([
      proc(100, 1, 'sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups'),
      proc(400, 100, 'sshd: root@pts/3', { sockets: [2000] }),
      proc(401, 400, '-bash', { comm: 'bash', tty: 'pts/3' }),
    ]);
    expect(endPlan(sessionOf(m, 400)).map((p) => [p.pid, p.daemon])).toEqual([
      [401, false],
      [400, true],
    ]);
  });

  it('every target is labelled as part of its session and audited with the login', () => {
    const m = build(alice(id(7)));
    const t = sessionTargets(sessionOf(m, 200), true);
    expect(t.map((x) => x.label)).toEqual([
      'pid 203 (vim) of alice@pts/1 from 203.0.113.7',
      'pid 202 (bash) of alice@pts/1 from 203.0.113.7',
      'pid 201 (sshd) of alice@pts/1 from 203.0.113.7',
      'alice@pts/1 from 203.0.113.7',
    ]);
    expect(t[0]?.audit).toMatchObject({ kind: 'session', sessionPid: 200, loginSession: 7, endsSelf: true });
  });
});

describe('which processes outside the tree are the session’s', () => {
  const orphan = (pid: number, login: LoginIdentity | undefined) => proc(pid, 1, `sleep ${pid}`, { comm: 'sleep', uid: 1000, ...(login ? { login } : {}) });

  it('the same audit session: the live login’s', () => {
    const m = build(alice(id(7), [orphan(300, id(7))]), { loose: [300] });
    expect(sessionOf(m, 200).processes.find((p) => p.pid === 300)?.outside).toBe(true);
  });

  it('logind’s scope where no audit session is set (cgroup v1 or v2 alike)', () => {
    const m = build(alice(id(null, 1000, '5'), [orphan(300, id(null, 1000, '5'))]), { loose: [300] });
    expect(sessionOf(m, 200).processes.map((p) => p.pid)).toContain(300);
  });

  it('another audit session is not (an ended login’s with SSH_CONNECTION: a leftover)', () => {
    const m = build(alice(id(7), [orphan(300, id(8))]), { loose: [300], conn: new Map([[300, '198.51.100.9 40000 10.0.0.1 22']]) });
    expect(sessionOf(m, 200).processes.map((p) => p.pid)).not.toContain(300);
    const left = m.sessions.find((s) => s.kind === 'leftover');
    expect(left).toMatchObject({ pid: 300, user: 'alice', remote: { address: '198.51.100.9', port: 40000 }, leftover: { via: 'audit', sessionId: 8 } });
  });

  it('unset (4294967295, UsePAM no) everywhere: the connection its environment names ties it', () => {
    const m = build(alice(id(null, null), [orphan(300, id(null, null))]), { loose: [300], conn: new Map([[300, CONN]]) });
    expect(sessionOf(m, 200).processes.map((p) => p.pid)).toContain(300);
  });

  it('unset and nothing else: no tie, not shown (a daemon an admin started looks the same)', () => {
    const m = build(alice(id(null, null), [orphan(300, id(null, null))]), { loose: [300] });
    expect(m.sessions.flatMap((s) => s.processes).map((p) => p.pid)).not.toContain(300);
  });

  it('an identity the listener carries, or two connections share, was inherited, not a login: ignored', () => {
    // UsePAM no under a listener started from someone's login: every session carries that login's id
    const inherited = id(3);
    const procs = alice(inherited, [proc(500, 100, 'sshd: bob [priv]', { login: inherited, sockets: [] }), proc(501, 500, 'sshd: bob@pts/2', { uid: 1001, login: inherited }), orphan(300, inherited)]);
    const m = build(procs, { loose: [300] });
    expect(m.sessions.filter((s) => s.kind === undefined).map((s) => s.loginId)).toEqual([null, null]);
    expect(m.sessions.flatMap((s) => s.processes.filter((p) => p.outside))).toEqual([]);
  });

  it('pre-auth a connection has no login of its own', () => {
    const m = build([proc(100, 1, 'sshd: /usr/sbin/sshd -D [listener] 1 of 10-100 startups'), proc(600, 100, 'sshd: unknown [priv]', { login: id(9) })]);
    expect(sessionOf(m, 600)).toMatchObject({ loginId: null, flags: expect.arrayContaining(['preauth']) });
  });
});

describe('reap: --leftovers-older and --exclude-command', () => {
  const ended = (endedAt: number | null) =>
    build(alice(id(7), [orphan2(300, 8), proc(301, 300, 'sleep 5', { comm: 'sleep', uid: 1000, login: id(8) }), orphan2(310, 8, 'tmux: server', 'tmux -L x new -d')]), {
      loose: [300, 310],
      conn: new Map([[300, '198.51.100.9 40000 10.0.0.1 22']]),
    }).sessions.map((s) => (s.kind === 'leftover' && s.leftover ? { ...s, leftover: { ...s.leftover, endedAt } } : s));
  function orphan2(pid: number, sid: number, comm = 'nohup', title = `nohup make ${pid}`) {
    return proc(pid, 1, title, { comm, uid: 1000, login: id(sid) });
  }
  const modelWith = (sessions: Session[]): Model => ({ ...build(alice(id(7))), sessions });

  it('a leftover matches only its own rule: not --max-age, not --idle', () => {
    const m = modelWith(ended(null));
    expect(selectForReap(m, { maxAgeSeconds: 0 }).matched.map((d) => d.session.kind ?? 'ssh')).toEqual(['ssh']);
    expect(selectForReap(m, { leftoversOlderSeconds: 0 }).matched.map((d) => d.session.kind)).toEqual(['leftover']);
  });

  it('when its login ended is unknown, only 0s matches; known, it is compared', () => {
    const now = build(alice(id(7))).takenAt;
    expect(selectForReap(modelWith(ended(null)), { leftoversOlderSeconds: 60 }).matched).toEqual([]);
    expect(selectForReap(modelWith(ended(now - 120_000)), { leftoversOlderSeconds: 60 }).matched).toHaveLength(1);
    expect(selectForReap(modelWith(ended(now - 30_000)), { leftoversOlderSeconds: 60 }).matched).toEqual([]);
  });

  it('a one-shot that cannot know the end counts from when an earlier run first saw the group', () => {
    const m = modelWith(ended(null));
    const now = m.takenAt;
    const seenAt = (ms: number) => (s: Session) => (s.kind === 'leftover' ? now - ms : undefined);
    const [d] = selectForReap(m, { leftoversOlderSeconds: 3600 }, seenAt(2 * 3600_000)).matched;
    expect(d?.reasons).toEqual(['left over since at least 2h00m ago (an earlier reap saw it) >= 60m']);
    expect(selectForReap(m, { leftoversOlderSeconds: 3600 }, seenAt(60_000)).matched).toEqual([]);
  });

  it('--exclude-command spares the named process and what runs below it; all spared: not matched', () => {
    const m = modelWith(ended(null));
    const [d] = selectForReap(m, { leftoversOlderSeconds: 0, excludeCommands: [/^nohup make 300/] }).matched;
    expect(d?.excluded?.map((p) => p.pid)).toEqual([300, 301]);
    const all = selectForReap(m, { leftoversOlderSeconds: 0, excludeCommands: [/./] });
    expect(all.matched).toEqual([]);
    expect(all.spared[0]?.reasons.at(-1)).toBe('spared: every process matches --exclude-command');
  });
});
