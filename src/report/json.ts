// `sshtop --json`: the sshtop/1 schema (docs/json.md). Extended only by adding fields.
import { escapeJsonUnsafe } from '../text/sanitize.js';
import type { ConnectionEnd } from '../model/tcp-timeout.js';
import type { Endpoint, Flag, LeftoverFacts, Listener, LoginIdentity, LoginRecord, Model, Policy, Role, SelfInfo, Session, SessionNet, SessionSources, Startups } from '../model/types.js';

export const SCHEMA = 'sshtop/1' as const;

const iso = (ms: number): string => new Date(ms).toISOString();

export interface JsonContext {
  host: string;
  source: 'proc' | 'ps-list';
  missing: string[];
  policy?: Policy | null;
}

/** the sshtop/1 schema, as printed: the compiler holds the output to it, and the tests read it */
export interface JsonProcess {
  pid: number;
  ppid: number;
  user: string | null;
  state: string;
  tty: string | null;
  role: Role;
  command: string;
  startedAt: string;
  /** CPU time so far, seconds */
  cpuSeconds: number;
  /** resident memory, bytes; null when not read */
  rssBytes: number | null;
  /** outside the sshd tree (reparented), tied to the session by its login identity */
  outside: boolean;
  /** who logged in, when not the process's own user (`sudo -i`) */
  loginUser: string | null;
}

export interface JsonSession {
  pid: number;
  listenerPid: number | null;
  user: string | null;
  ttys: string[];
  remote: Endpoint | null;
  local: Endpoint | null;
  startedAt: string;
  idleSeconds: number | null;
  idleSource: Session['idleSource'];
  idleSources: Session['idleSources'];
  flags: Flag[];
  reasons: Session['reasons'];
  command: string | null;
  cpuSeconds: number;
  daemon: Session['daemon'];
  net: SessionNet | null;
  timeouts: string[];
  /** true: its SSH daemon processes are hidden (hidepid), rebuilt from the user's own processes */
  partial: boolean;
  /** what ends the connection and in how many seconds, earliest first */
  ends: ConnectionEnd[];
  /** the remote host: the socket's (or SSH_CONNECTION's) address, else the login record's */
  remoteHost: string | null;
  /** where remote, remoteHost and ttys came from */
  sources: SessionSources;
  /** the session's open utmp/wtmp record, matched by sshd's pid; null when none */
  login: JsonLogin | null;
  /** `ssh`; `mosh` (a mosh-server started over SSH); `leftover` (only in `leftovers`) */
  kind: 'ssh' | 'mosh' | 'leftover';
  /** the login's kernel audit session, loginuid and logind scope; null when no login set one */
  loginId: LoginIdentity | null;
  /** a mosh session's UDP ports */
  mosh: { udpPorts: number[] } | null;
  /** a leftover group: the login it came from */
  leftover: JsonLeftover | null;
  processes: JsonProcess[];
}

export interface JsonLeftover {
  via: LeftoverFacts['via'];
  partial: boolean;
  sessionId: number | null;
  loginAt: string | null;
  endedAt: string | null;
  ttys: string[];
}

export interface JsonLogin {
  source: LoginRecord['source'];
  pid: number;
  line: string;
  user: string;
  host: string;
  address: string | null;
  at: string;
}

export interface JsonListener {
  pid: number;
  command: string;
  startups: Startups | null;
  daemon: Listener['daemon'];
  policy: Policy | null;
}

export interface JsonSnapshot {
  schema: typeof SCHEMA;
  takenAt: string;
  host: string;
  self: SelfInfo;
  policy: Policy | null;
  source: JsonContext['source'];
  missing: string[];
  notices: string[];
  listeners: JsonListener[];
  sessions: JsonSession[];
  /** what ended SSH logins left running, one entry per login (kind `leftover`) */
  leftovers: JsonSession[];
}

export function toJsonObject(model: Model, ctx: JsonContext): JsonSnapshot {
  return {
    schema: SCHEMA,
    takenAt: iso(model.takenAt),
    host: ctx.host,
    self: { pid: model.self.pid, sessionPid: model.self.sessionPid, candidates: model.self.candidates, via: model.self.via },
    policy: ctx.policy ?? null,
    source: ctx.source,
    missing: ctx.missing,
    notices: model.notices,
    listeners: model.listeners.map((l) => ({ pid: l.pid, command: l.command, startups: l.startups, daemon: l.daemon, policy: l.policy ?? null })),
    sessions: model.sessions.filter((s) => s.kind !== 'leftover').map(sessionJson),
    leftovers: model.sessions.filter((s) => s.kind === 'leftover').map(sessionJson),
  };
}

function sessionJson(s: Session): JsonSession {
  return {
    pid: s.pid,
    listenerPid: s.listenerPid,
    user: s.user,
    ttys: s.ttys,
    remote: s.remote,
    local: s.local,
    startedAt: iso(s.startedAt),
    idleSeconds: s.idleSeconds,
    idleSource: s.idleSource,
    idleSources: s.idleSources,
    flags: s.flags,
    reasons: s.reasons,
    command: s.command,
    cpuSeconds: s.cpuSeconds,
    daemon: s.daemon,
    net: s.net,
    timeouts: s.timeouts,
    partial: s.partial === true,
    ends: s.ends ?? [],
    remoteHost: s.remoteHost ?? (s.remote ? s.remote.address : null),
    sources: s.sources ?? { remote: null, remoteHost: null, ttys: s.ttys.length > 0 ? 'proc' : null },
    login: s.login ? { ...s.login, at: iso(s.login.at) } : null,
    kind: s.kind ?? 'ssh',
    loginId: s.loginId ?? null,
    mosh: s.mosh ?? null,
    leftover: s.leftover
      ? { ...s.leftover, loginAt: s.leftover.loginAt === null ? null : iso(s.leftover.loginAt), endedAt: s.leftover.endedAt === null ? null : iso(s.leftover.endedAt) }
      : null,
    processes: s.processes.map((p) => ({
      pid: p.pid,
      ppid: p.ppid,
      user: p.user,
      state: p.state,
      tty: p.tty,
      role: p.role,
      command: p.command,
      startedAt: iso(p.startedAt),
      cpuSeconds: Math.round((p.cpuTicks / 100) * 100) / 100,
      rssBytes: p.rssBytes ?? null,
      outside: p.outside === true,
      loginUser: p.loginUser ?? null,
    })),
  };
}

export function formatJson(model: Model, ctx: JsonContext): string {
  return escapeJsonUnsafe(JSON.stringify(toJsonObject(model, ctx), null, 2)) + '\n';
}
