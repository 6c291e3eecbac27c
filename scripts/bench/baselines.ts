// The same process snapshot taken three ways, in this process, back to back: sshtop's reader
// (a fresh one, as `--json` does, and a warm one, as every later tick), ps-list (which runs `ps`),
// and a naive full /proc scan (every /proc/<pid>/stat, cmdline and status).
import { readFileSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import psList from 'ps-list';
import { ProcReader } from '../../src/proc/reader.js';
import { SSHTOP } from '../../test/support/lab.js';
import { mark, procCpu, since, summarize, type Summary } from './stats.js';

export interface CostSummary {
  /** CPU of this process plus its reaped children (ps), ms */
  cpu: Summary;
  wall: Summary;
  /** processes in the snapshot */
  procs: number;
}

async function repeat(n: number, fn: () => Promise<number> | number): Promise<CostSummary> {
  const cpu: number[] = [];
  const wall: number[] = [];
  let procs = 0;
  for (let i = 0; i < n; i++) {
    const kids = procCpu('self')?.children ?? 0;
    const a = mark();
    procs = await fn();
    const c = since(a);
    // children's CPU comes in clock ticks (10 ms); it is the `ps` that ps-list runs
    cpu.push(c.cpu + ((procCpu('self')?.children ?? 0) - kids));
    wall.push(c.wall);
  }
  return { cpu: summarize(cpu), wall: summarize(wall), procs };
}

export function naiveScan(): number {
  let n = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      readFileSync(`/proc/${name}/stat`, 'latin1');
      readFileSync(`/proc/${name}/cmdline`, 'latin1');
      readFileSync(`/proc/${name}/status`, 'latin1');
      n++;
    } catch {
      // ended meanwhile
    }
  }
  return n;
}

export async function measureBaselines(reps = 5): Promise<{ psList: CostSummary; naive: CostSummary; freshReader: CostSummary }> {
  const ps = await repeat(reps, async () => (await psList({ all: true })).length);
  const naive = await repeat(reps, naiveScan);
  const freshReader = await repeat(reps, () => {
    const r = new ProcReader({ selfPid: process.pid });
    const n = r.read().procs.size;
    r.close();
    return n;
  });
  return { psList: ps, naive, freshReader };
}

/** `sshtop --json` end to end, as a user runs it: process start to exit */
export function measureJson(reps = 5): { wall: Summary; cpu: Summary; bytes: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  let bytes = 0;
  const { TMUX: _t, ...env } = process.env;
  for (let i = 0; i < reps; i++) {
    const kids = procCpu('self')?.children ?? 0;
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [SSHTOP, '--json'], { encoding: 'utf8', env, maxBuffer: 64 << 20 });
    wall.push(performance.now() - t0);
    cpu.push((procCpu('self')?.children ?? 0) - kids);
    if (r.status !== 0) throw new Error(`sshtop --json failed: ${r.stderr}`);
    bytes = r.stdout.length;
  }
  return { wall: summarize(wall), cpu: summarize(cpu), bytes };
}
