// A temporary directory shaped like /proc (plus a /dev/pts and a passwd file) for the reader tests,
// and encoders that write what the kernel writes (stat lines, /proc/net/tcp{,6} rows).
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeProcess {
  pid: number;
  ppid: number;
  /** comm as the kernel stores it: bytes (a string is written as UTF-8) */
  comm: string | Buffer;
  /** written as cmdline: NUL-terminated arguments */
  argv?: string[];
  /** exact cmdline bytes, wins over argv (setproctitle padding) */
  cmdlineRaw?: string;
  state?: string;
  pgrp?: number;
  sid?: number;
  ttyNr?: number;
  tpgid?: number;
  utime?: number;
  stime?: number;
  startTicks?: number;
  /** resident pages (stat field 24) */
  rssPages?: number;
  /** real uid in status; undefined → no Uid line */
  uid?: number;
  /** extra thread ids besides pid (task/<tid>/ directories) */
  extraTids?: number[];
  /** the thread of the parent that forked this process (its task/<tid>/children lists it) */
  parentTid?: number;
  /** fd number → link target (`socket:[123]`, `/dev/pts/3`) */
  fds?: Record<number, string>;
  environ?: Record<string, string>;
  /** ns/net link target */
  netns?: string;
}

// fields 24..52 of a real stat line (`cat /proc/<pid>/stat` of a sleep on Linux 6.18)
/** what follows rss (field 24) */
const STAT_TAIL =
  '18446744073709551615 94644439052288 94644439070217 140728244808720 0 0 0 0 6 0 1 0 0 17 0 0 0 0 0 0 94644439084304 94644439085568 94644820164608 140728244816609 140728244816626 140728244816626 140728244817899 0';

/** /proc/PID/stat as the kernel prints it (fs/proc/array.c do_task_stat) */
export function statLine(p: FakeProcess): Buffer {
  const threads = 1 + (p.extraTids?.length ?? 0);
  const after =
    `) ${p.state ?? 'S'} ${p.ppid} ${p.pgrp ?? p.pid} ${p.sid ?? p.pid} ${p.ttyNr ?? 0} ${p.tpgid ?? -1} 4194304 129 0 0 0 ` +
    `${p.utime ?? 0} ${p.stime ?? 0} 0 0 20 0 ${threads} 0 ${p.startTicks ?? 1000} 2990080 ${p.rssPages ?? 414} ${STAT_TAIL}\n`;
  const comm = typeof p.comm === 'string' ? Buffer.from(p.comm, 'utf8') : p.comm;
  return Buffer.concat([Buffer.from(`${p.pid} (`), comm, Buffer.from(after)]);
}

/** the address:port field of /proc/net/tcp: the network-order word printed as a little-endian integer */
export function hexV4(address: string, port: number): string {
  const b = address.split('.').map(Number);
  return `${b.reverse().map((x) => x.toString(16).padStart(2, '0')).join('').toUpperCase()}:${hexPort(port)}`;
}

/** tcp6: the 16 address bytes as four 32-bit words, each printed as a little-endian integer */
export function hexV6(bytes: readonly number[], port: number): string {
  let out = '';
  for (let w = 0; w < 4; w++) {
    for (let b = 3; b >= 0; b--) out += (bytes[w * 4 + b] as number).toString(16).padStart(2, '0');
  }
  return `${out.toUpperCase()}:${hexPort(port)}`;
}

function hexPort(port: number): string {
  return port.toString(16).padStart(4, '0').toUpperCase();
}

export interface TcpRow {
  local: string;
  remote: string;
  state: number;
  inode: number;
  txQueue?: number;
  rxQueue?: number;
  timer?: number;
  when?: number;
  retransmits?: number;
  uid?: number;
  probes?: number;
}

/** one row as net/ipv4/tcp_ipv4.c get_tcp4_sock prints it ("%4d: %08X:%04X %08X:%04X %02X %08X:%08X %02X:%08lX %08X %5u %8d %lu ...") */
export function tcpRow(sl: number, r: TcpRow): string {
  const h = (n: number, w: number) => n.toString(16).toUpperCase().padStart(w, '0');
  return (
    `${String(sl).padStart(4)}: ${r.local} ${r.remote} ${h(r.state, 2)} ${h(r.txQueue ?? 0, 8)}:${h(r.rxQueue ?? 0, 8)} ` +
    `${h(r.timer ?? 0, 2)}:${h(r.when ?? 0, 8)} ${h(r.retransmits ?? 0, 8)} ${String(r.uid ?? 0).padStart(5)} ` +
    `${String(r.probes ?? 0).padStart(8)} ${r.inode} 1 0000000000000000 100 0 0 10 0`
  );
}

const TCP_HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';

export class FakeProcRoot {
  readonly dir: string;
  readonly procRoot: string;
  readonly devRoot: string;
  readonly passwdPath: string;
  private readonly procs = new Map<number, FakeProcess>();

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'sshtop-fakeproc-'));
    // an unprivileged child reads this tree too
    chmodSync(this.dir, 0o755);
    this.procRoot = join(this.dir, 'proc');
    this.devRoot = join(this.dir, 'dev');
    this.passwdPath = join(this.dir, 'passwd');
    mkdirSync(join(this.procRoot, 'net'), { recursive: true });
    mkdirSync(join(this.devRoot, 'pts'), { recursive: true });
    this.setBtime(1795554950);
    this.setNet('tcp', []);
    this.setNet('tcp6', []);
    writeFileSync(this.passwdPath, 'root:x:0:0:root:/root:/bin/bash\n');
  }

  /** /proc/stat with a btime line (the rest copied from a real one) */
  setBtime(seconds: number): void {
    writeFileSync(
      join(this.procRoot, 'stat'),
      `cpu  3525 0 2861 1043906 205 0 171 0 0 0\ncpu0 1789 0 1441 521835 98 0 92 0 0 0\nintr 1091234 0 9\nctxt 2236011\nbtime ${seconds}\nprocesses 23514\nprocs_running 2\nprocs_blocked 0\n`,
    );
  }

  setNet(file: 'tcp' | 'tcp6', rows: TcpRow[], text?: string): void {
    writeFileSync(join(this.procRoot, 'net', file), text ?? [TCP_HEADER, ...rows.map((r, i) => tcpRow(i, r))].join('\n') + '\n');
  }

  setPasswd(text: string): void {
    writeFileSync(this.passwdPath, text);
  }

  /** /dev/pts/N with the given atime (ms since epoch) */
  addPts(n: number, atimeMs: number): void {
    const path = join(this.devRoot, 'pts', String(n));
    writeFileSync(path, '');
    utimesSync(path, atimeMs / 1000, atimeMs / 1000);
  }

  add(p: FakeProcess): void {
    const dir = this.pidDir(p.pid);
    mkdirSync(join(dir, 'fd'), { recursive: true });
    mkdirSync(join(dir, 'ns'), { recursive: true });
    this.procs.set(p.pid, p);
    writeFileSync(join(dir, 'stat'), statLine(p));
    writeFileSync(join(dir, 'comm'), Buffer.concat([typeof p.comm === 'string' ? Buffer.from(p.comm) : p.comm, Buffer.from('\n')]));
    writeFileSync(join(dir, 'cmdline'), p.cmdlineRaw ?? (p.argv ?? []).map((a) => `${a}\0`).join(''));
    const uidLine = p.uid === undefined ? '' : `Uid:\t${p.uid}\t${p.uid}\t${p.uid}\t${p.uid}\nGid:\t${p.uid}\t${p.uid}\t${p.uid}\t${p.uid}\n`;
    writeFileSync(join(dir, 'status'), `Name:\t${String(p.comm)}\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t${p.pid}\nPid:\t${p.pid}\nPPid:\t${p.ppid}\nTracerPid:\t0\n${uidLine}Threads:\t1\n`);
    writeFileSync(join(dir, 'environ'), Object.entries(p.environ ?? {}).map(([k, v]) => `${k}=${v}\0`).join(''));
    writeFileSync(join(dir, 'cgroup'), '0::/system.slice/ssh.service\n');
    for (const [fd, target] of Object.entries(p.fds ?? {})) symlinkSync(target, join(dir, 'fd', fd));
    symlinkSync(p.netns ?? 'net:[4026531840]', join(dir, 'ns', 'net'));
    for (const tid of [p.pid, ...(p.extraTids ?? [])]) mkdirSync(join(dir, 'task', String(tid)), { recursive: true });
    this.writeChildren(p.pid);
    this.writeChildren(p.ppid);
  }

  /** rewrite stat in place (same inode, as the kernel regenerates it on every read) */
  patchStat(pid: number, patch: Partial<FakeProcess>): void {
    const p = { ...(this.procs.get(pid) as FakeProcess), ...patch };
    this.procs.set(pid, p);
    writeFileSync(join(this.pidDir(pid), 'stat'), statLine(p));
  }

  /**
   * The process exits. A descriptor held on a real /proc/PID file fails with ESRCH from then on;
   * one held on a tmpfs file would go on reading the unlinked file, so empty every file first.
   */
  remove(pid: number): void {
    const p = this.procs.get(pid);
    this.procs.delete(pid);
    const emptyAll = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) emptyAll(join(d, e.name));
        else if (e.isFile()) truncateSync(join(d, e.name));
      }
    };
    emptyAll(this.pidDir(pid));
    rmSync(this.pidDir(pid), { recursive: true, force: true });
    if (p) this.writeChildren(p.ppid);
  }

  /** raw content of one file of a process (garbage tests) */
  write(pid: number, rel: string, content: string | Buffer): void {
    writeFileSync(join(this.pidDir(pid), rel), content);
  }

  chmod(pid: number, rel: string, mode: number): void {
    chmodSync(join(this.pidDir(pid), rel), mode);
  }

  pidDir(pid: number): string {
    return join(this.procRoot, String(pid));
  }

  dispose(): void {
    // a test may have made a directory unreadable (chmod 000): only root could remove it as it is
    if (existsSync(this.dir)) readable(this.dir);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** task/<tid>/children of every thread of pid: "c1 c2 " like the kernel (trailing space, no newline) */
  private writeChildren(pid: number): void {
    const p = this.procs.get(pid);
    if (!p) return;
    for (const tid of [p.pid, ...(p.extraTids ?? [])]) {
      const kids = [...this.procs.values()].filter((c) => c.ppid === pid && (c.parentTid ?? pid) === tid).map((c) => c.pid);
      const path = join(this.pidDir(pid), 'task', String(tid), 'children');
      try {
        statSync(join(this.pidDir(pid), 'task', String(tid)));
      } catch {
        continue;
      }
      writeFileSync(path, kids.map((k) => `${k} `).join(''));
    }
  }
}

/** give every directory below dir back its owner's rwx, so that the tree can be removed */
function readable(dir: string): void {
  chmodSync(dir, 0o755);
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) readable(join(dir, e.name));
}
