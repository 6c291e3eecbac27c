// Shared shapes of sshtop's data: what the reader gathers (ProcSnapshot) and what the model
// derives from it (Session, Model). Everything here is plain data, immutable by convention.
import type { ConnectionEnd } from './tcp-timeout.js';

/** One TCP socket row of /proc/<pid>/net/tcp{,6}. */
export interface TcpSocket {
  inode: number;
  local: Endpoint;
  remote: Endpoint;
  /** kernel TCP state number (1 = ESTABLISHED, 10 = LISTEN) */
  state: number;
  txQueue: number;
  rxQueue: number;
  /** timer kind: 0 none, 1 retransmit, 2 keepalive, 3 TIME_WAIT, 4 zero-window probe */
  timer: number;
  timerJiffies: number;
  retransmits: number;
  uid: number;
  /** probes out (the "timeout" column) */
  probes: number;
}

export interface Endpoint {
  address: string;
  port: number;
}

/** One process as read from /proc (or, degraded, from ps-list). */
export interface ProcEntry {
  pid: number;
  ppid: number;
  /** /proc/PID/comm (not rewritten by setproctitle) */
  comm: string;
  /** argv as read from cmdline, trailing padding trimmed; OpenSSH titles are argv[0] */
  argv: string[];
  /** argv joined with spaces: what ps shows as the command */
  cmdline: string;
  state: string;
  pgrp: number;
  sid: number;
  ttyNr: number;
  /** `pts/N`, `ttyN`, … or null */
  tty: string | null;
  tpgid: number;
  /** utime + stime, clock ticks */
  cpuTicks: number;
  /** start time, clock ticks since boot */
  startTicks: number;
  /** real uid, null when status could not be read */
  uid: number | null;
  /** socket inodes held open, null when the fd directory was not readable */
  sockets: number[] | null;
  /** net namespace id (from /proc/PID/ns/net), null when unknown */
  netns: string | null;
  /** /proc/PID/cgroup, read only for sshd processes whose parent is no sshd (socket activation) */
  cgroup: string | null;
  /**
   * the executable of a process named like an SSH daemon (what it really runs: a user can name
   * any process `sshd`); undefined when not read (other processes, ps-list, captured trees), null
   * when not readable by this user
   */
  exe?: ExeFacts | null;
  /** read only for a process in state D: where it sleeps and whether it ran since (hung) */
  blocked?: Blocked;
}

/** a process in uninterruptible sleep (D): /proc/PID/wchan and its context switches so far */
export interface Blocked {
  /** the kernel function it sleeps in; null when not readable (another user's process) */
  wchan: string | null;
  /** voluntary + involuntary context switches; unchanged between two reads: it never ran in between */
  switches: number | null;
}

/** an open login from utmp or wtmp (USER_PROCESS), written by sshd with its own pid */
export interface LoginRecord {
  source: 'utmp' | 'wtmp';
  pid: number;
  /** ut_line: `pts/3` */
  line: string;
  user: string;
  /** ut_host: the remote host as sshd named it (an address, or a DNS name under UseDNS); raw */
  host: string;
  /** ut_addr_v6 as text, null when zero */
  address: string | null;
  /** ms since the epoch */
  at: number;
}

/** /proc/PID/exe, stat'ed through the link (so a binary replaced by an upgrade still answers) */
export interface ExeFacts {
  /** the link's text, ` (deleted)` removed */
  path: string;
  /** owner and permission bits of the binary */
  uid: number;
  mode: number;
  regular: boolean;
}

export interface ProcSnapshot {
  /** ms since epoch when the snapshot was taken */
  takenAt: number;
  /** boot time, seconds since epoch, as of takenAt (now − /proc/uptime; captured trees: btime) */
  btime: number;
  /** clock ticks per second (USER_HZ), 100 on Linux */
  clkTck: number;
  procs: ReadonlyMap<number, ProcEntry>;
  /** TCP sockets by inode, from the net namespaces of the session processes */
  sockets: ReadonlyMap<number, TcpSocket>;
  /** atime (ms since epoch) of /dev/<tty>, by tty name (`pts/3`) */
  ttyAtimes: ReadonlyMap<string, number>;
  /** uid → user name (from passwd) */
  users: ReadonlyMap<number, string>;
  /** `SSH_CONNECTION` values from readable environs, by pid */
  sshConnection: ReadonlyMap<number, string>;
  /** where the data came from */
  source: 'proc' | 'ps-list';
  /** fields that the source cannot provide (ps-list fallback) */
  missing: string[];
  /** one-line notices (EACCES seen, hidepid, …), each once */
  notices: string[];
  /** ttys (`pts/4`) held open by the tmux or screen server sshtop runs under: its attached clients; null when in none */
  tmuxClientTtys: string[] | null;
  /** hidepid hides the SSH daemons: the tops of the caller's own session channels, by pid */
  hiddenSessionTops?: ReadonlyMap<number, HiddenSessionTop>;
  /** open logins from utmp/wtmp whose pid is a process of this snapshot (live reads only) */
  loginRecords?: readonly LoginRecord[];
}

/** A process of the caller whose parent is hidden (hidepid) and whose environ names an SSH connection. */
export interface HiddenSessionTop {
  pid: number;
  /** the hidden parent: the sshd user child (or Dropbear's connection process) */
  parent: number;
  /** SSH_CONNECTION from its environ */
  sshConnection: string;
  /** its tty (`pts/3`), which SSH_TTY names too; null for a channel without one */
  sshTty: string | null;
}

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
  | 'untrusted';

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
}

export interface SessionSources {
  /** socket: the connection's TCP socket; environ: SSH_CONNECTION of a readable process */
  remote: 'socket' | 'environ' | null;
  remoteHost: 'socket' | 'environ' | 'utmp' | 'wtmp' | null;
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

/** the server's timeout policy (SPEC 2), for one listener's configuration */
export interface Policy {
  source: 'sshd -T' | 'sshd_config' | 'unknown';
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
  kernel: {
    keepaliveTime: number;
    keepaliveIntvl: number;
    keepaliveProbes: number;
    /** net.ipv4.tcp_retries2, tcp_rto_max_ms (Linux 6.15+), tcp_rto_min_us / 1000, when readable */
    retries2?: number;
    rtoMaxMs?: number;
    rtoMinMs?: number;
  } | null;
  /** a client that stops answering is dropped after this many seconds (null: never / unknown) */
  silentClientDropSeconds: number | null;
  /** what drops it: `ClientAliveInterval × ClientAliveCountMax`, `TCP keepalive`, or null */
  silentClientDropBy: string | null;
}
