// What SSH logins leave running outside the sshd trees. When a connection ends, whatever its
// processes started that does not die of the hangup (a notty command, a `nohup` job, a `setsid`
// daemon, a detached tmux or screen server, a mosh-server) is reparented to init (or to a
// subreaper: a `systemd --user` manager) and leaves every sshd subtree the scan plan walks. This
// finds the heads of those processes, cheaply, and keeps walking them every tick:
//
// - escapes: a process read inside a session last tick that is alive outside every tree now (the
//   one way to learn of them where no login identity is set: UsePAM no, containers);
// - discovery: on a full scan, the children of init and of user managers, and on a new-pid scan
//   the new ones among them, that carry a login's identity (sessionid, a logind scope) or an
//   SSH_CONNECTION in their environment. A process that carries neither is remembered as such
//   (pid and start time) and never read again.
//
// The model decides what each head is (a live session's, a leftover of an ended login, a mosh
// session) from these facts; nothing here guesses.
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { environValue, type StatFields } from './parse.js';
import { parseAuditId, parseLoginScope } from './parse-login.js';
import type { ProcFiles } from './proc-files.js';
import type { ScanKind, ScanPlan } from './scan-plan.js';

/** an environment is read up to this many bytes: SSH_CONNECTION is set before anything a user adds */
const MAX_ENVIRON_BYTES = 64 * 1024;
/** comm of a user's service manager (`systemd --user`): a subreaper, orphans of its user land there */
const USER_MANAGER = 'systemd';

interface Head {
  startTicks: number;
  /** SSH_CONNECTION from its environment, null when it has none or it is not readable */
  sshConnection: string | null;
}

export interface LooseFind {
  /** heads outside every sshd tree, oldest first */
  roots: number[];
  /** the heads and every process below them (their stats are in the map find was given) */
  members: number[];
  /** SSH_CONNECTION of the heads that have one */
  sshConnection: Map<number, string>;
}

/** one buffer for every environment read (they are read one at a time) */
let environBuf: Buffer | undefined;

/** an environment's first bytes (a bound: it may be megabytes), as latin1; undefined when unreadable */
function readEnviron(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const buf = (environBuf ??= Buffer.alloc(MAX_ENVIRON_BYTES));
    let total = 0;
    while (total < buf.length) {
      const n = readSync(fd, buf, total, buf.length - total, total);
      if (n === 0) break;
      total += n;
    }
    return buf.toString('latin1', 0, total);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

export class LooseRoots {
  private readonly heads = new Map<number, Head>();
  /** processes in a session (or below a head) at the last read, not SSH daemons: pid → startTicks */
  private inside = new Map<number, number>();
  /** processes looked at that carry no login: pid → startTicks (never read again) */
  private plain = new Map<number, number>();

  constructor(
    private readonly files: ProcFiles,
    private readonly plan: ScanPlan,
  ) {}

  /**
   * The heads of this read, their subtrees added to `stats`. `inTrees`: the processes below SSH
   * daemons this read (daemons excluded); `isFamily`: whether a pid is an SSH daemon.
   */
  find(stats: Map<number, StatFields>, inTrees: ReadonlySet<number>, isFamily: (pid: number) => boolean, scan: ScanKind): LooseFind {
    const statOf = (pid: number): StatFields | undefined => {
      const known = stats.get(pid);
      if (known) return known;
      const st = this.files.readStat(pid);
      if (st) stats.set(pid, st);
      return st;
    };
    const live = (pid: number, startTicks: number): boolean => {
      const st = statOf(pid);
      return st !== undefined && st.startTicks === startTicks && st.state !== 'Z';
    };

    // the heads still running (a pid reused since is another process)
    for (const [pid, h] of this.heads) if (!live(pid, h.startTicks) || inTrees.has(pid)) this.heads.delete(pid);
    // escapes: inside a session last read, alive outside every tree now
    for (const [pid, startTicks] of this.inside) {
      if (inTrees.has(pid) || this.heads.has(pid) || !live(pid, startTicks)) continue;
      this.heads.set(pid, { startTicks, sshConnection: this.sshConnectionOf(pid) });
    }
    this.discover(stats, inTrees, isFamily, scan, statOf);

    const roots = [...this.heads.keys()].sort((a, b) => (stats.get(a) as StatFields).startTicks - (stats.get(b) as StatFields).startTicks || a - b);
    const below = this.plan.descend(stats, roots).filter((pid) => !isFamily(pid) && !inTrees.has(pid));
    const members = [...roots, ...below];
    const next = new Map<number, number>();
    for (const pid of [...inTrees, ...below]) {
      const st = stats.get(pid);
      if (st) next.set(pid, st.startTicks);
    }
    this.inside = next;
    const sshConnection = new Map<number, string>();
    for (const pid of roots) {
      const c = this.heads.get(pid)?.sshConnection;
      if (c) sshConnection.set(pid, c);
    }
    return { roots, members, sshConnection };
  }

  /** new heads among the orphans: children of init and of user managers that carry a login */
  private discover(
    stats: Map<number, StatFields>,
    inTrees: ReadonlySet<number>,
    isFamily: (pid: number) => boolean,
    scan: ScanKind,
    statOf: (pid: number) => StatFields | undefined,
  ): void {
    const candidates = new Set<number>();
    const reaper = (pid: number) => pid === 1 || (stats.get(pid)?.comm === USER_MANAGER && stats.get(pid)?.ppid === 1);
    // a full scan with children files holds only the trees: ask init for its children
    if (scan === 'full' && this.plan.walks) {
      const init = statOf(1);
      for (const c of init ? this.plan.childrenOf(1, init.threads) : []) {
        candidates.add(c);
        const st = statOf(c);
        if (st?.comm === USER_MANAGER) for (const g of this.plan.childrenOf(c, st.threads)) candidates.add(g);
      }
      // what was looked at and is gone is forgotten (the map stays as small as init's children)
      for (const pid of this.plain.keys()) if (!candidates.has(pid)) this.plain.delete(pid);
    }
    // stats read this tick outside the trees (a new-pid scan's, or every process without children files)
    for (const [pid, st] of stats) if (reaper(st.ppid)) candidates.add(pid);
    for (const pid of candidates) {
      if (pid <= 2 || this.heads.has(pid) || inTrees.has(pid) || isFamily(pid)) continue;
      const st = statOf(pid);
      // a user manager is where orphans land, not one of them: its children are looked at instead
      if (!st || st.state === 'Z' || st.ppid === 2 || st.comm === USER_MANAGER || this.plain.get(pid) === st.startTicks || isFamily(pid)) continue;
      // each is read once per process: its login identity, and its environment (where the login
      // came from, and under UsePAM no the only sign there was one)
      const marked = this.carriesLogin(pid);
      const sshConnection = this.sshConnectionOf(pid);
      if (marked || sshConnection !== null) this.heads.set(pid, { startTicks: st.startTicks, sshConnection });
      else this.plain.set(pid, st.startTicks);
    }
  }

  /** whether a login marked the process: an audit session, or a logind session scope */
  private carriesLogin(pid: number): boolean {
    const dir = this.files.dir(pid);
    if (typeof parseAuditId(this.files.readText(join(dir, 'sessionid'))) === 'number') return true;
    const cgroup = this.files.readText(join(dir, 'cgroup'));
    return cgroup !== undefined && parseLoginScope(cgroup) !== null;
  }

  private sshConnectionOf(pid: number): string | null {
    const env = readEnviron(join(this.files.dir(pid), 'environ'));
    return (env === undefined ? undefined : environValue(env, 'SSH_CONNECTION')) ?? null;
  }
}
