// The /proc reader: the only code that reads /proc and /dev. Synchronous reads of small
// pseudo-files are the fastest way to do this in Node; a tick touches only sshd-family processes
// and their descendants beyond the one stat read per pid. This file orchestrates one read; which
// pids to read is scan-plan.ts, each process process-cache.ts, the TCP tables sockets.ts and the
// machine's facts host.ts.
import { HeldFiles } from './held-files.js';
import { HiddenParents } from './hidden-parents.js';
import { HostFacts, pageSize, procHidesOthers } from './host.js';
import { LooseRoots } from './loose-roots.js';
import { LoginRecordReader, SYSTEM_UTMP, SYSTEM_WTMP, type LoginRecordPaths } from './login-records.js';
import { MultiplexerClients } from './multiplexer.js';
import type { StatFields } from './parse.js';
import { commIsAmbiguous, familyOf } from './parse-ssh-title.js';
import { ProcessCache } from './process-cache.js';
import { ProcFiles } from './proc-files.js';
import { ancestorsOf, ScanPlan, type ScanKind } from './scan-plan.js';
import { TcpTables, udpPortsOf } from './sockets.js';
import type { ProcEntry, ProcSnapshot } from './types.js';

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

/** what a read tells its caller while it is under way */
export interface ReadHooks {
  /**
   * An SSH daemon process at the top of its tree (a listener, or a connection without one), read
   * in depth as soon as a full scan finds it: the collector starts that listener's `sshd -T` at
   * once, to run beside the rest of the scan
   */
  daemonRoot?: (p: ProcEntry) => void;
}

const HIDDEN = "other users' processes are hidden from this user (/proc is mounted with hidepid); run as root to see every session";
const HIDDEN_OWN =
  "/proc is mounted with hidepid: every SSH daemon and other users' processes are hidden from this user, your own sessions are shown partial; run as root to see every session";

export class ProcReader {
  readonly procRoot: string;
  readonly devRoot: string;
  readonly passwdPath: string;
  private readonly opts: ReaderOptions;
  private readonly files: ProcFiles;
  private readonly held: HeldFiles;
  private readonly plan: ScanPlan;
  private readonly cache: ProcessCache;
  private readonly tcp: TcpTables;
  private readonly host: HostFacts;
  /** whether hidepid on the proc mount hides other users' processes (checked once) */
  private hidden: boolean | undefined;
  private readonly hiddenParents: HiddenParents;
  private readonly logins: LoginRecordReader | undefined;
  private readonly loose: LooseRoots;
  private readonly multiplexer: MultiplexerClients;

  constructor(opts: ReaderOptions = {}) {
    this.opts = opts;
    this.procRoot = opts.procRoot ?? '/proc';
    this.devRoot = opts.devRoot ?? '/dev';
    this.passwdPath = opts.passwdPath ?? '/etc/passwd';
    this.held = new HeldFiles(this.procRoot);
    this.files = new ProcFiles(this.procRoot, this.held);
    this.plan = new ScanPlan(this.files, { selfPid: opts.selfPid, newPidScanMs: opts.newPidScanMs, fullScanMs: opts.fullScanMs });
    this.cache = new ProcessCache(this.files, opts.netRefreshMs, pageSize());
    this.tcp = new TcpTables(this.files, opts.netRefreshMs);
    this.host = new HostFacts(this.files, this.devRoot, this.passwdPath);
    this.hiddenParents = new HiddenParents(this.procRoot);
    this.loose = new LooseRoots(this.files, this.plan);
    this.multiplexer = new MultiplexerClients(this.procRoot);
    const paths = opts.loginRecords ?? (opts.procRoot === undefined ? { utmp: SYSTEM_UTMP, wtmp: SYSTEM_WTMP } : false);
    this.logins = paths === false ? undefined : new LoginRecordReader(paths);
  }

  /** how the last read found its processes (the scan strategy's choice; read-only) */
  get lastScan(): ScanKind {
    return this.plan.lastScan;
  }

  /** close every held descriptor (the reader stays usable) */
  close(): void {
    this.held.closeAll();
  }

  /** Read one snapshot. */
  read(hooks: ReadHooks = {}): ProcSnapshot {
    const takenAt = Date.now();
    this.files.notices = new Set();
    this.hidden ??= procHidesOthers(this.procRoot);
    const btime = this.host.bootTime(takenAt);
    const onRoot = hooks.daemonRoot;
    const stats = this.plan.collect(
      takenAt,
      onRoot &&
        ((pid, stat) => {
          // read as the loop below reads it: the cache keeps its uid, binary and sockets for that
          // loop (a listener's title, which changes with its startups count, is read there again)
          const entry = this.cache.readEntry({ pid, stat, family: true, argv: undefined, cgroup: true, now: takenAt, children: '' });
          if (entry) onRoot(entry);
        }),
    );
    // hidepid hides every sshd, the caller's own too: the tops of their own channels stand in
    const hiddenTops = this.hidden ? this.hiddenParents.read(stats) : undefined;
    if (hiddenTops) this.files.note(hiddenTops.tops.size > 0 ? HIDDEN_OWN : HIDDEN);
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
        const argv = this.files.readArgv(pid);
        argvCache.set(pid, argv);
        if (familyOf(st.comm, argv) !== undefined) family.add(pid);
      }
    }
    this.plan.remember(family, stats);

    // everything below an sshd-family process, plus the caller's ancestors
    const wanted = new Set<number>();
    const stack = [...family];
    while (stack.length > 0) {
      const pid = stack.pop() as number;
      if (wanted.has(pid)) continue;
      wanted.add(pid);
      for (const c of children.get(pid) ?? []) stack.push(c);
    }
    // what logins left outside the trees (and mosh-servers), and everything below them
    const inTrees = new Set([...wanted].filter((pid) => !family.has(pid)));
    const isFamily = (pid: number) => family.has(pid) || familyOf(stats.get(pid)?.comm ?? '', []) !== undefined;
    const loose = this.loose.find(stats, inTrees, isFamily, this.plan.lastScan);
    for (const pid of loose.members) wanted.add(pid);
    for (const [p] of ancestorsOf(this.opts.selfPid, (p) => stats.get(p))) wanted.add(p);
    for (const pid of hiddenTops?.pids ?? []) wanted.add(pid);

    const procs = new Map<number, ProcEntry>();
    for (const pid of wanted) {
      const stat = stats.get(pid) as StatFields;
      const isFamily = family.has(pid);
      const entry = this.cache.readEntry({
        pid,
        stat,
        family: isFamily,
        argv: argvCache.get(pid),
        // the root of a family tree: socket activation shows in its cgroup
        cgroup: isFamily && !family.has(stat.ppid),
        now: takenAt,
        children: isFamily ? (children.get(pid)?.join(',') ?? '') : '',
      });
      if (entry) procs.set(pid, entry);
    }

    this.held.sweep(wanted);
    this.cache.keepOnly(procs);
    const sockets = this.tcp.read(procs, takenAt);
    this.cache.markConnected(procs, sockets);
    const sshConnection = this.host.sshConnections(procs, family);
    for (const t of hiddenTops?.tops.values() ?? []) sshConnection.set(t.pid, t.sshConnection);
    for (const [pid, v] of loose.sshConnection) sshConnection.set(pid, v);
    for (const p of procs.values()) if (p.comm === 'mosh-server' && p.sockets && p.sockets.length > 0) p.udpPorts = udpPortsOf(this.files, p.pid, p.sockets);

    return {
      takenAt,
      btime,
      bootId: this.host.bootId(),
      clkTck: this.opts.clkTck ?? 100,
      procs,
      sockets,
      ttyAtimes: this.host.ttyAtimes(),
      users: this.host.users(),
      sshConnection,
      source: 'proc',
      missing: [],
      notices: [...this.files.notices],
      // the ancestors' stat is in this read already (scan-plan reads them every tick)
      tmuxClientTtys: this.multiplexer.read(this.opts.selfPid, this.opts.tmux, (p) => stats.get(p) ?? this.files.readStat(p, false), takenAt),
      ...(hiddenTops && hiddenTops.tops.size > 0 ? { hiddenSessionTops: hiddenTops.tops } : {}),
      ...(loose.roots.length > 0 ? { looseRoots: loose.roots.filter((pid) => procs.has(pid)) } : {}),
      ...(this.logins ? { loginRecords: this.logins.read(new Set(procs.keys())) } : {}),
    };
  }
}
