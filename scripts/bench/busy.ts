// The busy screen: sshtop when what it shows changes on every tick, beside htop (and btop, when
// installed) in the same run. A real lab sshd with tty sessions, some of them running
// `top -b -d 5` (its CPU column moves every second), and 5,000 idle processes on the machine.
// Every program runs on its own pty at a 1 s refresh; CPU is read from /proc/<pid>/stat over
// repeated windows, so a verdict rests on a median and its spread, never on one noisy figure.
//   BENCH_ONLY=busy npm run bench            (BUSY_WINDOWS, BUSY_WINDOW_S, BUSY_SCENARIOS=0,1)
//   npx tsx scripts/bench/busy.ts hold 0      the first scenario's world, kept up for profiling
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LAB_USERS, SSHTOP, startLab, type Client, type Lab } from '../../test/support/lab.js';
import { waitFor } from '../../test/support/wait.js';
import { BENCH_DIR, ensurePidRoom, startIdle, taskCount, type IdleGroup } from './idle-procs.js';
import { startPty, type Pty } from './pty.js';
import { procCpu, procMemory, round, sleep } from './stats.js';

export interface BusyScenario {
  name: string;
  /** tty sessions on the lab's sshd */
  sessions: number;
  /** of which this many run `top -b -d 5` */
  busy: number;
  /** idle processes on the machine besides */
  extra: number;
}

export const BUSY_SCENARIOS: BusyScenario[] = [
  { name: '20 sessions, 10 busy', sessions: 20, busy: 10, extra: 5000 },
  { name: '100 sessions, 50 busy', sessions: 100, busy: 50, extra: 5000 },
];

/** the busy command: a process whose CPU figure moves (it wakes every 5 s and reads all of /proc) */
export const BUSY_COMMAND = 'top -b -d 5 >/dev/null';

const WINDOWS = Number(process.env.BUSY_WINDOWS ?? 5);
const WINDOW_S = Number(process.env.BUSY_WINDOW_S ?? 20);
const WARMUP_S = 5;
const SIZE = { columns: 200, rows: 50 };

/** median and spread of repeated windows */
export interface Spread {
  median: number;
  min: number;
  max: number;
  values: number[];
}

export function spread(values: number[]): Spread {
  const v = [...values].sort((a, b) => a - b);
  const mid = v.length % 2 ? (v[(v.length - 1) / 2] as number) : ((v[v.length / 2 - 1] as number) + (v[v.length / 2] as number)) / 2;
  return { median: mid, min: v[0] ?? NaN, max: v.at(-1) ?? NaN, values };
}

export interface ProgramResult {
  /** CPU per second (self + reaped children), ms, per window */
  msPerS: Spread;
  /** % of one core, per window */
  corePct: Spread;
}

export interface BusyResult {
  scenario: BusyScenario;
  tasks: number;
  windows: number;
  windowSeconds: number;
  sshtop: ProgramResult & {
    rssMb: number;
    hwmMb: number;
    /** frames drawn per second (Ink's synchronized-update markers), per window */
    framesPerS: Spread;
    /** bytes written to the terminal per second, per window */
    bytesPerS: Spread;
  };
  htop: ProgramResult;
  btop?: ProgramResult;
  /** htop / sshtop and btop / sshtop, per window */
  htopRatio: Spread;
  btopRatio?: Spread;
}

/** a lab whose tty sessions exist on the server side, `busy` of them running BUSY_COMMAND */
export async function startBusyLab(s: Pick<BusyScenario, 'sessions' | 'busy'>): Promise<{ lab: Lab; clients: Client[] }> {
  const lab = await startLab();
  try {
    const clients: Client[] = [];
    for (let i = 0; i < s.sessions; i += 8) {
      const batch = Array.from({ length: Math.min(8, s.sessions - i) }, (_, j) => lab.openTty(LAB_USERS[(i + j) % LAB_USERS.length] as string));
      clients.push(...(await Promise.all(batch)));
    }
    for (const c of clients.slice(0, s.busy)) c.send(`${BUSY_COMMAND}\n`);
    // every busy session has its top on the server side
    await waitFor('busy sessions', () => (topCount() >= s.busy ? true : undefined), 20_000, 100);
    return { lab, clients };
  } catch (e) {
    await lab.stop();
    throw e;
  }
}

/** running `top` processes on the machine (the lab's busy sessions) */
function topCount(): number {
  let n = 0;
  for (const c of readdirSync('/proc')) {
    if (!/^\d+$/.test(c)) continue;
    try {
      if (readFileSync(`/proc/${c}/comm`, 'latin1') === 'top\n') n++;
    } catch {
      // gone
    }
  }
  return n;
}

/** btop reads its refresh interval from its config file: a private one, at 1 s like the others */
function btopConfig(): { env: NodeJS.ProcessEnv; cleanup(): void } | undefined {
  if (!existsSync('/usr/bin/btop')) return undefined;
  const home = mkdtempSync(join(tmpdir(), 'sshtop-bench-btop-'));
  const dir = join(home, 'btop');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'btop.conf'), 'update_ms = 1000\nshown_boxes = "proc"\nproc_tree = false\n');
  return { env: { XDG_CONFIG_HOME: home, HOME: home, LANG: 'C.UTF-8' }, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

const BSU = '\u001b[?2026h';

/** sshtop --watch, htop and btop side by side at a 1 s refresh, over `windows` windows of `seconds` */
export async function sideBySide(windows = WINDOWS, seconds = WINDOW_S): Promise<Omit<BusyResult, 'scenario' | 'tasks'>> {
  const bt = btopConfig();
  const progs: { name: string; pty: Pty }[] = [];
  try {
    // as an installed sshtop runs: through bin/sshtop's first lines, with the V8 flags they give node
    progs.push({ name: 'sshtop', pty: await startPty([SSHTOP, '--watch', '--interval', '1'], SIZE) });
    progs.push({ name: 'htop', pty: await startPty(['htop', '-d', '10'], SIZE) });
    if (bt) progs.push({ name: 'btop', pty: await startPty(['btop', '--utf-force'], { ...SIZE, env: bt.env }) });
    const [sshtop, htop, btop] = progs.map((p) => p.pty) as [Pty, Pty, Pty | undefined];
    const ready = await Promise.all([sshtop.waitOutput((t) => / \d+ sessions,/.test(t), 20_000), htop.waitOutput((t) => t.includes('Load average'), 20_000)]);
    if (ready.some((r) => r === undefined)) throw new Error('sshtop or htop never drew a frame');
    await sleep(WARMUP_S * 1000);
    const per: Record<string, number[]> = { sshtop: [], htop: [], btop: [], frames: [], bytes: [] };
    for (let w = 0; w < windows; w++) {
      const out0 = sshtop.rawOutput();
      const a = progs.map((p) => procCpu(p.pty.pid));
      await sleep(seconds * 1000);
      const b = progs.map((p) => procCpu(p.pty.pid));
      const out = sshtop.rawOutput().slice(out0.length);
      progs.forEach((p, i) => {
        const x = a[i];
        const y = b[i];
        if (!x || !y) throw new Error(`${p.name} exited during the window`);
        (per[p.name] as number[]).push((y.self - x.self + y.children - x.children) / seconds);
      });
      per.frames?.push(out.split(BSU).length - 1);
      per.bytes?.push(Buffer.byteLength(out) / seconds);
    }
    const mem = procMemory(sshtop.pid);
    if (!mem) throw new Error('sshtop exited');
    const prog = (v: number[]): ProgramResult => ({ msPerS: spread(v), corePct: spread(v.map((x) => x / 10)) });
    const ratio = (other: number[]) => spread(other.map((x, i) => x / Math.max(0.1, per.sshtop?.[i] as number)));
    return {
      windows,
      windowSeconds: seconds,
      sshtop: { ...prog(per.sshtop as number[]), ...mem, framesPerS: spread((per.frames as number[]).map((f) => f / seconds)), bytesPerS: spread(per.bytes as number[]) },
      htop: prog(per.htop as number[]),
      ...(btop ? { btop: prog(per.btop as number[]), btopRatio: ratio(per.btop as number[]) } : {}),
      htopRatio: ratio(per.htop as number[]),
    };
  } finally {
    await Promise.all(progs.map((p) => p.pty.stop()));
    bt?.cleanup();
  }
}

/** every busy scenario (BUSY_SCENARIOS=0,1 picks), each with its own lab and idle processes */
export async function measureBusy(log: (msg: string) => void, cleanups: (() => Promise<void> | void)[]): Promise<BusyResult[]> {
  const pick = process.env.BUSY_SCENARIOS?.split(',').map(Number);
  const results: BusyResult[] = [];
  for (const [i, s] of BUSY_SCENARIOS.entries()) {
    if (pick && !pick.includes(i)) continue;
    log(`busy screen: ${s.name}, ${s.extra} idle processes; sshtop, htop${existsSync('/usr/bin/btop') ? ', btop' : ''} side by side, ${WINDOWS} windows of ${WINDOW_S} s`);
    const { lab } = await startBusyLab(s);
    let stopped = false;
    const stopLab = async () => {
      if (!stopped) await lab.stop();
      stopped = true;
    };
    cleanups.push(stopLab);
    const room = ensurePidRoom(s.extra);
    cleanups.push(() => room.restore());
    let idle: IdleGroup | undefined;
    try {
      idle = await startIdle(s.extra);
      const side = await sideBySide();
      results.push({ scenario: s, tasks: taskCount(), ...side });
      log(`  sshtop ${fmt(side.sshtop.msPerS)} ms/s, htop ${fmt(side.htop.msPerS)}${side.btop ? `, btop ${fmt(side.btop.msPerS)}` : ''}; htop/sshtop ${fmt(side.htopRatio)}x`);
    } finally {
      await idle?.stop();
      room.restore();
      await stopLab();
    }
  }
  return results;
}

/** `median (min–max)` */
export const fmt = (s: Spread, digits = 1) => `${round(s.median, digits)} (${round(s.min, digits)}–${round(s.max, digits)})`;

/** the report's lines for the busy screens */
export function busyReport(results: BusyResult[]): string[] {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`busy screen, ${r.scenario.name}, ${r.tasks} tasks; ${r.windows} windows of ${r.windowSeconds} s; median (min–max):`);
    lines.push(`  sshtop --watch --interval 1   ${fmt(r.sshtop.msPerS)} ms CPU/s = ${fmt(r.sshtop.corePct, 2)} % of a core; ${fmt(r.sshtop.framesPerS)} frames/s, ${fmt(r.sshtop.bytesPerS, 0)} B/s; VmRSS ${round(r.sshtop.rssMb, 1)} MB, VmHWM ${round(r.sshtop.hwmMb, 1)} MB`);
    lines.push(`  htop -d 10                    ${fmt(r.htop.msPerS)} ms CPU/s; htop / sshtop ${fmt(r.htopRatio)}x`);
    if (r.btop && r.btopRatio) lines.push(`  btop (update_ms 1000)         ${fmt(r.btop.msPerS)} ms CPU/s; btop / sshtop ${fmt(r.btopRatio)}x`);
  }
  return lines;
}

/** the targets the busy screens are held to (docs/performance.md) */
export function busyTargets(results: BusyResult[]): { target: string; limit: string; value: string; ok: boolean }[] {
  return results.flatMap((r) => [
    { target: `busy ${r.scenario.name}: sshtop CPU, median (min-max)`, limit: '<= 1 % core', value: `${fmt(r.sshtop.corePct, 2)} %`, ok: r.sshtop.corePct.median <= 1 },
    { target: `busy ${r.scenario.name}: htop/sshtop, median (min-max)`, limit: '>= 25x', value: `${fmt(r.htopRatio)}x`, ok: r.htopRatio.median >= 25 },
    { target: `busy ${r.scenario.name}: VmHWM over the run`, limit: '<= 80 MB', value: `${round(r.sshtop.hwmMb, 1)} MB`, ok: r.sshtop.hwmMb <= 80 },
  ]);
}

/** `BENCH_ONLY=busy npm run bench`: the busy screens alone; prints them and writes .bench/busy.json */
export async function runBusyOnly(log: (msg: string) => void, cleanups: (() => Promise<void> | void)[]): Promise<void> {
  const started = new Date().toISOString();
  const busy = await measureBusy(log, cleanups);
  const targets = busyTargets(busy);
  const file = join(BENCH_DIR, 'busy.json');
  mkdirSync(BENCH_DIR, { recursive: true });
  writeFileSync(file, JSON.stringify({ schema: 'sshtop-bench-busy/1', takenAt: started, machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', kernel: release(), node: process.version, loadavgEnd: loadavg() }, busy, targets }, null, 2) + '\n');
  const lines = [`sshtop busy-screen benchmark — ${started}, ${cpus().length} CPUs, node ${process.version}; load average at the end ${loadavg().map((v) => round(v)).join(' ')}`, '', ...busyReport(busy), ''];
  for (const t of targets) lines.push(`${t.target.padEnd(58)} ${t.limit.padStart(12)} ${t.value.padStart(24)}  ${t.ok ? 'PASS' : 'MISS'}`);
  process.stdout.write(`${lines.join('\n')}\n\nresults: ${file}\n`);
}

/** `hold <scenario>`: the world of one scenario, kept up until Enter or a signal (for --cpu-prof by hand) */
async function hold(index: number): Promise<void> {
  const s = BUSY_SCENARIOS[index] as BusyScenario;
  const { lab } = await startBusyLab(s);
  const room = ensurePidRoom(s.extra);
  const idle = await startIdle(s.extra);
  console.log(`busy world "${s.name}": lab sshd ${lab.sshdPid} port ${lab.port}, idle parent ${idle.pid} (${idle.count}); Enter stops`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await idle.stop();
    room.restore();
    await lab.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.stdin.on('data', stop);
  process.stdin.on('end', stop);
}

if (process.argv[1]?.endsWith('busy.ts') && process.argv[2] === 'hold') void hold(Number(process.argv[3] ?? 0));
