// Sessions of processes that only claim to be SSH daemons (trust.ts): shown and flagged so the
// operator sees the impostor, but nothing in them is believed: no user from the title, no
// listener, no policy, no rule ends them. Pure.
import { cpuSecondsOf, processTree, ptsOf, ticksToMs, ttyIdleSeconds } from './session-tree.js';
import type { Classified, ProcSnapshot, Session } from './types.js';

/** each forged process outside every real session that heads its own tree, as a session */
export function untrustedSessions(
  snap: ProcSnapshot,
  classes: ReadonlyMap<number, Classified>,
  children: ReadonlyMap<number, readonly number[]>,
  real: readonly Session[],
  boundary: ReadonlySet<number>,
): Session[] {
  const placed = new Set<number>();
  for (const s of real) for (const p of s.processes) placed.add(p.pid);
  const out: Session[] = [];
  for (const p of snap.procs.values()) {
    const why = classes.get(p.pid)?.forged;
    if (why === undefined || placed.has(p.pid) || classes.get(p.ppid)?.forged !== undefined) continue;
    const procs = processTree(p.pid, snap, { classes, children, boundary });
    for (const q of procs) placed.add(q.pid);
    const ttys = ptsOf(procs);
    const idle = ttyIdleSeconds(ttys, snap);
    out.push({
      pid: p.pid,
      startTicks: p.startTicks,
      listenerPid: null,
      // who really runs it (its uid), never the name its title claims
      user: procs[0]?.user ?? null,
      ttys,
      remote: null,
      local: null,
      startedAt: ticksToMs(snap, p.startTicks),
      idleSeconds: idle,
      idleSource: idle === null ? null : 'tty',
      flags: ['untrusted'],
      reasons: { untrusted: `"${p.cmdline || p.comm}" is named like an SSH daemon, but ${why}` },
      command: p.cmdline || `[${p.comm}]`,
      cpuSeconds: cpuSecondsOf(procs, snap),
      processes: procs,
      daemon: 'other',
      socketInode: null,
      net: null,
      idleSources: { tty: idle, traffic: null },
      timeouts: [],
    });
  }
  return out;
}
