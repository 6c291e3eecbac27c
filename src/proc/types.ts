// What the reader gathers from /proc, /dev and passwd (ProcSnapshot and its parts): raw facts,
// plain data, immutable by convention. A leaf: the model derives from these, nothing here
// depends on the model.

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
  /** the login it came from (kernel audit session, logind scope); undefined when not read */
  login?: LoginIdentity;
  /** resident set size, bytes (stat's rss × the page size); undefined when not read */
  rssBytes?: number;
  /** local UDP ports of its sockets: read only for a mosh-server (its session's port) */
  udpPorts?: number[];
}

/**
 * Which login a process belongs to, whatever its parent is now (parse-login.ts). Each field null
 * when unset: a process no PAM login marked (UsePAM no, containers) or no logind scope.
 */
export interface LoginIdentity {
  /** /proc/PID/sessionid: the kernel audit session pam_loginuid opened */
  sessionId: number | null;
  /** /proc/PID/loginuid: the uid that logged in (a `sudo -i` root shell keeps the user's) */
  loginUid: number | null;
  /** systemd-logind's `session-N.scope` (N) from /proc/PID/cgroup */
  scope: string | null;
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
  /** this boot's id (/proc/sys/kernel/random/boot_id), when readable */
  bootId?: string | null;
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
  /**
   * processes outside every sshd tree that carry an SSH login's identity or were seen inside a
   * session (reparented when it ended): the heads of what logins leave behind, and mosh-servers.
   * Their subtrees are in procs; their SSH_CONNECTION (environ), when readable, in sshConnection.
   */
  looseRoots?: readonly number[];
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

/** the kernel's TCP keepalive and retransmission settings (net.ipv4), as read */
export interface KernelKeepalive {
  keepaliveTime: number;
  keepaliveIntvl: number;
  keepaliveProbes: number;
  /** net.ipv4.tcp_retries2, tcp_rto_max_ms (Linux 6.15+), tcp_rto_min_us / 1000, when readable */
  retries2?: number;
  rtoMaxMs?: number;
  rtoMinMs?: number;
}

/** where a server configuration came from: `sshd -T`, the files, or nowhere */
export type ConfigSource = 'sshd -T' | 'sshd_config' | 'unknown';
