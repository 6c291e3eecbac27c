// Small measuring helpers: CPU time of this process, of its reaped children, and summaries.
import { openSync, readFileSync, readSync } from 'node:fs';

/** CPU and wall time of one span, in ms */
export interface Cost {
  /** the whole process: main thread plus V8's GC helpers and libuv's pool */
  cpu: number;
  /** the main thread alone: the work of the span itself */
  thread: number;
  wall: number;
}

export interface Mark {
  cpu: NodeJS.CpuUsage;
  thread: number;
  wall: number;
}

let schedFd: number | undefined;
const schedBuf = Buffer.alloc(128);

/** CPU time of the main thread in ms, from /proc/thread-self/schedstat (ns, not clock ticks) */
export function threadCpu(): number {
  try {
    schedFd ??= openSync('/proc/thread-self/schedstat', 'r');
    const n = readSync(schedFd, schedBuf, 0, schedBuf.length, 0);
    return Number(schedBuf.toString('latin1', 0, n).split(' ')[0]) / 1e6;
  } catch {
    return NaN;
  }
}

export const mark = (): Mark => ({ cpu: process.cpuUsage(), thread: threadCpu(), wall: performance.now() });

export function since(a: Mark, b: Mark = mark()): Cost {
  return { cpu: (b.cpu.user - a.cpu.user + b.cpu.system - a.cpu.system) / 1000, thread: b.thread - a.thread, wall: b.wall - a.wall };
}

export function measure<T>(fn: () => T): { value: T; cost: Cost } {
  const a = mark();
  const value = fn();
  return { value, cost: since(a) };
}

export async function measureAsync<T>(fn: () => Promise<T>): Promise<{ value: T; cost: Cost }> {
  const a = mark();
  const value = await fn();
  return { value, cost: since(a) };
}

export const CLK_TCK = 100;

/** a stat line's fields after the comm: state first, utime at index 11, stime 12, cutime 13, cstime 14 */
export const fieldsAfterComm = (stat: string): string[] => stat.slice(stat.lastIndexOf(')') + 2).split(' ');

/** utime, stime, cutime, cstime of a process, in ms (clock ticks of 10 ms) */
export function procCpu(pid: number | 'self'): { self: number; children: number } | undefined {
  try {
    const f = fieldsAfterComm(readFileSync(`/proc/${pid}/stat`, 'latin1'));
    const t = (i: number) => (Number(f[i]) * 1000) / CLK_TCK;
    return { self: t(11) + t(12), children: t(13) + t(14) };
  } catch {
    return undefined;
  }
}

/** VmRSS and VmHWM of a process, in MB */
export function procMemory(pid: number): { rssMb: number; hwmMb: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'latin1');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

export interface Summary {
  n: number;
  median: number;
  p95: number;
  mean: number;
  min: number;
  max: number;
}

/** nearest-rank percentile of sorted values */
function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

export function summarize(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((s, v) => s + v, 0) / Math.max(1, sorted.length);
  return { n: sorted.length, median: pct(sorted, 50), p95: pct(sorted, 95), mean, min: sorted[0] ?? NaN, max: sorted.at(-1) ?? NaN };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const round = (v: number, digits = 2) => (Number.isFinite(v) ? Math.round(v * 10 ** digits) / 10 ** digits : v);
