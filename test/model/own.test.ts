// Which process rows end the operator's own connection (or sshtop itself): those need `yes` typed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ownRisk, ownRisksOf, type OwnRisk } from '../../src/model/own.js';
import type { Flag, Role, Session, SessionProcess } from '../../src/model/types.js';

const SELF = 990;

function sp(pid: number, ppid: number, role: Role, command: string): SessionProcess {
  return { pid, ppid, user: 'root', uid: 0, state: 'S', tty: 'pts/4', role, command, comm: command.split(' ')[0] as string, startedAt: 0, startTicks: 1000 + pid, cpuTicks: 0, depth: 0 };
}

function session(flags: Flag[], processes: SessionProcess[]): Session {
  const first = processes[0] as SessionProcess;
  return {
    pid: first.pid,
    startTicks: first.startTicks,
    listenerPid: 100,
    user: 'root',
    ttys: ['pts/4'],
    remote: null,
    local: null,
    startedAt: 0,
    idleSeconds: null,
    idleSource: null,
    flags,
    reasons: {},
    command: null,
    cpuSeconds: 0,
    processes,
    daemon: 'openssh',
    socketInode: null,
    net: null,
    idleSources: { tty: null, traffic: null },
    timeouts: [],
  };
}

// sshtop under sudo in the login shell, a sleep beside it, a second channel running rsync
const mine = [
  sp(500, 100, 'monitor', 'sshd: root [priv]'),
  sp(501, 500, 'user', 'sshd: root@pts/4,pts/5'),
  sp(502, 501, 'process', '-bash'),
  sp(503, 502, 'process', 'sudo sshtop'),
  sp(504, 503, 'process', 'sudo sshtop'),
  sp(SELF, 504, 'process', 'node sshtop'),
  sp(991, SELF, 'process', 'ss -tinHe'),
  sp(505, 502, 'process', 'sleep 9999'),
  sp(506, 501, 'process', 'rsync --server -e.Lsfx . /tmp'),
  sp(507, 502, 'process', 'tmux attach'),
];
// the same shape in a tmux candidate: sshtop runs in a pane of a daemonised server, not below it
const candidate = mine.filter((p) => ![503, 504, SELF, 991].includes(p.pid));

describe('ownRisk', () => {
  it.each([
    ['own: the monitor sshd', mine, ['own'], 500, 'connection'],
    ['own: the user sshd', mine, ['own'], 501, 'connection'],
    ['own: the login shell (a channel leader)', mine, ['own'], 502, 'connection'],
    ['own: an exec channel (a channel leader)', mine, ['own'], 506, 'connection'],
    ['own: sudo above sshtop', mine, ['own'], 503, 'sshtop'],
    ["own: sudo's pty monitor above sshtop", mine, ['own'], 504, 'sshtop'],
    ['own: sshtop itself', mine, ['own'], SELF, 'sshtop'],
    ["own: sshtop's helper (not an ancestor)", mine, ['own'], 991, undefined],
    ['own: a runaway sleep in the shell', mine, ['own'], 505, undefined],
    ['own: the tmux client', mine, ['own'], 507, undefined],
    ['tmux candidate: the login shell', candidate, ['own'], 502, 'connection'],
    ['tmux candidate: the user sshd', candidate, ['own'], 501, 'connection'],
    ['tmux candidate: the tmux client', candidate, ['own'], 507, undefined],
    ['tmux candidate: the sleep', candidate, ['own'], 505, undefined],
    ["someone else's session: the login shell", candidate, ['idle'], 502, undefined],
    ["someone else's session: the sshd", candidate, [], 501, undefined],
  ] as [string, SessionProcess[], Flag[], number, string | undefined][])('%s', (_what, procs, flags, pid, risk) => {
    const s = session(flags, procs);
    expect(ownRisk(s, procs.find((p) => p.pid === pid) as SessionProcess, SELF)).toBe(risk);
  });

  it('a ppid loop (a garbled snapshot) ends the walk', () => {
    const loop = [sp(500, 100, 'monitor', 'sshd: root [priv]'), sp(600, 601, 'process', 'a'), sp(601, 600, 'process', 'b'), sp(602, 100, 'process', 'c')];
    expect(ownRisk(session([], loop), loop[3] as SessionProcess, 600)).toBeUndefined();
    expect(ownRisk(session([], loop), loop[2] as SessionProcess, 600)).toBe('sshtop');
  });
});

/** the rule as first written, per process, sets built on every call (what ownRisksOf must equal) */
function ownRiskPlain(s: Session, p: SessionProcess, selfPid: number): OwnRisk | undefined {
  const sshd = new Set(s.processes.filter((x) => x.role !== 'process').map((x) => x.pid));
  const carriesConnection = (x: SessionProcess) => sshd.has(x.pid) || sshd.has(x.ppid);
  if (s.flags.includes('own') && carriesConnection(p)) return 'connection';
  const byPid = new Map(s.processes.map((x) => [x.pid, x]));
  const seen = new Set<number>();
  for (let q = byPid.get(selfPid); q && !seen.has(q.pid); q = byPid.get(q.ppid)) {
    seen.add(q.pid);
    if (q.pid === p.pid) return carriesConnection(q) ? 'connection' : 'sshtop';
  }
  return undefined;
}

describe('ownRisksOf (one session, every row)', () => {
  it('gives each process what the plain rule gives: random trees, loops, repeated pids, sshtop in or out', () => {
    const roles: Role[] = ['monitor', 'user', 'process'];
    const proc = fc.record({ pid: fc.integer({ min: 1, max: 12 }), ppid: fc.integer({ min: 0, max: 12 }), role: fc.constantFrom(...roles) });
    fc.assert(
      fc.property(fc.array(proc, { minLength: 1, maxLength: 10 }), fc.boolean(), fc.integer({ min: 1, max: 14 }), (ps, own, self) => {
        const procs = ps.map((x) => sp(x.pid, x.ppid, x.role, 'x'));
        const s = session(own ? ['own'] : [], procs);
        const risks = ownRisksOf(s, self);
        for (const p of procs) expect(risks(p)).toBe(ownRiskPlain(s, p, self));
      }),
      { numRuns: 3000 },
    );
  });
});
