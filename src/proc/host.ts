// Facts about the machine rather than one process: boot time, pid_max, /dev/pts atimes, the user
// names (passwd, re-read when it changes), whether hidepid hides other users' processes, and the
// SSH_CONNECTION a readable shell inherited when its daemon's sockets are not ours to see.
import { closeSync, openSync, readFileSync, readSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { environValue, parseBtime, parsePasswd, parseUptime, procMountHides } from './parse.js';
import type { ProcFiles } from './proc-files.js';
import type { ProcEntry } from './types.js';

export function readPidMax(files: ProcFiles): number {
  const n = Number(files.readText(join(files.procRoot, 'sys', 'kernel', 'pid_max'))?.trim());
  return Number.isInteger(n) && n > 0 ? n : 4_194_304;
}

/**
 * Whether procRoot is a proc mount whose hidepid option hides other users' processes from us:
 * they are then simply absent from the directory, with no EACCES to notice.
 */
/**
 * Bytes per memory page (stat's rss counts pages): the kernel's page size from this process's
 * first mapping in /proc/self/smaps (4 KiB on x86_64; arm64 kernels may use 16 or 64 KiB).
 */
export function pageSize(): number {
  let text = '';
  try {
    const fd = openSync(join('/proc', 'self', 'smaps'), 'r');
    try {
      const buf = Buffer.alloc(4096);
      text = buf.toString('latin1', 0, readSync(fd, buf, 0, buf.length, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    // no smaps (a kernel without it): the common size
  }
  const kb = Number(/^KernelPageSize:\s+(\d+) kB$/m.exec(text)?.[1]);
  return Number.isInteger(kb) && kb > 0 ? kb * 1024 : 4096;
}

export function procHidesOthers(procRoot: string): boolean {
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
  const egid = process.getegid?.();
  return procMountHides(mountinfo, target, [...(egid === undefined ? [] : [egid]), ...(process.getgroups?.() ?? [])]);
}

export class HostFacts {
  private btime: number | undefined;
  private boot: string | null | undefined;
  private passwd: { mtimeMs: number; users: Map<number, string> } | undefined;

  constructor(
    private readonly files: ProcFiles,
    private readonly devRoot: string,
    private readonly passwdPath: string,
  ) {}

  /**
   * Boot time in seconds since the epoch, as of this read: now − /proc/uptime. /proc/stat's btime
   * is cut to a whole second (every age was too high by the fraction of the second the machine
   * booted in) and, read once, went stale when the wall clock was stepped (NTP). Trees captured
   * without an uptime file keep their btime.
   */
  bootTime(takenAt: number): number {
    const up = parseUptime(this.files.readText(join(this.files.procRoot, 'uptime')) ?? '');
    return up === undefined ? this.readBtime() : takenAt / 1000 - up;
  }

  /** this boot's id (/proc/sys/kernel/random/boot_id): audit session numbers start again at each boot */
  bootId(): string | null {
    this.boot ??= this.files.readText(join(this.files.procRoot, 'sys', 'kernel', 'random', 'boot_id'))?.trim() || null;
    return this.boot;
  }

  private readBtime(): number {
    if (this.btime === undefined) {
      const text = this.files.readText(join(this.files.procRoot, 'stat'));
      this.btime = text === undefined ? undefined : parseBtime(text);
    }
    return this.btime ?? 0;
  }

  ttyAtimes(): Map<string, number> {
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

  users(): Map<number, string> {
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

  /** SSH_CONNECTION of shells whose sshd parent's sockets we could not see (non-root) */
  sshConnections(procs: ReadonlyMap<number, ProcEntry>, family: ReadonlySet<number>): Map<number, string> {
    const out = new Map<number, string>();
    for (const p of procs.values()) {
      if (family.has(p.pid) || !family.has(p.ppid)) continue;
      const parent = procs.get(p.ppid);
      if (!parent || parent.sockets !== null) continue;
      let raw: string;
      try {
        raw = readFileSync(join(this.files.procRoot, String(p.pid), 'environ'), 'latin1');
      } catch {
        continue;
      }
      const v = environValue(raw, 'SSH_CONNECTION');
      if (v !== undefined) out.set(p.pid, v);
    }
    return out;
  }
}
