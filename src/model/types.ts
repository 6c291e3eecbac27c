// Shapes of what the model derives (Session, Model, Policy) from the reader's facts
// (proc/types.ts, re-exported here for the layers above). Plain data, immutable by convention.
import type { Blocked, ConfigSource, Endpoint, KernelKeepalive, LoginIdentity, LoginRecord } from '../proc/types.js';
import type { ConnectionEnd } from './tcp-timeout.js';

export type { Blocked, ConfigSource, Endpoint, ExeFacts, HiddenSessionTop, KernelKeepalive, LoginIdentity, LoginRecord, ProcEntry, ProcSnapshot, TcpSocket } from '../proc/types.js';

export type Role =
  | 'listener'
  | 'preauth'
  | 'monitor'
  | 'pam'
  | 'user'
  | 'sftp'
  /** single process carries the whole connection: OpenSSH <= 9.7 root login, Dropbear */
  | 'connection'
  | 'unknown'
  /** not an sshd-family process: shells and their children */
  | 'process';

export interface Classified {
  role: Role;
  /** user named in the title, if any (`unknown` for pre-auth is not a user) */
  user?: string;
  /** ttys named in the title (`alice@pts/3,pts/7` → pts/3, pts/7) */
  ttys?: string[];
  /** the title says no tty (`@notty`) */
  notty?: boolean;
  /** the title names only the user (`sshd: alice`): no session channel, forwarding only */
  forwardOnly?: boolean;
  /** listener startups counts (OpenSSH >= 8.2) */
  startups?: Startups | null;
  /** which daemon: OpenSSH or Dropbear */
  daemon: 'openssh' | 'dropbear' | 'other';
  /** named like an SSH daemon, but proved not to be one (why): shown, never believed */
  forged?: string;
}

export interface Startups {
  active: number;
  start: number;
  /** start:rate:full — the title shows only start and full; rate comes from the config */
  rate: number | null;
  full: number;
}

export type Flag =
  | 'own'
  /** the SSH daemon processes are hidden (hidepid): rebuilt from the user's own processes */
  | 'partial'
  | 'idle'
  | 'stale'
  | 'dead-peer'
  | 'preauth'
  | 'orphan'
  | 'hung'
  | 'notty'
  | 'forward-only'
  | 'sftp'
  | 'multiplexed'
  | 'socket-activated'
  /** a process named like an SSH daemon that is not one (its binary or its uid says so) */
  | 'untrusted'
  /** processes still running from an SSH login that has ended (kind 'leftover') */
  | 'leftover'
  /** a mosh session (kind 'mosh'): a mosh-server started over SSH, reached over UDP */
  | 'mosh';

export interface SessionProcess {
  pid: number;
  ppid: number;
  user: string | null;
  uid: number | null;
  state: string;
  tty: string | null;
  role: Role;
  /** raw command (title); sanitise before display */
  command: string;
  comm: string;
  startedAt: number;
  startTicks: number;
  cpuTicks: number;
  /** depth below the session's connection process (0 = the connection process) */
  depth: number;
  /** in state D: where it sleeps (see ProcEntry) */
  blocked?: Blocked;
  /** outside the sshd tree (reparented to init when its parent ended), tied to the session by its login */
  outside?: true;
  /** who logged in (loginuid's name) when it is not the process's own user: the person behind `sudo -i` */
  loginUser?: string;
  /** resident memory, bytes */
  rssBytes?: number;
}

/** what is known of the login a leftover group came from (model/loose.ts) */
export interface LeftoverFacts {
  /**
   * what ties its processes to the login: the kernel's audit session (pam_loginuid), logind's
   * session scope, the SSH_CONNECTION their environment carries, or sshtop having seen them
   * inside the session while it ran
   */
  via: 'audit' | 'logind' | 'environ' | 'seen';
  /** no login identity ties them (UsePAM no, containers): processes that left unseen are missed */
  partial: boolean;
  /** the kernel audit session, when set */
  sessionId: number | null;
  /** when the login started (ms), null when unknown (never guessed from its processes) */
  loginAt: number | null;
  /** when sshtop saw the login end (ms), null when it ended before sshtop looked */
  endedAt: number | null;
  /** the ttys the login had, when sshtop saw it */
  ttys: string[];
}

export interface Session {
  /** the process to signal to end the whole connection */
  pid: number;
  /** starttime (ticks) of pid, pinned for the identity check before signalling */
  startTicks: number;
  listenerPid: number | null;
  user: string | null;
  ttys: string[];
  remote: Endpoint | null;
  local: Endpoint | null;
  /** ms since epoch */
  startedAt: number;
  idleSeconds: number | null;
  /** tty: atime of the session's ttys, like w; traffic: last data on the connection (ss) */
  idleSource: 'tty' | 'traffic' | null;
  flags: Flag[];
  /** one-line human reason per flag */
  reasons: Partial<Record<Flag, string>>;
  /** what the user runs now (as `w` shows it) */
  command: string | null;
  cpuSeconds: number;
  processes: SessionProcess[];
  daemon: 'openssh' | 'dropbear' | 'other';
  /** inode of the connection's TCP socket, null when not visible */
  socketInode: number | null;
  /** network state of the connection socket, null when not visible */
  net: SessionNet | null;
  /** every idle figure that could be measured, seconds */
  idleSources: { tty: number | null; traffic: number | null };
  /** which server setting would end this session, and when (human lines) */
  timeouts: string[];
  /**
   * true: its SSH daemon processes are hidden (/proc hidepid) and it was rebuilt from the user's
   * own processes below them. pid is their hidden parent, whose identity cannot be verified: the
   * session is never signalled as a whole, only its visible processes.
   */
  partial?: boolean;
  /** what ends the connection and in how many seconds, earliest first (same facts as `timeouts`) */
  ends?: ConnectionEnd[];
  /**
   * the remote host when only a login record knows it (another user's session seen by an
   * ordinary user): its address, else its ut_host; when the socket is visible, its address
   */
  remoteHost?: string | null;
  /** the session's open login record (utmp, else wtmp), matched by sshd's pid; null: none */
  login?: LoginRecord | null;
  /** where remote, remoteHost and ttys came from */
  sources?: SessionSources;
  /** not an SSH connection: a mosh session, or what an ended SSH login left running (absent: ssh) */
  kind?: 'mosh' | 'leftover';
  /** the login's identity (kernel audit session, logind scope), when a login set one */
  loginId?: LoginIdentity | null;
  /** a leftover group: the login it came from */
  leftover?: LeftoverFacts;
  /** a mosh session: the UDP ports its server listens on */
  mosh?: { udpPorts: number[] };
}

/** a login sshtop saw while it ran: what a leftover of it is told by (collect/login-history.ts) */
export interface LoginOrigin {
  sessionPid: number;
  startTicks: number;
  user: string | null;
  remote: Endpoint | null;
  local: Endpoint | null;
  ttys: string[];
  /** ms */
  loginAt: number;
  /** ms when it was first seen gone; null while it runs */
  endedAt: number | null;
}

/** what a polling run remembers of the logins it saw (a one-shot has none) */
export interface LoginHistory {
  /** the session a process was seen in, by `pid:startTicks` */
  processes: ReadonlyMap<string, LoginOrigin>;
  /** logins by identity key (loginKey: `audit:N`, `scope:S`) */
  logins: ReadonlyMap<string, LoginOrigin>;
}

export interface SessionSources {
  /** socket: the connection's TCP socket; environ: SSH_CONNECTION of a readable process; history: sshtop saw the session */
  remote: 'socket' | 'environ' | 'history' | null;
  remoteHost: 'socket' | 'environ' | 'utmp' | 'wtmp' | 'history' | null;
  /** proc: the daemon's title or its processes' terminals */
  ttys: 'proc' | 'utmp' | 'wtmp' | null;
}

/** TCP state of a session's connection (from /proc/net/tcp, refined by `ss -ti` when available) */
export interface SessionNet {
  source: 'proc' | 'proc+ss';
  txQueue: number;
  rxQueue: number;
  /** retransmit, keepalive, zero-window-probe, time-wait, or none */
  timer: 'none' | 'retransmit' | 'keepalive' | 'time-wait' | 'zero-window-probe';
  retransmits: number;
  probes: number;
  lastSendMs: number | null;
  lastReceiveMs: number | null;
  lastAckMs: number | null;
  bytesSent: number | null;
  bytesReceived: number | null;
  rttMs: number | null;
  rtoMs: number | null;
  retransTotal: number | null;
  /** ms until the socket's timer fires (/proc/net/tcp), null when no timer runs */
  timerMs?: number | null;
  /** ss `backoff:` (the RTO doubled this many times; 0 when ss shows none) and `rtt:` variance */
  backoff?: number | null;
  rttVarMs?: number | null;
}

export interface Listener {
  pid: number;
  command: string;
  startups: Startups | null;
  startTicks: number;
  daemon: 'openssh' | 'dropbear' | 'other';
  /** this listener's server policy, when read */
  policy?: Policy | null;
}

export interface SelfInfo {
  pid: number;
  /** the own session's pid, null when not inside SSH or ambiguous */
  sessionPid: number | null;
  /** every session that might be the caller's (tmux with several attached clients) */
  candidates: number[];
  /** how it was found */
  via: 'ppid' | 'tmux' | null;
}

export interface Model {
  takenAt: number;
  btime: number;
  listeners: Listener[];
  sessions: Session[];
  self: SelfInfo;
  notices: string[];
}

export interface ModelOptions {
  /** idle threshold in seconds (default 600) */
  idleSeconds: number;
  /** pid of the caller (process.pid) */
  selfPid: number;
}

/** the server's timeout policy (docs/sessions.md), for one listener's configuration */
export interface Policy {
  source: ConfigSource;
  /** the config file it was read from */
  configFile: string | null;
  clientAliveInterval: number | null;
  clientAliveCountMax: number | null;
  tcpKeepAlive: boolean | null;
  loginGraceTime: number | null;
  maxStartups: { start: number; rate: number; full: number } | null;
  /** as configured, e.g. `none` or `session=30m` */
  channelTimeout: string | null;
  /** seconds; 0 means none */
  unusedConnectionTimeout: number | null;
  kernel: KernelKeepalive | null;
  /** a client that stops answering is dropped after this many seconds (null: never / unknown) */
  silentClientDropSeconds: number | null;
  /** what drops it: `ClientAliveInterval × ClientAliveCountMax`, `TCP keepalive`, or null */
  silentClientDropBy: string | null;
}
