// The caller's own session (docs/sessions.md, "The own session"). Pure over the snapshot.
import type { ProcSnapshot, SelfInfo, Session, SessionProcess } from './types.js';

/**
 * Walk from the caller up the ppid chain to the first process of a session: this survives sudo,
 * `sudo -i` and `su -`, which all stay descendants. Inside tmux or screen the chain ends at pid 1;
 * then the terminals of the clients attached to the multiplexer server above sshtop (found from
 * its ancestors, so sudo's reset $TMUX does not matter: proc/multiplexer.ts) name the candidates.
 */
export function findSelf(snap: ProcSnapshot, sessions: readonly Session[], selfPid: number): SelfInfo {
  // a connection's own tree only: a tmux server that left it (outside), or that an ended login
  // left behind, is not the connection the operator types into; its attached clients tell (below)
  const owner = new Map<number, number>();
  for (const s of sessions) if (s.kind !== 'leftover') for (const p of s.processes) if (!p.outside) owner.set(p.pid, s.pid);

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

/** what a signal to a process would end of the operator's own: the connection, or sshtop itself */
export type OwnRisk = 'connection' | 'sshtop';

/**
 * Whether signalling this process of a session ends the operator's own connection or sshtop: in an
 * own session (every tmux candidate too) its sshd processes and each channel's leader (a child of
 * one: the login shell, an exec command) carry the connection; sshtop and its ancestors (sudo, a
 * subshell) carry sshtop. Anything else (a runaway sleep in another pane) is neither.
 */
export function ownRisk(s: Session, p: SessionProcess, selfPid: number): OwnRisk | undefined {
  return ownRisksOf(s, selfPid)(p);
}

/**
 * ownRisk for every process of one session, its sets built once (the screen asks for each row on
 * every poll). A session that is not an own session and does not hold sshtop risks nothing.
 */
export function ownRisksOf(s: Session, selfPid: number): (p: SessionProcess) => OwnRisk | undefined {
  const own = s.flags.includes('own');
  if (!own && !holdsSelf(s, selfPid)) return () => undefined;
  const sshd = new Set(s.processes.filter((x) => x.role !== 'process').map((x) => x.pid));
  const carriesConnection = (x: SessionProcess) => sshd.has(x.pid) || sshd.has(x.ppid);
  // sshtop and its ancestors within the session, each with what signalling it ends
  const chain = new Map<number, OwnRisk>();
  const byPid = new Map(s.processes.map((x) => [x.pid, x]));
  for (let q = byPid.get(selfPid); q && !chain.has(q.pid); q = byPid.get(q.ppid)) chain.set(q.pid, carriesConnection(q) ? 'connection' : 'sshtop');
  return (p) => (own && carriesConnection(p) ? 'connection' : chain.get(p.pid));
}

/** whether sshtop runs inside the session's processes (a tmux server it started, a leftover's): ending it ends sshtop */
export function holdsSelf(s: Session, selfPid: number): boolean {
  return s.processes.some((p) => p.pid === selfPid);
}
