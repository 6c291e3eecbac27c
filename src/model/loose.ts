// Where the processes outside every sshd tree belong (the reader's looseRoots, proc/loose-roots.ts).
// Each head is tied to a login, strongest evidence first: the kernel's audit session (sessionid,
// set by pam_loginuid and inherited whatever the parent becomes), logind's session scope, the
// SSH_CONNECTION its environment carries (the connection's four addresses), or sshtop having seen
// it inside a session while it ran. Then:
//
// - a head whose login is a live session is that session's (`outside`): ending the session ends it;
// - a mosh-server is a session of its own (kind `mosh`): an interactive login over UDP;
// - the rest, grouped by login, are leftovers (kind `leftover`) of SSH logins that have ended.
//   A group is only shown with evidence that its login was SSH (an SSH_CONNECTION, or sshtop saw
//   the session): a cron job's or a console login's processes carry an audit session too.
//
// Nothing is invented: a login time is known only from sshtop's history, never from the age of
// the processes. Pure.
import { parseSshConnection } from '../proc/parse.js';
import { formatSeconds } from '../text/duration.js';
import { cpuSecondsOf, processTree, ptsOf, ticksToMs, ttyIdleSeconds } from './session-tree.js';
import type { Classified, Endpoint, LeftoverFacts, LoginHistory, LoginIdentity, LoginOrigin, ProcSnapshot, Session, SessionProcess } from './types.js';

/** the group the UI and --once list mosh sessions in */
export const MOSH_GROUP_TITLE = 'mosh sessions (mosh-server started over SSH; UDP)';
/** the group the UI and --once list leftovers in */
export const LEFTOVER_GROUP_TITLE = 'left over from SSH logins that have ended (nohup, setsid, tmux, screen…)';

/** a login's identity as one key: the audit session, else logind's scope; null when neither is set */
export function loginKey(id: LoginIdentity | null | undefined): string | null {
  if (!id) return null;
  if (id.sessionId !== null) return `audit:${id.sessionId}`;
  return id.scope !== null ? `scope:${id.scope}` : null;
}

/**
 * What names a leftover group from one run to the next (reap's memory of when it first saw it):
 * its login identity, else its connection; prefixed with the boot, whose audit numbers restart.
 */
export function leftoverKey(s: Session, bootId: string | null | undefined): string | null {
  const id = loginKey(s.loginId) ?? connectionKey(s.remote, s.local);
  return id === null || !bootId ? null : `${bootId}/${id}`;
}

/** the four addresses of a connection as SSH_CONNECTION writes them */
export function connectionKey(remote: Endpoint | null, local: Endpoint | null): string | null {
  return remote && local ? `${remote.address} ${remote.port} ${local.address} ${local.port}` : null;
}

/**
 * A session's login: the identity its user side carries (the user child, a single-process
 * connection, else its first user process). Pre-auth there is none: the monitor still carries
 * what the listener was started with, which is no login of this connection.
 */
export function sessionLogin(s: Session, snap: ProcSnapshot): LoginIdentity | null {
  if (s.flags.includes('preauth')) return null;
  const side = s.processes.filter((p) => p.role === 'user' || p.role === 'connection' || p.role === 'sftp' || p.role === 'process');
  for (const p of side) {
    const id = snap.procs.get(p.pid)?.login;
    if (loginKey(id) !== null) return id as LoginIdentity;
  }
  return null;
}

interface Head {
  pid: number;
  key: string | null;
  conn: string | null;
  seen: LoginOrigin | undefined;
  tree: SessionProcess[];
}

export interface LooseContext {
  classes: ReadonlyMap<number, Classified>;
  children: ReadonlyMap<number, readonly number[]>;
  boundary: ReadonlySet<number>;
  history?: LoginHistory | undefined;
  idleSeconds: number;
  addFlag: (s: Session, flag: 'leftover' | 'mosh' | 'idle', reason: string) => void;
}

/**
 * Place every loose head: append it to its live session (mutating that session's processes), or
 * return it as a mosh or leftover session.
 */
export function placeLoose(snap: ProcSnapshot, sessions: Session[], ctx: LooseContext): Session[] {
  const roots = snap.looseRoots ?? [];
  if (roots.length === 0) return [];
  const seenPids = new Set<number>();
  for (const s of sessions) for (const p of s.processes) seenPids.add(p.pid);
  const byKey = new Map<string, Session>();
  const byConn = new Map<string, Session>();
  const byIdentity = new Map<string, Session>();
  for (const s of sessions) {
    const k = loginKey(s.loginId);
    if (k !== null && !byKey.has(k)) byKey.set(k, s);
    const c = connectionKey(s.remote, s.local);
    if (c !== null && !byConn.has(c)) byConn.set(c, s);
    byIdentity.set(`${s.pid}:${s.startTicks}`, s);
  }

  const heads: Head[] = [];
  for (const pid of roots) {
    const p = snap.procs.get(pid);
    if (!p || seenPids.has(pid)) continue;
    const tree = processTree(pid, snap, { classes: ctx.classes, children: ctx.children, boundary: ctx.boundary, seen: seenPids });
    heads.push({ pid, key: loginKey(p.login), conn: snap.sshConnection.get(pid) ?? null, seen: ctx.history?.processes.get(`${pid}:${p.startTicks}`), tree });
  }

  // the logins sshtop saw, by their connection: a head whose environment names one is that login's
  const seenByConn = new Map<string, LoginOrigin>();
  for (const o of [...(ctx.history?.processes.values() ?? []), ...(ctx.history?.logins.values() ?? [])]) {
    const c = connectionKey(o.remote, o.local);
    if (c !== null) seenByConn.set(c, o);
  }
  const out: Session[] = [];
  const groups = new Map<string, Head[]>();
  for (const h of heads) {
    const root = h.tree[0];
    if (!root) continue;
    if (root.comm === 'mosh-server') {
      out.push(moshSession(h, snap, ctx));
      continue;
    }
    const live =
      (h.key !== null ? byKey.get(h.key) : undefined) ??
      (h.conn !== null ? byConn.get(h.conn) : undefined) ??
      (h.seen ? byIdentity.get(`${h.seen.sessionPid}:${h.seen.startTicks}`) : undefined);
    if (live) {
      joinSession(live, h.tree, snap);
      continue;
    }
    // one group per login: the one sshtop saw (however each process is tied to it), else the
    // audit session or scope, else the connection its environment names
    h.seen ??= (h.key !== null ? ctx.history?.logins.get(h.key) : undefined) ?? (h.conn !== null ? seenByConn.get(h.conn) : undefined);
    const group = h.seen ? `seen:${h.seen.sessionPid}:${h.seen.startTicks}` : (h.key ?? (h.conn !== null ? `conn:${h.conn}` : null));
    if (group === null) continue;
    groups.set(group, [...(groups.get(group) ?? []), h]);
  }
  for (const members of groups.values()) {
    const s = leftoverSession(members, snap, ctx);
    if (s) out.push(s);
  }
  return out;
}

/** a live session's processes that left its tree: listed after it, one level below the connection */
function joinSession(s: Session, tree: SessionProcess[], snap: ProcSnapshot): void {
  const base = (tree[0] as SessionProcess).depth;
  for (const p of tree) s.processes.push({ ...p, depth: p.depth - base + 1, outside: true });
  s.cpuSeconds = cpuSecondsOf(s.processes, snap);
}


/** the fields every loose session shares; the caller fills in what its kind knows */
function baseSession(procs: SessionProcess[], snap: ProcSnapshot, user: string | null, endpoints: { remote: Endpoint | null; local: Endpoint | null }): Session {
  const root = procs[0] as SessionProcess;
  return {
    pid: root.pid,
    startTicks: root.startTicks,
    listenerPid: null,
    user,
    ttys: [],
    remote: endpoints.remote,
    local: endpoints.local,
    startedAt: ticksToMs(snap, root.startTicks),
    idleSeconds: null,
    idleSource: null,
    flags: [],
    reasons: {},
    command: root.command,
    cpuSeconds: cpuSecondsOf(procs, snap),
    processes: procs,
    daemon: 'other',
    socketInode: null,
    net: null,
    idleSources: { tty: null, traffic: null },
    timeouts: [],
    remoteHost: endpoints.remote?.address ?? null,
    login: null,
    sources: { remote: endpoints.remote ? 'environ' : null, remoteHost: endpoints.remote ? 'environ' : null, ttys: null },
  };
}

function endpointsOf(conn: string | null): { remote: Endpoint | null; local: Endpoint | null } {
  const parsed = conn === null ? undefined : parseSshConnection(conn);
  return parsed ?? { remote: null, local: null };
}

/** the user who logged in: the loginuid's name, else the process's own */
function loginUserOf(pid: number, snap: ProcSnapshot, fallback: string | null): string | null {
  const uid = snap.procs.get(pid)?.login?.loginUid;
  return uid === null || uid === undefined ? fallback : (snap.users.get(uid) ?? String(uid));
}

function moshSession(h: Head, snap: ProcSnapshot, ctx: LooseContext): Session {
  const procs = h.tree.map((p) => ({ ...p, depth: p.depth - (h.tree[0] as SessionProcess).depth }));
  const root = procs[0] as SessionProcess;
  const s = baseSession(procs, snap, root.user, endpointsOf(h.conn));
  const ports = snap.procs.get(root.pid)?.udpPorts ?? [];
  s.kind = 'mosh';
  s.loginId = snap.procs.get(root.pid)?.login ?? null;
  s.mosh = { udpPorts: ports };
  s.ttys = ptsOf(procs);
  s.sources = { ...(s.sources as NonNullable<Session['sources']>), ttys: s.ttys.length > 0 ? 'proc' : null };
  s.idleSeconds = ttyIdleSeconds(s.ttys, snap);
  s.idleSource = s.idleSeconds === null ? null : 'tty';
  s.idleSources = { tty: s.idleSeconds, traffic: null };
  // what runs in it: the newest process below the server
  const inner = procs.slice(1);
  s.command = inner.length > 0 ? inner.reduce((a, b) => (b.startTicks > a.startTicks ? b : a)).command : root.command;
  const from = s.remote ? ` (started over SSH from ${s.remote.address})` : '';
  ctx.addFlag(s, 'mosh', `a mosh session on UDP port ${ports.length > 0 ? ports.join(', ') : '?'}${from}`);
  if (s.idleSeconds !== null && s.idleSeconds >= ctx.idleSeconds)
    ctx.addFlag(s, 'idle', `no terminal input or output for ${formatSeconds(s.idleSeconds)} (threshold ${formatSeconds(ctx.idleSeconds)})`);
  return s;
}

function leftoverSession(heads: Head[], snap: ProcSnapshot, ctx: LooseContext): Session | undefined {
  const origin = heads.find((h) => h.seen)?.seen;
  const conn = heads.find((h) => h.conn !== null)?.conn ?? null;
  // an SSH login, by its environment or by sshtop having seen it: anything else may be cron's
  if (!origin && conn === null) return undefined;
  const procs = heads.flatMap((h) => h.tree.map((p) => ({ ...p, depth: p.depth - (h.tree[0] as SessionProcess).depth })));
  const first = heads[0] as Head;
  const endpoints = conn !== null ? endpointsOf(conn) : { remote: origin?.remote ?? null, local: origin?.local ?? null };
  const s = baseSession(procs, snap, loginUserOf(first.pid, snap, origin?.user ?? procs[0]?.user ?? null), endpoints);
  const id = heads.map((h) => snap.procs.get(h.pid)?.login).find((l) => loginKey(l) !== null) ?? null;
  // how the group is tied to its login: the weakest tie of its heads (a login identity, else…)
  const via: LeftoverFacts['via'] = heads.every((h) => h.key?.startsWith('audit:'))
    ? 'audit'
    : heads.every((h) => h.key !== null)
      ? 'logind'
      : heads.every((h) => h.key !== null || h.conn !== null)
        ? 'environ'
        : 'seen';
  s.kind = 'leftover';
  s.loginId = id;
  s.leftover = { via, partial: via !== 'audit' && via !== 'logind', sessionId: id?.sessionId ?? null, loginAt: origin?.loginAt ?? null, endedAt: origin ? (origin.endedAt ?? snap.takenAt) : null, ttys: origin?.ttys ?? [] };
  if (conn === null && origin?.remote) s.sources = { remote: 'history', remoteHost: 'history', ttys: null };
  const ended = s.leftover.endedAt !== null ? `ended ${formatSeconds(Math.max(0, Math.floor((snap.takenAt - s.leftover.endedAt) / 1000)))} ago` : 'has ended';
  const tie = s.leftover.partial ? '; attribution partial (no login identity: only what left while sshtop watched, or carries SSH_CONNECTION)' : '';
  ctx.addFlag(s, 'leftover', `its SSH login ${ended}; ${procs.length} process${procs.length === 1 ? '' : 'es'} still run${procs.length === 1 ? 's' : ''}${tie}`);
  return s;
}
