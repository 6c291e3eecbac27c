// A connection's processes as the session lists them: depth first, children by pid. Pure.
import type { Classified, ProcSnapshot, SessionProcess } from './types.js';

export function ticksToMs(snap: ProcSnapshot, ticks: number): number {
  return Math.round((snap.btime + ticks / snap.clkTck) * 1000);
}

export function processTree(
  rootPid: number,
  snap: ProcSnapshot,
  classes: ReadonlyMap<number, Classified>,
  children: ReadonlyMap<number, readonly number[]>,
  /** heads of other trees (listeners, connections) met below the root: not descended into */
  boundary: ReadonlySet<number> = new Set(),
): SessionProcess[] {
  const procs: SessionProcess[] = [];
  const seen = new Set<number>();
  const walk = (pid: number, depth: number): void => {
    const p = snap.procs.get(pid);
    // a pid seen twice would be a cycle in a garbled snapshot: each process is listed once
    if (!p || seen.has(pid) || (depth > 0 && boundary.has(pid))) return;
    seen.add(pid);
    let role = classes.get(pid)?.role ?? 'process';
    // a user-child title on the connection process itself: the process carries the whole connection
    if (depth === 0 && (role === 'user' || role === 'sftp')) role = 'connection';
    procs.push({
      pid,
      ppid: p.ppid,
      uid: p.uid,
      user: p.uid === null ? null : (snap.users.get(p.uid) ?? String(p.uid)),
      state: p.state,
      tty: p.tty,
      role,
      command: p.cmdline || `[${p.comm}]`,
      comm: p.comm,
      startedAt: ticksToMs(snap, p.startTicks),
      startTicks: p.startTicks,
      cpuTicks: p.cpuTicks,
      depth,
      ...(p.blocked ? { blocked: p.blocked } : {}),
    });
    for (const c of [...(children.get(pid) ?? [])].sort((a, b) => a - b)) walk(c, depth + 1);
  };
  walk(rootPid, 0);
  return procs;
}
