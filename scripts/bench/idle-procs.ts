// Thousands of idle background processes, cheaply: one small C program forks N children that
// sleep in pause(); closing its stdin makes it kill exactly those children, by pid, and reap them.
// pid_max is raised when the machine would run short of pids, and restored afterwards.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, alive } from '../../test/support/lab.js';
import { waitFor } from '../../test/support/wait.js';

export const BENCH_DIR = join(REPO, '.bench');
const SOURCE = join(REPO, 'scripts', 'bench', 'idle-procs.c');
const BINARY = join(BENCH_DIR, 'idle-procs');
const PID_MAX = '/proc/sys/kernel/pid_max';

export interface IdleGroup {
  /** the forking parent (its children are the idle processes) */
  pid: number;
  count: number;
  /** wall time to fork them all */
  spawnMs: number;
  stop(): Promise<void>;
}

export function compileIdleProcs(): string {
  mkdirSync(BENCH_DIR, { recursive: true });
  if (!existsSync(BINARY) || statSync(BINARY).mtimeMs < statSync(SOURCE).mtimeMs) {
    const r = spawnSync('cc', ['-O2', '-o', BINARY, SOURCE], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cc idle-procs.c failed: ${r.stderr}`);
  }
  return BINARY;
}

/** processes and threads on the machine now (each holds a pid) */
export function taskCount(): number {
  let n = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      n += readdirSync(`/proc/${name}/task`).length;
    } catch {
      // gone
    }
  }
  return n;
}

export interface PidLimits {
  pidMax: number;
  threadsMax: number;
  /** RLIMIT_NPROC of this shell (root is not bound by it) */
  ulimitU: string;
  /** pid_max before the benchmark raised it, when it did */
  raisedFrom: number | null;
}

const readNumber = (path: string) => Number(readFileSync(path, 'utf8').trim());

/** make room for `extra` more processes; returns what it found and a restore function */
export function ensurePidRoom(extra: number): { limits: PidLimits; restore(): void } {
  const pidMax = readNumber(PID_MAX);
  const threadsMax = readNumber('/proc/sys/kernel/threads-max');
  const ulimitU = spawnSync('sh', ['-c', 'ulimit -u'], { encoding: 'utf8' }).stdout.trim();
  if (threadsMax < taskCount() + extra + 1024) throw new Error(`kernel.threads-max ${threadsMax} is too low for ${extra} more processes`);
  // other suites run beside the benchmark: keep at least half the pid space free
  const needed = 2 * (taskCount() + extra + 2048);
  let raisedFrom: number | null = null;
  if (pidMax < needed) {
    let next = pidMax;
    while (next < needed) next *= 2;
    writeFileSync(PID_MAX, String(Math.min(next, 4_194_304)));
    raisedFrom = pidMax;
  }
  let restored = false;
  const restore = () => {
    if (restored || raisedFrom === null) return;
    restored = true;
    // lowering pid_max is allowed while higher pids exist; they keep their numbers
    writeFileSync(PID_MAX, String(raisedFrom));
  };
  process.once('exit', restore);
  return { limits: { pidMax: readNumber(PID_MAX), threadsMax, ulimitU, raisedFrom }, restore };
}

export async function startIdle(count: number): Promise<IdleGroup> {
  const binary = compileIdleProcs();
  const t0 = performance.now();
  const child: ChildProcess = spawn(binary, [String(count)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const made = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`idle-procs exited early (${code})`)));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ready (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
  });
  const spawnMs = performance.now() - t0;
  if (made < count) {
    child.stdin?.end();
    throw new Error(`idle-procs forked only ${made} of ${count}`);
  }
  const pid = child.pid as number;
  return {
    pid,
    count: made,
    spawnMs,
    async stop() {
      if (!alive(pid)) return;
      // the parent kills its own children by pid when its stdin closes
      child.stdin?.end();
      await waitFor(`idle-procs ${pid} to reap its children`, () => !alive(pid), 60_000, 50).catch(() => {
        child.kill('SIGKILL');
      });
    },
  };
}
