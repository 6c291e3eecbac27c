// The /proc reader: the only code that reads /proc and /dev. Synchronous reads of small
// pseudo-files are the fastest way to do this in Node; a tick touches only sshd-family processes
// and their descendants beyond the one stat read per pid.
import { readFileSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ExeFacts, ProcEntry, ProcSnapshot, TcpSocket } from './types.js';
import {
  environValue,
  parseBtime,
  parseCmdline,
  parsePasswd,
  parseNetTcp,
  parseSocketLink,
  parseStat,
  parseStatusUid,
  parseUptime,
  ttyName,
  type StatFields,
} from './parse.js';
import { readBlocked } from './blocked.js';
import { HeldFiles } from './held-files.js';
import { LoginRecordReader, SYSTEM_UTMP, SYSTEM_WTMP, type LoginRecordPaths } from './login-records.js';
import { HiddenParents } from './hidden-parents.js';
import { multiplexerClientTtys } from './multiplexer.js';
import { commIsAmbiguous, familyOf } from './parse-ssh-title.js';

export interface ReaderOptions {
  procRoot?: string;
  devRoot?: string;
  passwdPath?: string;
  /** the caller's $TMUX: a hint besides its ancestors, to find the multiplexer's attached clients */
  tmux?: string | undefined;
  /** the caller's pid: its ancestors are always read (own-session walk) */
  selfPid?: number;
  /** clock ticks per second; Linux USER_HZ is 100 on every architecture Node runs on */
  clkTck?: number;
  /** how often socket inodes and the TCP tables are re-read (ms; new sockets are read at once) */
  netRefreshMs?: number;
  /** between these, ticks walk only the known sshd subtrees (ms) */
  newPidScanMs?: number;
  fullScanMs?: number;
  /**
   * utmp and wtmp files to match open logins from; default: the system's for the live /proc, none
   * for a captured tree (its pids are not the live ones); false: none
   */
  loginRecords?: LoginRecordPaths | false;
}

type ErrCode = 'gone' | 'denied' | 'other';

/** pids re-probed below the last seen ns_last_pid (allocated, not yet visible at that look) */
const LOOK_BACK_PIDS = 8;
/** above this many new pids, listing /proc is cheaper than probing each */
const MAX_PROBED_PIDS = 4096;
/** inodes in neither TCP table are looked for again every this many net refreshes */
const NON_TCP_RECHECK = 10;
/** how long a process outside the known trees is watched for exec'ing an SSH daemon (ms) */
const YOUNG_MS = 10_000;

/** exit_signal (field 38) of /proc/PID/stat: -1 for a thread that is not its process's leader */
function exitSignal(stat: string): number | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  const n = Number(stat.slice(close + 2).split(' ', 36)[35]);
  return Number.isInteger(n) ? n : undefined;
}

/**
 * How often the TCP tables are re-read for the connections' state (queues, timers: a dead peer).
 * The kernel formats every TCP socket of the namespace for each read (~4.5 ms here with 200), so
 * the cost follows the machine's connections, not its sessions; a new socket is looked up at once.
 */
const NET_REFRESH_MS = 10_000;

/** a settled SSH title is read again at least this often (ms) */
const TITLE_RECHECK_MS = 10_000;

/**
 * Whether an SSH daemon's title changes only together with its children: a logged-in user's
 * (`alice@pts/3`, `alice@notty`, `alice`, `alice [priv]`) changes when a channel opens or closes,
 * and that forks or reaps a child; Dropbear never retitles. A listener's startups count and the
 * pre-auth forms (`[net]`, `unknown [priv]`, sshd-auth) change without that: they are read every
 * tick.
 */
function settledTitle(comm: string, argv: readonly string[]): boolean {
  if (comm === 'dropbear') return true;
  const m = /^(?:sshd|sshd-session): ([^\s@[\]]+)(?:@\S+| \[priv\])?$/.exec(argv.length === 1 ? (argv[0] as string) : '');
  return m !== null && m[1] !== 'unknown';
}

const DENIED = 'some processes are not visible to this user (permission denied); run as root to see every session fully';
const HIDDEN = "other users' processes are hidden from this user (/proc is mounted with hidepid); run as root to see every session";
const HIDDEN_OWN =
  "/proc is mounted with hidepid: every SSH daemon and other users' processes are hidden from this user, your own sessions are shown partial; run as root to see every session";

function errCode(e: unknown): ErrCode {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ESRCH' || code === 'ENOTDIR') return 'gone';
  if (code === 'EACCES' || code === 'EPERM') return 'denied';
  return 'other';
}

/** what does not change for one process (pid + starttime), or changes rarely enough to refresh slowly */
interface Cached {
  startTicks: number;
  uid: number | null;
  /** argv of a non-sshd process, valid while its comm is unchanged (exec changes both) */
  argv?: { comm: string; argv: string[] };
  /** an SSH daemon's title, with its children and the time it was read (see settledTitle) */
  title?: { argv: string[]; children: string; at: number };
  /** tcp: one of the inodes is in a TCP table (the connection): the list is not read again */
  sockets?: { at: number; inodes: number[] | null; tcp?: boolean };
  netns?: string | null;
  cgroup?: string | null;
  /** an SSH-daemon-named process's binary, valid while its comm is unchanged (exec changes both) */
  exe?: { comm: string; facts: ExeFacts | null | undefined };
  /** status was not readable (another user's process): uid stays unknown */
  denied?: boolean;
}

interface NetCache {
  at: number;
  sockets: Map<number, TcpSocket>;
  /** inodes seen in fd dirs that are in neither table (unix sockets) */
  nonTcp: Set<number>;
  /** when the nonTcp inodes were last looked for in both tables */
  nonTcpAt: number;
  /** the process the tables were read through; kept while it lives, so one pair of held descriptors serves */
  via: number;
}

export class ProcReader {
  readonly procRoot: string;
  readonly devRoot: string;
  readonly passwdPath: string;
  private readonly opts: ReaderOptions;
  private readonly identity = new Map<number, Cached>();
  private btime: number | undefined;
  private passwd: { mtimeMs: number; users: Map<number, string> } | undefined;
  private notices = new Set<string>();
  /** whether hidepid on the proc mount hides other users' processes (checked once) */
  private hidden: boolean | undefined;
  /** whether the last readText failed with EACCES */
  private lastDenied = false;
  /** roots of the sshd subtrees (listeners, orphaned and socket-activated connections) → startTicks */
  private roots = new Map<number, number>();
  /** pids present at the last scan of the /proc directory */
  private knownPids = new Set<number>();
  private lastFullScan = 0;
  /** ns_last_pid at the last look for new processes */
  private lastPid: number | undefined;
  /** whether procRoot is this process's own /proc (so ns_last_pid describes it) */
  private ownProc: boolean | undefined;
  /** processes outside the known trees, born recently: they may still exec an SSH daemon */
  private young = new Map<number, { startTicks: number; until: number }>();
  /** family processes of the last read → startTicks, to notice one leaving the known trees */
  private lastFamily = new Map<number, number>();
  private lastPidScan = 0;
  private childrenFiles: boolean | undefined;
  /** how the last read found its processes, for the benchmark and tests */
  lastScan: 'full' | 'new-pids' | 'walk' = 'full';
  private readonly held: HeldFiles;
  private netCache = new Map<string, NetCache>();
  private readonly hiddenParents: HiddenParents;
  private readonly logins: LoginRecordReader | undefined;

  constructor(opts: ReaderOptions = {}) {
    this.opts = opts;
    this.procRoot = opts.procRoot ?? '/proc';
    this.devRoot = opts.devRoot ?? '/dev';
    this.passwdPath = opts.passwdPath ?? '/etc/passwd';
    this.held = new HeldFiles(this.procRoot);
    this.hiddenParents = new HiddenParents(this.procRoot);
    const paths = opts.loginRecords ?? (opts.procRoot === undefined ? { utmp: SYSTEM_UTMP, wtmp: SYSTEM_WTMP } : false);
    this.logins = paths === false ? undefined : new LoginRecordReader(paths);
  }

  /** close every held descriptor (the reader stays usable) */
  close(): void {
    this.held.closeAll();
  }

  private note(msg: string): void {
    this.notices.add(msg);
  }

  private readText(path: string): string | undefined {
    this.lastDenied = false;
    try {
      return readFileSync(path, 'latin1');
    } catch (e) {
      this.lastDenied = errCode(e) === 'denied';
      if (this.lastDenied) this.note(DENIED);
      return undefined;
    }
  }

  /** Read one snapshot. */
  read(): ProcSnapshot {
    const takenAt = Date.now();
    this.notices = new Set();
    this.hidden ??= procHidesOthers(this.procRoot);
    const btime = this.bootTime(takenAt);
    const stats = this.collectStats(takenAt);
    // hidepid hides every sshd, the caller's own too: the tops of their own channels stand in
    const hiddenTops = this.hidden ? this.hiddenParents.read(stats) : undefined;
    if (hiddenTops) this.note(hiddenTops.tops.size > 0 ? HIDDEN_OWN : HIDDEN);
    const children = new Map<number, number[]>();
    for (const [pid, st] of stats) {
      const list = children.get(st.ppid);
      if (list) list.push(pid);
      else children.set(st.ppid, [pid]);
    }

    // sshd-family processes: comm names the binary; Dropbear re-exec may leave a bare number
    const family = new Set<number>();
    const argvCache = new Map<number, string[]>();
    for (const [pid, st] of stats) {
      if (familyOf(st.comm, []) !== undefined) family.add(pid);
      else if (commIsAmbiguous(st.comm)) {
        const argv = this.readArgv(pid);
        argvCache.set(pid, argv);
        if (familyOf(st.comm, argv) !== undefined) family.add(pid);
      }
    }

    if (this.lastScan !== 'walk') {
      this.roots = new Map([...family].filter((pid) => !family.has((stats.get(pid) as StatFields).ppid)).map((pid) => [pid, (stats.get(pid) as StatFields).startTicks]));
    }
    this.lastFamily = new Map([...family].map((pid) => [pid, (stats.get(pid) as StatFields).startTicks]));

    // everything below an sshd-family process, plus the caller's ancestors
    const wanted = new Set<number>();
    const stack = [...family];
    while (stack.length > 0) {
      const pid = stack.pop() as number;
      if (wanted.has(pid)) continue;
      wanted.add(pid);
      for (const c of children.get(pid) ?? []) stack.push(c);
    }
    const selfPid = this.opts.selfPid;
    for (let p = selfPid, guard = 0; p !== undefined && p > 0 && guard < 4096; guard++) {
      const st = stats.get(p);
      if (!st) break;
      wanted.add(p);
      p = st.ppid;
    }
    for (const pid of hiddenTops?.pids ?? []) wanted.add(pid);

    const procs = new Map<number, ProcEntry>();
    for (const pid of wanted) {
      const st = stats.get(pid) as StatFields;
      const rootOfFamily = family.has(pid) && !family.has(st.ppid);
      const kids = family.has(pid) ? (children.get(pid)?.join(',') ?? '') : '';
      const entry = this.readEntry(pid, st, family.has(pid), argvCache.get(pid), rootOfFamily, takenAt, kids);
      if (entry) procs.set(pid, entry);
    }

    this.held.sweep(wanted);
    // what is not read any more is forgotten (a full scan is rare now)
    for (const pid of this.identity.keys()) if (!procs.has(pid)) this.identity.delete(pid);
    const sockets = this.readSockets(procs, takenAt);
    for (const p of procs.values()) {
      const held = this.identity.get(p.pid)?.sockets;
      if (held && !held.tcp && p.sockets?.some((i) => sockets.has(i))) held.tcp = true;
    }
    const sshConnection = this.readSshConnections(procs, family);
    for (const t of hiddenTops?.tops.values() ?? []) sshConnection.set(t.pid, t.sshConnection);

    return {
      takenAt,
      btime,
      clkTck: this.opts.clkTck ?? 100,
      procs,
      sockets,
      ttyAtimes: this.readTtyAtimes(),
      users: this.readUsers(),
      sshConnection,
      source: 'proc',
      missing: [],
      notices: [...this.notices],
      tmuxClientTtys: multiplexerClientTtys(this.procRoot, this.opts.selfPid, this.opts.tmux),
      ...(hiddenTops && hiddenTops.tops.size > 0 ? { hiddenSessionTops: hiddenTops.tops } : {}),
      ...(this.logins ? { loginRecords: this.logins.read(new Set(procs.keys())) } : {}),
    };
  }

  /**
   * Boot time in seconds since the epoch, as of this read: now − /proc/uptime. /proc/stat's btime
   * is cut to a whole second (every age was too high by the fraction of the second the machine
   * booted in) and, read once, went stale when the wall clock was stepped (NTP). Trees captured
   * without an uptime file keep their btime.
   */
  private bootTime(takenAt: number): number {
    const up = parseUptime(this.readText(join(this.procRoot, 'uptime')) ?? '');
    return up === undefined ? this.readBtime() : takenAt / 1000 - up;
  }

  private readBtime(): number {
    if (this.btime === undefined) {
      const text = this.readText(join(this.procRoot, 'stat'));
      this.btime = text === undefined ? undefined : parseBtime(text);
    }
    return this.btime ?? 0;
  }

  /**
   * Most ticks walk only the sshd subtrees, from the known roots through
   * /proc/PID/task/TID/children, so their cost follows the number of session processes, not the
   * machine's. Every newPidScanMs only the pids allocated since the last look are read (from
   * ns_last_pid: a new listener, a socket-activated connection). A full scan (the comm of every
   * pid) runs when a root vanished or changed, when a family process left the known trees or
   * appeared under an unknown one, and every fullScanMs as a safety net.
   */
  private collectStats(now: number): Map<number, StatFields> {
    const fullEvery = this.opts.fullScanMs ?? 300_000;
    const newEvery = this.opts.newPidScanMs ?? 2_000;
    let walked = this.childrenFiles === true && now - this.lastFullScan < fullEvery ? this.walk() : undefined;
    if (walked !== undefined && this.leftTrees(walked)) walked = undefined;
    if (walked !== undefined && now - this.lastPidScan >= newEvery) {
      this.lastPidScan = now;
      this.lastScan = 'new-pids';
      const fresh = this.readNewStats(walked, now);
      if (fresh === undefined) walked = undefined;
      else for (const [pid, st] of fresh) if (!walked.has(pid)) walked.set(pid, st);
    } else this.lastScan = 'walk';
    if (walked === undefined) {
      this.lastScan = 'full';
      this.lastFullScan = this.lastPidScan = now;
      return this.fullScan();
    }
    return walked;
  }

  /** stat as latin1 (lossless bytes, twice as fast to decode); comm is decoded as UTF-8 later */
  private readStat(pid: number, hold = true): StatFields | undefined {
    try {
      return parseStat(hold ? this.held.read(pid, 'stat', 'latin1') : this.held.readOnce(pid, 'stat', 'latin1'));
    } catch (e) {
      if (errCode(e) === 'denied') this.note('some processes are not visible to this user (permission denied); run as root to see every session fully');
      return undefined;
    }
  }

  /** children of every thread of pid; undefined when the kernel has no children files */
  private readChildren(pid: number, threads: number): number[] | undefined {
    const taskDir = join(this.procRoot, String(pid), 'task');
    let tids: string[] = [String(pid)];
    if (threads > 1) {
      try {
        tids = readdirSync(taskDir);
      } catch {
        return [];
      }
    }
    const out: number[] = [];
    for (const tid of tids) {
      let text: string;
      try {
        text = this.held.read(pid, `task/${tid}/children`, 'latin1');
      } catch {
        // the thread or process ended meanwhile
        continue;
      }
      for (const c of text.split(' ')) if (c !== '' && c !== '\n') out.push(Number(c));
    }
    return out.filter((n) => Number.isInteger(n) && n > 0);
  }

  /**
   * stats of the known sshd subtrees and the caller's ancestors; undefined → a full scan is needed.
   * A root that ended is dropped: SSH processes it leaves behind are noticed by leftTrees, and a
   * process that reuses its pid is new, so the next new-pid scan finds it.
   */
  private walk(): Map<number, StatFields> | undefined {
    if (this.roots.size === 0 && this.lastFullScan === 0) return undefined;
    const stats = new Map<number, StatFields>();
    for (const [pid, startTicks] of this.roots) {
      const st = this.readStat(pid);
      if (!st || st.startTicks !== startTicks) this.roots.delete(pid);
      else stats.set(pid, st);
    }
    return this.walkFrom(stats);
  }

  /** add the subtrees below the processes in `stats`, and the caller's ancestors */
  private walkFrom(stats: Map<number, StatFields>): Map<number, StatFields> {
    const queue = [...stats.keys()];
    while (queue.length > 0) {
      const pid = queue.pop() as number;
      const kids = this.readChildren(pid, (stats.get(pid) as StatFields).threads) ?? [];
      for (const c of kids) {
        if (stats.has(c)) continue;
        const st = this.readStat(c);
        if (!st) continue;
        stats.set(c, st);
        queue.push(c);
      }
    }
    for (let p = this.opts.selfPid, guard = 0; p !== undefined && p > 0 && guard < 4096; guard++) {
      const st = stats.get(p) ?? this.readStat(p);
      if (!st) break;
      stats.set(p, st);
      p = st.ppid;
    }
    return stats;
  }

  /** a family process seen last tick is still alive but no longer below a known root (reparented) */
  private leftTrees(walked: Map<number, StatFields>): boolean {
    for (const [pid, startTicks] of this.lastFamily) {
      if (walked.has(pid)) continue;
      const st = this.readStat(pid, false);
      if (st && st.startTicks === startTicks && st.state !== 'Z') return true;
    }
    return false;
  }

  /** the pid namespace's last allocated pid, when /proc is this process's own (else undefined) */
  private readLastPid(): number | undefined {
    if (this.ownProc === undefined) {
      try {
        this.ownProc = readlinkSync(join(this.procRoot, 'self')) === String(process.pid);
      } catch {
        this.ownProc = false;
      }
    }
    if (!this.ownProc) return undefined;
    const n = Number(this.readText(join(this.procRoot, 'sys', 'kernel', 'ns_last_pid'))?.trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  }

  /**
   * Stats of processes started since the last look, read by pid from the range of pids allocated
   * meanwhile (pids are handed out in increasing order, wrapping at pid_max), so the cost follows
   * the rate of new processes rather than their total. Processes born recently are looked at again
   * for a while: systemd and supervisors fork first and exec sshd a moment later. Falls back to
   * listing /proc when the range is unknown or large. undefined → a full scan is needed (a new
   * family process whose family parent is not known: a listener that was missed).
   */
  private readNewStats(walked: Map<number, StatFields>, now: number): Map<number, StatFields> | undefined {
    const cur = this.readLastPid();
    const prev = this.lastPid;
    this.lastPid = cur;
    let candidates: Iterable<number>;
    if (cur === undefined || prev === undefined) candidates = this.listNewPids();
    else {
      const range: number[] = [];
      // a few pids before the last look too: one may have been allocated but not yet visible
      let from = prev - LOOK_BACK_PIDS + 1;
      const pidMax = cur < prev ? this.readPidMax() : Infinity;
      const span = cur >= prev ? cur - from + 1 : pidMax - from + cur;
      if (span > MAX_PROBED_PIDS) candidates = this.listNewPids();
      else {
        if (cur < prev) {
          for (let p = Math.max(1, from); p < pidMax; p++) range.push(p);
          from = 1;
        }
        for (let p = Math.max(1, from); p <= cur; p++) range.push(p);
        candidates = range;
      }
    }
    const out = new Map<number, StatFields>();
    const probe = (pid: number): StatFields | undefined => {
      if (walked.has(pid) || out.has(pid)) return undefined;
      let text: string;
      try {
        text = this.held.readOnce(pid, 'stat', 'latin1');
      } catch {
        return undefined;
      }
      // /proc/<tid> of a thread is readable too; its exit_signal is -1
      if (exitSignal(text) === -1) return undefined;
      const st = parseStat(text);
      if (st) out.set(pid, st);
      return st;
    };
    for (const pid of candidates) {
      const st = probe(pid);
      if (st && this.young.get(pid)?.startTicks !== st.startTicks) this.young.set(pid, { startTicks: st.startTicks, until: now + YOUNG_MS });
    }
    for (const [pid, y] of this.young) {
      if (now >= y.until) this.young.delete(pid);
      else if (!out.has(pid) && !probe(pid)) this.young.delete(pid);
    }
    // a new family process whose parent is a family process we do not know: a missed listener
    for (const st of out.values()) {
      if (familyOf(st.comm, []) === undefined || walked.has(st.ppid) || out.has(st.ppid)) continue;
      const parent = this.readStat(st.ppid, false);
      if (parent && familyOf(parent.comm, []) !== undefined) return undefined;
    }
    return out;
  }

  private readPidMax(): number {
    const n = Number(this.readText(join(this.procRoot, 'sys', 'kernel', 'pid_max'))?.trim());
    return Number.isInteger(n) && n > 0 ? n : 4_194_304;
  }

  /** pids in /proc not seen at the last listing */
  private listNewPids(): number[] {
    const out: number[] = [];
    const seen = new Set<number>();
    for (const pid of this.listPids()) {
      seen.add(pid);
      if (!this.knownPids.has(pid)) out.push(pid);
    }
    this.knownPids = seen;
    return out;
  }

  private listPids(): number[] {
    let names: string[];
    try {
      names = readdirSync(this.procRoot);
    } catch {
      return [];
    }
    const out: number[] = [];
    for (const name of names) {
      const c = name.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const pid = Number(name);
      if (Number.isInteger(pid)) out.push(pid);
    }
    return out;
  }

  /**
   * Every process. With children files only each comm is read (cheaper than stat), and the
   * family's subtrees are walked from there; without them every stat is read.
   */
  private fullScan(): Map<number, StatFields> {
    // taken before listing: whatever starts during the scan is in the next new-pid range
    this.lastPid = this.readLastPid();
    this.young.clear();
    const pids = this.listPids();
    this.knownPids = new Set(pids);
    const first = pids[0];
    // walking needs /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN); captured trees may lack it
    if (this.childrenFiles === undefined && first !== undefined) {
      this.childrenFiles = this.exists(join(this.procRoot, String(first), 'task', String(first), 'children'));
    }
    if (this.childrenFiles !== true) {
      const stats = new Map<number, StatFields>();
      for (const pid of pids) {
        const st = this.readStat(pid, false);
        if (st) stats.set(pid, st);
      }
      return stats;
    }
    const family = new Map<number, StatFields>();
    for (const pid of pids) {
      let comm: string;
      try {
        comm = this.held.readOnce(pid, 'comm', 'latin1');
        if (comm.endsWith('\n')) comm = comm.slice(0, -1);
      } catch (e) {
        if (errCode(e) !== 'gone' || !this.exists(join(this.procRoot, String(pid)))) continue;
        // a captured tree without comm files: the stat has it
        comm = this.readStat(pid, false)?.comm ?? '';
      }
      if (familyOf(comm, []) === undefined && !(commIsAmbiguous(comm) && familyOf(comm, this.readArgv(pid)) !== undefined)) continue;
      const st = this.readStat(pid);
      if (st) family.set(pid, st);
    }
    return this.walkFrom(family);
  }

  private readArgv(pid: number): string[] {
    try {
      return parseCmdline(this.held.read(pid, 'cmdline', 'utf8'));
    } catch {
      return [];
    }
  }

  private readEntry(
    pid: number,
    st: StatFields,
    isFamily: boolean,
    argv0: string[] | undefined,
    wantCgroup: boolean,
    now: number,
    kids: string,
  ): ProcEntry | undefined {
    const dir = join(this.procRoot, String(pid));
    let cached = this.identity.get(pid);
    if (!cached || cached.startTicks !== st.startTicks) {
      const status = this.readText(join(dir, 'status'));
      if (status === undefined && !this.exists(dir)) return undefined;
      cached = { startTicks: st.startTicks, uid: status === undefined ? null : (parseStatusUid(status) ?? null), denied: this.lastDenied };
      this.identity.set(pid, cached);
    } else if (cached.denied) {
      // the cached uid is not read again: keep saying why it is missing
      this.note(DENIED);
    }
    const comm = Buffer.from(st.comm, 'latin1').toString('utf8');
    // sshd titles change (`unknown [priv]` → `alice [priv]`, new multiplexed ttys): re-read them
    // unless settled (settledTitle); other argv only changes with exec, which also changes comm
    let argv: string[];
    if (argv0 !== undefined) argv = argv0;
    else if (isFamily) {
      const t = cached.title;
      if (t && t.children === kids && now - t.at < TITLE_RECHECK_MS && settledTitle(comm, t.argv)) argv = t.argv;
      else {
        argv = this.readArgv(pid);
        cached.title = { argv, children: kids, at: now };
      }
    } else if (cached.argv && cached.argv.comm === comm) argv = cached.argv.argv;
    else {
      argv = this.readArgv(pid);
      cached.argv = { comm, argv };
    }
    let sockets: number[] | null = [];
    if (isFamily) {
      // what it really runs decides whether it is a daemon at all (model/trust.ts)
      if (cached.exe?.comm !== comm) cached.exe = { comm, facts: this.readExe(dir) };
      // an SSH process holds its connection from birth: once that socket is known, the fd list
      // (a readlink per descriptor) need not be read again
      if (!cached.sockets || (!cached.sockets.tcp && now - cached.sockets.at >= (this.opts.netRefreshMs ?? NET_REFRESH_MS))) {
        cached.sockets = { at: now, inodes: this.readSocketInodes(dir) };
      }
      sockets = cached.sockets.inodes;
      // null: the fd directory was not readable (EACCES), the connection's addresses stay unknown
      if (sockets === null) this.note(DENIED);
      if (cached.netns === undefined && sockets && sockets.length > 0) {
        try {
          cached.netns = readlinkSync(join(dir, 'ns', 'net'));
        } catch {
          cached.netns = null;
        }
      }
    }
    if (wantCgroup && cached.cgroup === undefined) cached.cgroup = this.readText(join(dir, 'cgroup')) ?? null;
    return {
      pid,
      ppid: st.ppid,
      comm,
      argv,
      cmdline: argv.join(' '),
      state: st.state,
      pgrp: st.pgrp,
      sid: st.sid,
      ttyNr: st.ttyNr,
      tty: ttyName(st.ttyNr),
      tpgid: st.tpgid,
      cpuTicks: st.cpuTicks,
      startTicks: st.startTicks,
      uid: cached.uid,
      sockets,
      netns: cached.netns ?? null,
      cgroup: wantCgroup ? (cached.cgroup ?? null) : null,
      exe: isFamily ? cached.exe?.facts : undefined,
      ...(st.state === 'D' ? { blocked: readBlocked(dir) } : {}),
    };
  }

  /**
   * The binary behind /proc/PID/exe, stat'ed through the link (it answers for a binary an upgrade
   * has since replaced); null when not ours to read (another user's process), undefined when there
   * is none (a captured tree, a zombie).
   */
  private readExe(dir: string): ExeFacts | null | undefined {
    const link = join(dir, 'exe');
    try {
      const st = statSync(link);
      return { path: readlinkSync(link).replace(/ \(deleted\)$/, ''), uid: st.uid, mode: st.mode & 0o7777, regular: st.isFile() };
    } catch (e) {
      return errCode(e) === 'denied' ? null : undefined;
    }
  }

  private exists(path: string): boolean {
    try {
      statSync(path);
      return true;
    } catch {
      return false;
    }
  }

  /** socket inodes in /proc/PID/fd; null when the directory is not readable (another user's process) */
  private readSocketInodes(dir: string): number[] | null {
    const fdDir = join(dir, 'fd');
    let fds: string[];
    try {
      fds = readdirSync(fdDir);
    } catch (e) {
      return errCode(e) === 'denied' ? null : [];
    }
    const out: number[] = [];
    for (const fd of fds) {
      try {
        const inode = parseSocketLink(readlinkSync(join(fdDir, fd)));
        if (inode !== undefined) out.push(inode);
      } catch {
        // fd closed between readdir and readlink
      }
    }
    return out;
  }

  /**
   * TCP sockets of the session processes, per network namespace (read through a process living
   * in it). The tables are costly to generate (NET_REFRESH_MS), so they are re-read only every
   * netRefreshMs or when a socket appears that they do not hold yet, and tcp6 only when tcp lacks
   * one.
   */
  private readSockets(procs: Map<number, ProcEntry>, now: number): Map<number, TcpSocket> {
    const byNs = new Map<string, { pid: number; inodes: Set<number> }>();
    for (const p of procs.values()) {
      if (!p.sockets || p.sockets.length === 0) continue;
      const key = p.netns ?? '';
      const group = byNs.get(key) ?? { pid: p.pid, inodes: new Set<number>() };
      if (this.netCache.get(key)?.via === p.pid) group.pid = p.pid;
      for (const i of p.sockets) group.inodes.add(i);
      byNs.set(key, group);
    }
    const out = new Map<number, TcpSocket>();
    const refresh = this.opts.netRefreshMs ?? NET_REFRESH_MS;
    for (const [key, { pid, inodes }] of byNs) {
      let cache = this.netCache.get(key);
      const unknown = (c: NetCache) => [...inodes].some((i) => !c.sockets.has(i) && !c.nonTcp.has(i));
      if (!cache || now - cache.at >= refresh || unknown(cache)) {
        // unix sockets stay out of both tables: looking for them in tcp6 on every refresh would
        // read the costlier table for nothing, so they are looked for again only now and then
        const keep = cache && now - cache.nonTcpAt < refresh * NON_TCP_RECHECK ? cache : undefined;
        const next: NetCache = { at: now, sockets: new Map(), nonTcp: new Set(), nonTcpAt: keep ? keep.nonTcpAt : now, via: pid };
        if (keep) for (const i of keep.nonTcp) if (inodes.has(i)) next.nonTcp.add(i);
        for (const file of ['tcp', 'tcp6']) {
          if (file === 'tcp6' && !unknown(next)) break;
          const text = this.readNetTable(pid, file);
          for (const s of text === undefined ? [] : parseNetTcp(text)) {
            if (!inodes.has(s.inode)) continue;
            next.sockets.set(s.inode, s);
            next.nonTcp.delete(s.inode);
          }
        }
        for (const i of inodes) if (!next.sockets.has(i)) next.nonTcp.add(i);
        cache = next;
        this.netCache.set(key, cache);
      }
      for (const [i, s] of cache.sockets) out.set(i, s);
    }
    for (const k of this.netCache.keys()) if (!byNs.has(k)) this.netCache.delete(k);
    return out;
  }

  /** /proc/<pid>/net/tcp{,6} through a held descriptor (the tables are re-read every few seconds) */
  private readNetTable(pid: number, file: string): string | undefined {
    try {
      return this.held.read(pid, `net/${file}`, 'latin1');
    } catch (e) {
      if (errCode(e) === 'denied') this.note('some processes are not visible to this user (permission denied); run as root to see every session fully');
      return this.readText(join(this.procRoot, 'net', file));
    }
  }

  /** SSH_CONNECTION of shells whose sshd parent's sockets we could not see (non-root) */
  private readSshConnections(procs: Map<number, ProcEntry>, family: Set<number>): Map<number, string> {
    const out = new Map<number, string>();
    for (const p of procs.values()) {
      if (family.has(p.pid) || !family.has(p.ppid)) continue;
      const parent = procs.get(p.ppid);
      if (!parent || parent.sockets !== null) continue;
      let raw: string;
      try {
        raw = readFileSync(join(this.procRoot, String(p.pid), 'environ'), 'latin1');
      } catch {
        continue;
      }
      const v = environValue(raw, 'SSH_CONNECTION');
      if (v !== undefined) out.set(p.pid, v);
    }
    return out;
  }

  private readTtyAtimes(): Map<string, number> {
    const out = new Map<string, number>();
    const ptsDir = join(this.devRoot, 'pts');
    let names: string[];
    try {
      names = readdirSync(ptsDir);
    } catch {
      return out;
    }
    for (const n of names) {
      if (!/^\d+$/.test(n)) continue;
      try {
        out.set(`pts/${n}`, statSync(join(ptsDir, n)).atimeMs);
      } catch {
        // pty closed meanwhile
      }
    }
    return out;
  }

  private readUsers(): Map<number, string> {
    try {
      const mtimeMs = statSync(this.passwdPath).mtimeMs;
      if (!this.passwd || this.passwd.mtimeMs !== mtimeMs) {
        this.passwd = { mtimeMs, users: parsePasswd(readFileSync(this.passwdPath, 'utf8')) };
      }
      return this.passwd.users;
    } catch {
      return this.passwd?.users ?? new Map();
    }
  }
}

/**
 * Whether procRoot is a proc mount whose hidepid option hides other users' processes from us:
 * they are then simply absent from the directory, with no EACCES to notice.
 */
function procHidesOthers(procRoot: string): boolean {
  // root (CAP_SYS_PTRACE) sees through hidepid
  if (process.getuid?.() === 0) return false;
  let mountinfo: string;
  let target: string;
  try {
    mountinfo = readFileSync(join(procRoot, 'self', 'mountinfo'), 'utf8');
    target = realpathSync(procRoot);
  } catch {
    return false;
  }
  let hides = false;
  for (const line of mountinfo.split('\n')) {
    const [mount, fs] = line.split(' - ');
    const point = mount?.split(' ')[4]?.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    const [type, , options = ''] = (fs ?? '').split(' ');
    if (type !== 'proc' || point !== target) continue;
    // the last mount on the path is the one in effect; members of its gid= group see everything
    const opts = options.split(',');
    const hidepid = opts.find((o) => o.startsWith('hidepid='))?.slice(8);
    const gid = Number(opts.find((o) => o.startsWith('gid='))?.slice(4));
    const exempt = Number.isInteger(gid) && (process.getegid?.() === gid || (process.getgroups?.() ?? []).includes(gid));
    hides = !exempt && ['2', 'invisible', '4', 'ptraceable'].includes(hidepid ?? '');
  }
  return hides;
}
