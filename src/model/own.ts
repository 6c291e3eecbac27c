// The caller's own session (SPEC 1.3). Pure over the snapshot.
import type { ProcSnapshot, SelfInfo, Session } from './types.js';

/**
 * Walk from the caller up the ppid chain to the first process of a session: this survives sudo,
 * `sudo -i` and `su -`, which all stay descendants. Inside tmux or screen the chain ends at pid 1;
 * then the tmux server's attached client terminals name the candidate sessions.
 */
export function findSelf(snap: ProcSnapshot, sessions: readonly Session[], selfPid: number): SelfInfo {
  const owner = new Map<number, number>();
  for (const s of sessions) for (const p of s.processes) owner.set(p.pid, s.pid);

  const seen = new Set<number>();
  for (let pid: number | undefined = selfPid; pid !== undefined && pid > 0 && !seen.has(pid); ) {
    seen.add(pid);
    const session = owner.get(pid);
    if (session !== undefined) return { pid: selfPid, sessionPid: session, candidates: [session], via: 'ppid' };
    pid = snap.procs.get(pid)?.ppid;
  }

  const clientTtys = snap.tmuxClientTtys ?? [];
  const candidates = sessions.filter((s) => s.ttys.some((t) => clientTtys.includes(t))).map((s) => s.pid);
  if (candidates.length > 0) {
    return { pid: selfPid, sessionPid: candidates.length === 1 ? (candidates[0] as number) : null, candidates, via: 'tmux' };
  }
  return { pid: selfPid, sessionPid: null, candidates: [], via: null };
}
