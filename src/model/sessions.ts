// Build listeners and sessions (one per SSH connection) from a ProcSnapshot. Pure. (About 300
// lines: one session's build reads top to bottom here; its parts already live beside it.)
import { parseSshConnection } from '../proc/parse.js';
import { formatSeconds } from '../text/duration.js';
import { familyOf } from '../proc/parse-ssh-title.js';
import { classifyProcess } from './classify.js';
import { applyStaleness, type StalenessOptions } from './network.js';
import { buildHiddenSessions } from './hidden-sessions.js';
import { findSelf } from './own.js';
import { cpuSecondsOf, currentCommand, processTree, ticksToMs, ttyIdleSeconds } from './session-tree.js';
import { forgedReason } from './trust.js';
import { untrustedSessions } from './untrusted.js';
import { loginKey, placeLoose, sessionLogin } from './loose.js';
import type {
  Classified,
  Endpoint,
  Flag,
  Listener,
  LoginHistory,
  LoginRecord,
  Model,
  ProcEntry,
  ProcSnapshot,
  Session,
  SessionProcess,
  SessionSources,
} from './types.js';

export interface BuildOptions extends StalenessOptions {
  /** idle threshold, seconds */
  idleSeconds: number;
  /** the caller's pid (process.pid) */
  selfPid: number;
  /** the logins a polling run saw (where their leftovers came from); none for a one-shot */
  history?: LoginHistory | undefined;
}

const TCP_ESTABLISHED = 1;
const SOCKET_ACTIVATORS = new Set(['inetd', 'xinetd', 'systemd-socket-proxyd', 'tcpserver', 's6-tcpserver']);
/** flags in order of severity: the UI shows the first one a session has */
export const FLAG_ORDER: Flag[] = [
  'untrusted',
  'leftover',
  'dead-peer',
  'hung',
  'stale',
  'orphan',
  'preauth',
  'idle',
  'own',
  'partial',
  'mosh',
  'multiplexed',
  'forward-only',
  'sftp',
  'notty',
  'socket-activated',
];

const classified = new WeakMap<ProcSnapshot, Map<number, Classified>>();

/**
 * a process's last class, by its argv array: the reader hands out the same array while a
 * process's title is unchanged, so a tick classifies only the processes whose title changed
 * (classifyProcess is pure in comm, argv and parentIsDropbear; classes are never mutated)
 */
const byArgv = new WeakMap<readonly string[], { comm: string; parentIsDropbear: boolean; c: Classified }>();

/** the class of every process not named like an SSH daemon (nearly all of them): one shared, frozen object */
const PLAIN: Classified = Object.freeze({ role: 'process', daemon: 'other' });

function classifyOnce(comm: string, argv: readonly string[], parentIsDropbear: boolean): Classified {
  if (familyOf(comm, argv) === undefined) return PLAIN;
  const hit = byArgv.get(argv);
  if (hit && hit.comm === comm && hit.parentIsDropbear === parentIsDropbear) return hit.c;
  const c = classifyProcess(comm, argv, parentIsDropbear);
  byArgv.set(argv, { comm, parentIsDropbear, c });
  return c;
}

/**
 * every process's class; computed once per snapshot (the policy lookup and the model both ask).
 * A process named like an SSH daemon whose binary or uid says it is none is classed as a plain
 * process, marked `forged`: its title is never believed (trust.ts).
 */
export function classifyAll(snap: ProcSnapshot): Map<number, Classified> {
  const hit = classified.get(snap);
  if (hit) return hit;
  const named = (p: ProcEntry | undefined) => p !== undefined && familyOf(p.comm, p.argv) !== undefined;
  const out = new Map<number, Classified>();
  // the binary first: a forged parent does not make its children a daemon's
  const byExe = new Map<number, string>();
  for (const p of snap.procs.values()) {
    const why = named(p) ? forgedReason(p, false) : undefined;
    if (why !== undefined) byExe.set(p.pid, why);
  }
  const isDaemon = (p: ProcEntry | undefined): p is ProcEntry => named(p) && !byExe.has((p as ProcEntry).pid);
  for (const p of snap.procs.values()) {
    const parent = snap.procs.get(p.ppid);
    const why = byExe.get(p.pid) ?? (isDaemon(p) && !isDaemon(parent) ? forgedReason(p, true) : undefined);
    if (why !== undefined) {
      out.set(p.pid, { role: 'process', daemon: 'other', forged: why });
      continue;
    }
    const parentIsDropbear = isDaemon(parent) && familyOf(parent.comm, parent.argv) === 'dropbear';
    out.set(p.pid, classifyOnce(p.comm, p.argv, parentIsDropbear));
  }
  // below a user child sshd forks only internal-sftp: anything else there was exec'd by the
  // user's channel (a real sshd binary running as the user, with a title of their choosing)
  for (const p of snap.procs.values()) {
    const c = out.get(p.pid) as Classified;
    if (c.role !== 'process' && c.role !== 'sftp' && out.get(p.ppid)?.role === 'user') out.set(p.pid, { role: 'process', daemon: 'other' });
  }
  classified.set(snap, out);
  return out;
}

export function buildModel(snap: ProcSnapshot, opts: BuildOptions): Model {
  const classes = classifyAll(snap);
  const children = new Map<number, number[]>();
  for (const p of snap.procs.values()) {
    const list = children.get(p.ppid);
    if (list) list.push(p.pid);
    else children.set(p.ppid, [p.pid]);
  }
  const roleOf = (pid: number) => classes.get(pid)?.role;
  const isDaemon = (pid: number) => {
    const r = roleOf(pid);
    return r !== undefined && r !== 'process';
  };

  const listeners: Listener[] = [];
  for (const p of snap.procs.values()) {
    const c = classes.get(p.pid) as Classified;
    if (c.role !== 'listener') continue;
    const policy = opts.policyFor?.(p.pid) ?? null;
    // the title shows start-full only; the rate is the configured MaxStartups rate
    const startups = c.startups && c.startups.rate === null && policy?.maxStartups ? { ...c.startups, rate: policy.maxStartups.rate } : (c.startups ?? null);
    listeners.push({ pid: p.pid, command: p.cmdline, startups, startTicks: p.startTicks, daemon: c.daemon, policy });
  }
  listeners.sort((a, b) => a.pid - b.pid);

  // a connection starts at a daemon process whose parent is a listener or no daemon at all
  const roots = [...snap.procs.values()].filter(
    // a zombie holds no connection: an exited sshd its (new) parent has not reaped yet
    (p) => isDaemon(p.pid) && roleOf(p.pid) !== 'listener' && !(isDaemon(p.ppid) && roleOf(p.ppid) !== 'listener') && p.state !== 'Z',
  );
  // a listener or connection started from inside a login (an admin's debug sshd) heads its own
  // tree: the login around it stops there, so each process belongs to one session only
  const boundary = new Set([...roots.map((p) => p.pid), ...listeners.map((l) => l.pid)]);
  const sessions = roots.map((p) => buildSession(p, snap, classes, children, roleOf(p.ppid) === 'listener', opts, boundary));
  assignLogins(sessions, listeners, snap);
  // what left the trees: a live session's own (reparented), mosh sessions, leftovers of ended logins
  sessions.push(...placeLoose(snap, sessions, { classes, children, boundary, history: opts.history, idleSeconds: opts.idleSeconds, addFlag }));
  sessions.push(...untrustedSessions(snap, classes, children, sessions, boundary));

  // hidepid hides every SSH daemon: the caller's own sessions, rebuilt from their own processes
  sessions.push(...buildHiddenSessions(snap, { idleSeconds: opts.idleSeconds, addFlag, formatSeconds }));

  const self = findSelf(snap, sessions, opts.selfPid);
  const own = new Set(self.candidates);
  for (const s of sessions) {
    if (own.has(s.pid)) addFlag(s, 'own', self.via === 'tmux' ? 'attached to the tmux server sshtop runs in' : 'sshtop runs inside this session');
  }
  sessions.sort((a, b) => a.startedAt - b.startedAt || a.pid - b.pid);
  return { takenAt: snap.takenAt, btime: snap.btime, listeners, sessions, self, notices: snap.notices };
}

/**
 * Each SSH session's login identity. One a listener carries, or that two connections share, is
 * not a login of theirs: it was inherited from whoever started the daemon (UsePAM no), so it is
 * dropped rather than tie unrelated processes to a session.
 */
function assignLogins(sessions: Session[], listeners: readonly Listener[], snap: ProcSnapshot): void {
  const listenerKeys = new Set(listeners.map((l) => loginKey(snap.procs.get(l.pid)?.login)));
  for (const s of sessions) s.loginId = sessionLogin(s, snap);
  const uses = new Map<string, number>();
  for (const s of sessions) {
    const k = loginKey(s.loginId);
    if (k !== null) uses.set(k, (uses.get(k) ?? 0) + 1);
  }
  for (const s of sessions) {
    const k = loginKey(s.loginId);
    if (k !== null && (listenerKeys.has(k) || (uses.get(k) ?? 0) > 1)) s.loginId = null;
  }
}

function addFlag(s: Session, flag: Flag, reason: string): void {
  if (!s.flags.includes(flag)) s.flags.push(flag);
  s.reasons[flag] = reason;
  s.flags.sort((a, b) => FLAG_ORDER.indexOf(a) - FLAG_ORDER.indexOf(b));
}

function buildSession(
  root: ProcEntry,
  snap: ProcSnapshot,
  classes: Map<number, Classified>,
  children: Map<number, number[]>,
  underListener: boolean,
  opts: BuildOptions,
  boundary: ReadonlySet<number>,
): Session {
  const procs = processTree(root.pid, snap, { classes, children, boundary });

  const rootClass = classes.get(root.pid) as Classified;
  const dropbear = rootClass.daemon === 'dropbear';
  const daemonProcs = procs.filter((p) => p.role !== 'process');
  const userChild = daemonProcs.find((p) => p.depth > 0 && classes.get(p.pid)?.role === 'user');
  const carrier = userChild ?? (procs[0]?.role === 'connection' ? procs[0] : undefined);
  const carrierClass = carrier ? (classes.get(carrier.pid) as Classified) : undefined;
  const shells = procs.filter((p) => p.role === 'process');
  // Authenticated: a user child, an internal-sftp process, or a single process carrying a user
  // title (<= 9.7 root login). Before that, even a monitor titled `alice [priv]` is pre-auth
  // while its privsep child (`alice [net]`, sshd-auth) still runs: the password prompt is up.
  // Dropbear leaves no trace of authentication in /proc, so it is never called pre-auth.
  const authenticated = procs.some((p) => p.role === 'user' || p.role === 'sftp' || (p.role === 'connection' && !dropbear));
  const preauth =
    !dropbear &&
    !authenticated &&
    (daemonProcs.some((p) => p.role === 'preauth' || p.role === 'pam') || daemonProcs.every((p) => p.role === 'preauth' || p.role === 'pam'));

  // user: the title (pre-auth: the name the client asked for), else the uid of the user child;
  // Dropbear's connection process stays root: the uid of what it runs, or its own when not root
  let user: string | null = rootClass.user ?? carrierClass?.user ?? null;
  if (dropbear) user = shells.find((p) => p.depth === 1)?.user ?? (root.uid !== null && root.uid !== 0 ? (procs[0]?.user ?? null) : null);
  else if (user === null && !preauth) user = (carrier ?? shells[0])?.user ?? null;

  // ttys: from the title, cross-checked with (completed by) the ttys the shells run on
  const ttys: string[] = [...(carrierClass?.ttys ?? [])];
  for (const s of shells) if (s.tty && !ttys.includes(s.tty) && s.tty.startsWith('pts/')) ttys.push(s.tty);

  const { remote, local, inode, via } = findEndpoints(root, carrier, procs, snap);
  // what /proc hides from an ordinary user, utmp/wtmp may say: only ever added, never preferred
  const logins = loginRecordsOf(procs, snap);
  const login = logins[0] ?? null;
  const ttysFrom: SessionSources['ttys'] = ttys.length > 0 ? 'proc' : logins.length > 0 ? (login as LoginRecord).source : null;
  if (ttys.length === 0) for (const r of logins) if (/^pts\/\d+$|^tty\w+$/.test(r.line) && !ttys.includes(r.line)) ttys.push(r.line);
  const loginHost = login ? (login.address ?? (login.host === '' ? null : login.host)) : null;
  const sources: SessionSources = {
    remote: via,
    remoteHost: remote ? via : loginHost !== null ? (login as LoginRecord).source : null,
    ttys: ttys.length > 0 ? ttysFrom : null,
  };
  const startedAt = ticksToMs(snap, root.startTicks);

  const idleSeconds = ttyIdleSeconds(ttys, snap);
  const idleSource: Session['idleSource'] = idleSeconds === null ? null : 'tty';

  const session: Session = {
    pid: root.pid,
    startTicks: root.startTicks,
    listenerPid: underListener ? root.ppid : null,
    user,
    ttys,
    remote,
    local,
    startedAt,
    idleSeconds,
    idleSource,
    flags: [],
    reasons: {},
    command: currentCommand(procs, ttys, snap),
    cpuSeconds: cpuSecondsOf(procs, snap),
    processes: procs,
    daemon: rootClass.daemon,
    socketInode: inode,
    net: null,
    idleSources: { tty: idleSource === 'tty' ? idleSeconds : null, traffic: null },
    timeouts: [],
    remoteHost: remote ? remote.address : loginHost,
    login,
    sources,
  };

  if (preauth) addFlag(session, 'preauth', 'connected but not authenticated yet');
  if (!underListener) {
    const activatedBy = socketActivation(root, inode, snap);
    if (activatedBy) addFlag(session, 'socket-activated', `started per connection by socket activation (${activatedBy}); there is no listener`);
    else addFlag(session, 'orphan', `its listener is gone (parent is pid ${root.ppid}): the daemon was restarted or stopped`);
  }
  if (!preauth) {
    const subsystems = procs.filter((p) => p.role === 'sftp' || p.comm === 'sftp-server' || /(^|\/)sftp-server(\s|$)/.test(p.command));
    if (subsystems.length > 0) addFlag(session, 'sftp', 'runs an sftp subsystem');
    if (carrierClass?.forwardOnly && shells.length === 0)
      addFlag(session, 'forward-only', 'no shell or command: the connection only forwards ports (ssh -N)');
    // a Dropbear connection that runs nothing may be a forward or not logged in: no claim
    if (carrierClass?.notty || (carrier && ttys.length === 0 && !carrierClass?.forwardOnly && (!dropbear || shells.length > 0)))
      addFlag(session, 'notty', 'no terminal: a remote command, sftp or scp');
    const channels = userChild ? (children.get(userChild.pid) ?? []).length : 0;
    if (ttys.length > 1 || channels > 1)
      addFlag(session, 'multiplexed', `one connection carries ${Math.max(ttys.length, channels)} sessions (ControlMaster)`);
    if (idleSeconds !== null && idleSeconds >= opts.idleSeconds)
      addFlag(session, 'idle', `no terminal input or output for ${formatSeconds(idleSeconds)} (threshold ${formatSeconds(opts.idleSeconds)})`);
  }
  applyStaleness(session, snap, opts, addFlag);
  return session;
}

/**
 * Why a connection without a listener parent is socket-activated rather than orphaned, or
 * undefined. `sshd -i` (inetd, systemd Accept=yes) keeps the connection on two descriptors, its
 * dup'ed stdin and stdout; a connection forked by a listener holds it once, and still does after
 * the listener is gone. Seen on OpenSSH 9.2 and 10.x under openbsd-inetd. The parent and the
 * cgroup are checked too: the reader may not see the descriptors (not root).
 */
function socketActivation(root: ProcEntry, inode: number | null, snap: ProcSnapshot): string | undefined {
  const parent = snap.procs.get(root.ppid);
  if (parent !== undefined && SOCKET_ACTIVATORS.has(parent.comm)) return `child of ${parent.comm}`;
  const unit = /ssh[\w-]*@[^/\n]*\.service/.exec(root.cgroup ?? '')?.[0];
  if (unit) return `systemd unit ${unit}`;
  if (inode !== null && root.sockets) {
    if (root.sockets.filter((i) => i === inode).length >= 2) return 'sshd -i: the connection is its stdin and stdout';
    return undefined;
  }
  // descriptors unreadable: a live parent that is neither init nor an sshd started it per connection
  return root.ppid > 1 && parent === undefined ? `started by pid ${root.ppid}, not by a listener` : undefined;
}

/** the connection socket: the first established TCP socket of the connection process, else of the user child */
function findEndpoints(
  root: ProcEntry,
  carrier: SessionProcess | undefined,
  procs: SessionProcess[],
  snap: ProcSnapshot,
): { remote: Endpoint | null; local: Endpoint | null; inode: number | null; via: 'socket' | 'environ' | null } {
  const holders = [root, carrier ? snap.procs.get(carrier.pid) : undefined];
  for (const h of holders) {
    for (const inode of h?.sockets ?? []) {
      const s = snap.sockets.get(inode);
      if (s && s.state === TCP_ESTABLISHED) return { remote: s.remote, local: s.local, inode, via: 'socket' };
    }
  }
  for (const p of procs) {
    const v = snap.sshConnection.get(p.pid);
    const parsed = v === undefined ? undefined : parseSshConnection(v);
    if (parsed) return { ...parsed, inode: null, via: 'environ' };
  }
  return { remote: null, local: null, inode: null, via: null };
}

/** a login record is written after its sshd started; one older than the process is a reused pid's */
const LOGIN_CLOCK_SLACK_MS = 2000;

/**
 * The open login records (utmp first, then wtmp) written by one of this connection's SSH daemon
 * processes (OpenSSH 9.2 records its monitor, the session pid): a record whose pid is no daemon of the
 * session, or that predates the process bearing its pid, is not this session's.
 */
export function loginRecordsOf(procs: readonly SessionProcess[], snap: Pick<ProcSnapshot, 'loginRecords'>): LoginRecord[] {
  const records = snap.loginRecords;
  if (!records || records.length === 0) return [];
  const byPid = recordsByPid(records);
  const daemons = new Map(procs.filter((p) => p.role !== 'process').map((p) => [p.pid, p]));
  const kept: number[] = [];
  for (const [pid, p] of daemons) for (const i of byPid.get(pid) ?? []) if ((records[i] as LoginRecord).at >= p.startedAt - LOGIN_CLOCK_SLACK_MS) kept.push(i);
  // in the snapshot's order: utmp first, then wtmp
  return kept.sort((a, b) => a - b).map((i) => records[i] as LoginRecord);
}

/** each snapshot's login records, their indexes by pid: built once, not once per session */
const recordIndexes = new WeakMap<readonly LoginRecord[], Map<number, number[]>>();

function recordsByPid(records: readonly LoginRecord[]): Map<number, number[]> {
  let index = recordIndexes.get(records);
  if (index) return index;
  index = new Map();
  for (let i = 0; i < records.length; i++) {
    const pid = (records[i] as LoginRecord).pid;
    const list = index.get(pid);
    if (list) list.push(i);
    else index.set(pid, [i]);
  }
  recordIndexes.set(records, index);
  return index;
}
