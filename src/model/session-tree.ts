// What every kind of session is built from: its processes (depth first, children by pid), start
// times, tty idle and current command. Pure.
import type { Classified, ProcEntry, ProcSnapshot, SessionProcess } from './types.js';

export function ticksToMs(snap: ProcSnapshot, ticks: number): number {
  return Math.round((snap.btime + ticks / snap.clkTck) * 1000);
}

export interface TreeOptions {
  classes: ReadonlyMap<number, Classified>;
  children: ReadonlyMap<number, readonly number[]>;
  /** heads of other trees (listeners, connections) met below the root: not descended into */
  boundary?: ReadonlySet<number>;
  /** the root's depth (1 when the session row stands for a hidden parent above it) */
  depth?: number;
  /** processes already listed (several roots of one session): each is listed once */
  seen?: Set<number>;
}

/** the processes from rootPid down; a process without a class is a plain 'process' */
export function processTree(rootPid: number, snap: ProcSnapshot, o: TreeOptions): SessionProcess[] {
  const { classes, children, boundary = new Set<number>(), depth: rootDepth = 0, seen = new Set<number>() } = o;
  const procs: SessionProcess[] = [];
  const walk = (pid: number, depth: number): void => {
    const p = snap.procs.get(pid);
    // a pid seen twice would be a cycle in a garbled snapshot: each process is listed once
    if (!p || seen.has(pid) || (depth > rootDepth && boundary.has(pid))) return;
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
      ...(p.rssBytes !== undefined ? { rssBytes: p.rssBytes } : {}),
      ...loginUserOf(p, role, snap),
    });
    for (const c of [...(children.get(pid) ?? [])].sort((a, b) => a - b)) walk(c, depth + 1);
  };
  walk(rootPid, rootDepth);
  return procs;
}

/** who logged in, for a user's process that runs as someone else (`sudo -i`: root, logged in as alice) */
function loginUserOf(p: ProcEntry, role: string, snap: ProcSnapshot): { loginUser?: string } {
  const by = p.login?.loginUid;
  if (role !== 'process' || by === null || by === undefined || by === p.uid) return {};
  return { loginUser: snap.users.get(by) ?? String(by) };
}

/** the CPU time of these processes, seconds to two places */
export function cpuSecondsOf(procs: readonly SessionProcess[], snap: ProcSnapshot): number {
  return Math.round((procs.reduce((n, p) => n + p.cpuTicks, 0) / snap.clkTck) * 100) / 100;
}

/** the pseudo-terminals these processes run on, each once */
export function ptsOf(procs: readonly SessionProcess[]): string[] {
  return [...new Set(procs.map((p) => p.tty).filter((t): t is string => t !== null && t.startsWith('pts/')))];
}

/** seconds since the newest atime of the ttys (as `w`), null when none is known */
export function ttyIdleSeconds(ttys: readonly string[], snap: ProcSnapshot): number | null {
  const atimes = ttys.map((t) => snap.ttyAtimes.get(t)).filter((a): a is number => a !== undefined);
  return atimes.length === 0 ? null : Math.max(0, Math.floor((snap.takenAt - Math.max(...atimes)) / 1000));
}

/** as `w` does: per tty, the newest process of the foreground process group; notty: newest command */
export function currentCommand(procs: readonly SessionProcess[], ttys: readonly string[], snap: ProcSnapshot): string | null {
  const candidates = procs.filter((p) => p.role === 'process');
  if (candidates.length === 0) return procs.some((p) => p.role === 'sftp') ? 'internal-sftp' : null;
  const fg = candidates.filter((p) => {
    const e = snap.procs.get(p.pid);
    return e !== undefined && p.tty !== null && ttys.includes(p.tty) && e.pgrp === e.tpgid;
  });
  const pool = fg.length > 0 ? fg : candidates;
  return pool.reduce((a, b) => (b.startTicks > a.startTicks || (b.startTicks === a.startTicks && b.pid > a.pid) ? b : a)).command;
}
