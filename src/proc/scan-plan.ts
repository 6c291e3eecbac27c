// Which processes a tick reads. Most ticks walk only the sshd subtrees, from the known roots
// through /proc/PID/task/TID/children, so their cost follows the number of session processes, not
// the machine's. Every newPidScanMs only the pids allocated since the last look are read (from
// ns_last_pid: a new listener, a socket-activated connection). A full scan (the comm of every pid)
// runs when a root vanished or changed, when a family process left the known trees or appeared
// under an unknown one, and every fullScanMs as a safety net. (Over 300 lines on purpose: the
// three paths share one state — roots, ns_last_pid, young pids — that a split would pass around.)
import { readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { readPidMax } from './host.js';
import { parseExitSignal, parseStat, type StatFields } from './parse.js';
import { commIsAmbiguous, familyOf, mayBeFamilyComm } from './parse-ssh-title.js';
import { errCode, exists, type ProcFiles } from './proc-files.js';

/** how a read found its processes */
export type ScanKind = 'full' | 'new-pids' | 'walk';

export interface ScanOptions {
  /** the caller's pid: its ancestors are always read (own-session walk) */
  selfPid?: number | undefined;
  /** between these, ticks walk only the known sshd subtrees (ms) */
  newPidScanMs?: number | undefined;
  fullScanMs?: number | undefined;
}

/** pids re-probed below the last seen ns_last_pid (allocated, not yet visible at that look) */
const LOOK_BACK_PIDS = 8;
/** above this many new pids, listing /proc is cheaper than probing each */
const MAX_PROBED_PIDS = 4096;
/** how long a process outside the known trees is watched for exec'ing an SSH daemon (ms) */
const YOUNG_MS = 10_000;
const FULL_SCAN_MS = 300_000;
const NEW_PID_SCAN_MS = 2_000;

/** the caller and its ancestors, as far as `statOf` knows them (bounded: a captured tree may loop) */
export function* ancestorsOf(selfPid: number | undefined, statOf: (pid: number) => StatFields | undefined): Generator<[number, StatFields]> {
  for (let p = selfPid, guard = 0; p !== undefined && p > 0 && guard < 4096; guard++) {
    const st = statOf(p);
    if (!st) break;
    yield [p, st];
    p = st.ppid;
  }
}

export class ScanPlan {
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
  private last: ScanKind = 'full';

  constructor(
    private readonly files: ProcFiles,
    private readonly opts: ScanOptions,
  ) {}

  /** how the last collect found its processes */
  get lastScan(): ScanKind {
    return this.last;
  }

  /**
   * stats of the processes this tick reads: the sshd subtrees and the caller's ancestors at least
   * @param onRoot a full scan calls it for each SSH-daemon-named process whose parent it has not
   *   found to be one (the top of a tree, as far as the scan can tell while under way)
   */
  collect(now: number, onRoot?: (pid: number, st: StatFields) => void): Map<number, StatFields> {
    const fullEvery = this.opts.fullScanMs ?? FULL_SCAN_MS;
    const newEvery = this.opts.newPidScanMs ?? NEW_PID_SCAN_MS;
    let walked = this.childrenFiles === true && now - this.lastFullScan < fullEvery ? this.walk() : undefined;
    if (walked !== undefined && this.leftTrees(walked)) walked = undefined;
    if (walked !== undefined && now - this.lastPidScan >= newEvery) {
      this.lastPidScan = now;
      this.last = 'new-pids';
      const fresh = this.readNewStats(walked, now);
      if (fresh === undefined) walked = undefined;
      else for (const [pid, st] of fresh) if (!walked.has(pid)) walked.set(pid, st);
    } else this.last = 'walk';
    if (walked === undefined) {
      this.last = 'full';
      this.lastFullScan = this.lastPidScan = now;
      return this.fullScan(onRoot);
    }
    return walked;
  }

  /** the family found in what collect gave: its roots (after a scan) and members, for the next tick */
  remember(family: ReadonlySet<number>, stats: ReadonlyMap<number, StatFields>): void {
    const startOf = (pid: number) => (stats.get(pid) as StatFields).startTicks;
    if (this.last !== 'walk') {
      this.roots = new Map([...family].filter((pid) => !family.has((stats.get(pid) as StatFields).ppid)).map((pid) => [pid, startOf(pid)]));
    }
    this.lastFamily = new Map([...family].map((pid) => [pid, startOf(pid)]));
  }

  /** children of every thread of pid; undefined when the kernel has no children files */
  private readChildren(pid: number, threads: number): number[] | undefined {
    let tids: string[] = [String(pid)];
    if (threads > 1) {
      try {
        tids = readdirSync(join(this.files.procRoot, String(pid), 'task'));
      } catch {
        return [];
      }
    }
    const out: number[] = [];
    for (const tid of tids) {
      let text: string;
      try {
        text = this.files.held.read(pid, `task/${tid}/children`, 'latin1');
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
      const st = this.files.readStat(pid);
      if (!st || st.startTicks !== startTicks) this.roots.delete(pid);
      else stats.set(pid, st);
    }
    return this.walkFrom(stats);
  }

  /** add the subtrees below the processes in `stats`, and the caller's ancestors */
  private walkFrom(stats: Map<number, StatFields>): Map<number, StatFields> {
    this.descend(stats, [...stats.keys()]);
    for (const [p, st] of ancestorsOf(this.opts.selfPid, (p) => stats.get(p) ?? this.files.readStat(p))) stats.set(p, st);
    return stats;
  }

  /**
   * the pids below `from` (each already in stats), their stats added to `stats` where missing.
   * Without children files (a captured tree), stats already holds every process.
   */
  descend(stats: Map<number, StatFields>, from: readonly number[]): number[] {
    const added: number[] = [];
    if (this.childrenFiles !== true) {
      const children = new Map<number, number[]>();
      for (const [pid, st] of stats) children.set(st.ppid, [...(children.get(st.ppid) ?? []), pid]);
      const seen = new Set(from);
      const queue = [...from];
      while (queue.length > 0) {
        for (const c of children.get(queue.pop() as number) ?? []) {
          if (seen.has(c)) continue;
          seen.add(c);
          added.push(c);
          queue.push(c);
        }
      }
      return added;
    }
    // a child may be in stats already (a new-pid scan read it): it is still below, and so are its own
    const seen = new Set(from);
    const queue = [...from];
    while (queue.length > 0) {
      const pid = queue.pop() as number;
      const kids = this.readChildren(pid, (stats.get(pid) as StatFields).threads) ?? [];
      for (const c of kids) {
        if (seen.has(c)) continue;
        const st = stats.get(c) ?? this.files.readStat(c);
        if (!st) continue;
        seen.add(c);
        stats.set(c, st);
        added.push(c);
        queue.push(c);
      }
    }
    return added;
  }

  /** the children of pid (all its threads'); [] when unknown */
  childrenOf(pid: number, threads: number): number[] {
    return this.childrenFiles === true ? (this.readChildren(pid, threads) ?? []) : [];
  }

  /** whether walks use the kernel's children files (else every tick reads every stat) */
  get walks(): boolean {
    return this.childrenFiles === true;
  }

  /** a family process seen last tick is still alive but no longer below a known root (reparented) */
  private leftTrees(walked: Map<number, StatFields>): boolean {
    for (const [pid, startTicks] of this.lastFamily) {
      if (walked.has(pid)) continue;
      const st = this.files.readStat(pid, false);
      if (st && st.startTicks === startTicks && st.state !== 'Z') return true;
    }
    return false;
  }

  /** the pid namespace's last allocated pid, when /proc is this process's own (else undefined) */
  private readLastPid(): number | undefined {
    if (this.ownProc === undefined) {
      try {
        this.ownProc = readlinkSync(join(this.files.procRoot, 'self')) === String(process.pid);
      } catch {
        this.ownProc = false;
      }
    }
    if (!this.ownProc) return undefined;
    const n = Number(this.files.readText(join(this.files.procRoot, 'sys', 'kernel', 'ns_last_pid'))?.trim());
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
      const pidMax = cur < prev ? readPidMax(this.files) : Infinity;
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
        text = this.files.held.readOnce(pid, 'stat', 'latin1');
      } catch {
        return undefined;
      }
      // /proc/<tid> of a thread is readable too; its exit_signal is -1
      if (parseExitSignal(text) === -1) return undefined;
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
      const parent = this.files.readStat(st.ppid, false);
      if (parent && familyOf(parent.comm, []) !== undefined) return undefined;
    }
    return out;
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
      names = readdirSync(this.files.procRoot);
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
  private fullScan(onRoot?: (pid: number, st: StatFields) => void): Map<number, StatFields> {
    // taken before listing: whatever starts during the scan is in the next new-pid range
    this.lastPid = this.readLastPid();
    this.young.clear();
    const pids = this.listPids();
    this.knownPids = new Set(pids);
    const first = pids[0];
    // walking needs /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN); captured trees may lack it
    if (this.childrenFiles === undefined && first !== undefined) {
      this.childrenFiles = exists(join(this.files.procRoot, String(first), 'task', String(first), 'children'));
    }
    if (this.childrenFiles !== true) {
      const stats = new Map<number, StatFields>();
      for (const pid of pids) {
        const st = this.files.readStat(pid, false);
        if (st) stats.set(pid, st);
      }
      return stats;
    }
    const family = new Map<number, StatFields>();
    for (const pid of pids) {
      let comm: string;
      try {
        const bytes = this.files.held.readOnceBytes(pid, 'comm');
        // most comms cannot be a family name: decided on the first byte, nothing decoded
        if (!mayBeFamilyComm(bytes[0])) continue;
        comm = bytes.toString('latin1', 0, bytes[bytes.length - 1] === 10 ? bytes.length - 1 : bytes.length);
      } catch (e) {
        if (errCode(e) !== 'gone' || !exists(this.files.dir(pid))) continue;
        // a captured tree without comm files: the stat has it
        comm = this.files.readStat(pid, false)?.comm ?? '';
      }
      if (familyOf(comm, []) === undefined && !(commIsAmbiguous(comm) && familyOf(comm, this.files.readArgv(pid)) !== undefined)) continue;
      const st = this.files.readStat(pid);
      if (!st) continue;
      family.set(pid, st);
      if (onRoot && !family.has(st.ppid)) onRoot(pid, st);
    }
    return this.walkFrom(family);
  }
}
