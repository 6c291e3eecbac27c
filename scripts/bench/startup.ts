// Start-up, measured side by side (issue 14, item 5; targets in docs/performance.md): the release
// executable's `--json` and `--once` and `node bin/sshtop --json` against `ps -eo`, `w` and one
// ps-list call, each a whole process from spawn to exit, interleaved in every window (the order
// shuffled per window) so load from elsewhere hits all alike; then the TUI's first frame with the
// sessions, executable and node in turn. Two floors explain what is left: an empty script
// compiled by the same pinned Bun, and the executable's `--version` (Bun plus loading the bundle).
//
// `npm run bench` calls measureStartup at its 5,000-process level. Alone, with its own lab
// sessions and idle processes up to 5,000 processes on the machine: `npm run bench:startup` (BENCH_STARTUP_WINDOWS, default 7;
// `npm run release:bench` is the same). Other builds to compare (another runtime, an older
// release) join every window: SSHTOP_BENCH_EXTRA="name=/path/to/sshtop;name2=/path/…".
// The executable is built when missing or older than the sources; without the pinned Bun that
// part is skipped with a line saying why, and the rest still runs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { executablePath, pinnedBun } from '../release.mjs';
import { REPO, SSHTOP, requireLab } from '../../test/support/lab.js';
import { waitFor } from '../../test/support/wait.js';
import { BENCH_DIR, ensurePidRoom, startIdle, taskCount, type IdleGroup } from './idle-procs.js';
import { startSessionLab } from './lab-sessions.js';
import { livePtys } from './pty.js';
import { procCpu, round, summarize, type Summary } from './stats.js';
import { NODE_SSHTOP, firstFrameOnce } from './terminal.js';

const ARCH = process.arch === 'arm64' ? 'arm64' : 'x64';
const SIZE = { columns: 200, rows: 50 };
/** processes on the machine the targets are set for (issue 14, item 5) */
const TARGET_PROCS = 5_000;

type Role = 'sshtop' | 'comparison' | 'floor';

interface Tool {
  name: string;
  argv: string[];
  role: Role;
}

export interface ToolResult {
  name: string;
  role: Role;
  argv: string[];
  /** ms, spawn to exit */
  wall: Summary;
  /** user+sys of the process and its children, ms per run (clock ticks of 10 ms, averaged) */
  cpuPerRun: number;
}

export interface StartupResult {
  windows: number;
  /** processes on the machine (/proc/[0-9]*) when the section started, and when it ended */
  procs: number;
  procsEnd: number;
  /** sessions in the executable's (or node's) --json of the first window */
  sessions: number;
  loadavgStart: number[];
  loadavgEnd: number[];
  executable: string | null;
  /** why the executable's part did not run */
  skipped: string | null;
  tools: ToolResult[];
  /** sshtop's median / the comparison's median, for every pair */
  ratios: { sshtop: string; comparison: string; ratio: number }[];
  /** ms from spawn to the header, and to the first frame with the sessions */
  firstFrame: { name: string; header: Summary; data: Summary }[];
}

/** newest modification time under `dir` (the sources the executable is built from) */
function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** the release executable for this machine, built by `npm run release` when missing or stale */
export function ensureExecutable(log: (msg: string) => void): { path: string } | { skip: string } {
  const exe = executablePath(ARCH);
  const inputs = ['src', 'package.json', 'package-lock.json', 'scripts/build.mjs', 'scripts/release.mjs', 'packaging/pins.json'].map((p) => join(REPO, p));
  if (existsSync(exe) && statSync(exe).mtimeMs >= Math.max(...inputs.map(newestMtime))) return { path: exe };
  log(`start-up: building the release executable (${existsSync(exe) ? 'older than the sources' : 'missing'}): npm run release for ${ARCH}`);
  const r = spawnSync(process.execPath, [join(REPO, 'scripts', 'release.mjs')], { cwd: REPO, encoding: 'utf8', env: { ...process.env, SSHTOP_RELEASE_ARCH: ARCH } });
  if (r.status !== 0 || !existsSync(exe)) return { skip: `npm run release failed, so the executable's start-up is not measured: ${(r.stderr || r.stdout || '').trim().split('\n').pop()}` };
  return { path: exe };
}

/** an empty script compiled like the release (same pinned Bun, same flags): Bun's own start-up */
function bunFloor(): string | undefined {
  try {
    const bun = pinnedBun(ARCH);
    // one per pinned runtime: its folder is named by package and version
    const dir = join(BENCH_DIR, 'bun-floor', basename(dirname(dirname(dirname(bun)))));
    const exe = join(dir, 'empty');
    if (existsSync(exe)) return exe;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'empty.mjs'), '// Bun start-up and nothing else\n');
    const r = spawnSync(bun, ['build', '--compile', '--bytecode', '--no-compile-autoload-dotenv', '--no-compile-autoload-bunfig', 'empty.mjs', '--outfile', 'empty'], { cwd: dir, encoding: 'utf8' });
    return r.status === 0 ? exe : undefined;
  } catch {
    return undefined;
  }
}

/** spawn to exit, and the CPU it and its children used */
function runOnce(argv: string[], env: NodeJS.ProcessEnv): { wall: number; cpu: number; stdout: string } {
  const before = procCpu('self')?.children ?? 0;
  const t0 = performance.now();
  const r = spawnSync(argv[0] as string, argv.slice(1), { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr.trim().slice(-500)}`);
  return { wall, cpu: (procCpu('self')?.children ?? 0) - before, stdout: r.stdout };
}

/** SSHTOP_BENCH_EXTRA="name=/path;…": more builds of sshtop to put in every window */
function extras(): [string, string][] {
  return (process.env.SSHTOP_BENCH_EXTRA ?? '')
    .split(';')
    .filter(Boolean)
    .map((part): [string, string] => [part.slice(0, part.indexOf('=')), part.slice(part.indexOf('=') + 1)]);
}

/**
 * A new order for every window, the same from run to run (a seeded shuffle). A fixed rotation
 * would put each command after the same neighbour every time, and a command right after another
 * /proc scan finds the kernel's /proc entries warm.
 */
function shuffler(seed = 14): <T>(xs: readonly T[]) => T[] {
  // mulberry32: 32-bit integer steps, exact in JavaScript numbers
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return (xs) => {
    const out = [...xs];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [out[i], out[j]] = [out[j] as (typeof out)[number], out[i] as (typeof out)[number]];
    }
    return out;
  };
}

const procCount = () => readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length;

export async function measureStartup(opts: { windows?: number; log?: (msg: string) => void } = {}): Promise<StartupResult> {
  const windows = Math.max(5, opts.windows ?? Number(process.env.BENCH_STARTUP_WINDOWS ?? 7));
  const log = opts.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const built = ensureExecutable(log);
  const exe = 'path' in built ? built.path : null;
  if (!exe && 'skip' in built) log(`start-up: ${built.skip}`);
  const floor = exe ? bunFloor() : undefined;
  const tools: Tool[] = [
    ...(exe
      ? [
          { name: 'executable --json', argv: [exe, '--json'], role: 'sshtop' as const },
          { name: 'executable --once', argv: [exe, '--once'], role: 'sshtop' as const },
        ]
      : []),
    { name: 'node bin/sshtop --json', argv: [process.execPath, SSHTOP, '--json'], role: 'sshtop' },
    ...extras().flatMap(([name, path]) => ['--json', '--once'].map((mode) => ({ name: `${name} ${mode}`, argv: [path, mode], role: 'sshtop' as const }))),
    { name: 'ps -eo pid,ppid,user,args', argv: ['ps', '-eo', 'pid,ppid,user,args'], role: 'comparison' },
    { name: 'w', argv: ['w'], role: 'comparison' },
    { name: 'ps-list call (node)', argv: [process.execPath, join(REPO, 'scripts', 'bench', 'ps-list-call.mjs')], role: 'comparison' },
    ...(exe ? [{ name: 'executable --version', argv: [exe, '--version'], role: 'floor' as const }] : []),
    ...(floor ? [{ name: 'empty script, same Bun', argv: [floor], role: 'floor' as const }] : []),
  ];
  // a tmux client's $TMUX would send sshtop looking for its attached clients: not what a user's run does
  const { TMUX: _tmux, ...env } = process.env;
  const procs = procCount();
  const loadavgStart = loadavg().map((v) => round(v));
  const walls = new Map<string, number[]>(tools.map((t) => [t.name, []]));
  const cpus = new Map<string, number>(tools.map((t) => [t.name, 0]));
  let sessions = 0;
  log(`start-up: ${windows} windows of ${tools.length} commands, interleaved (${procs} processes)`);
  const order = shuffler();
  for (let w = 0; w < windows; w++) {
    for (const t of order(tools)) {
      const r = runOnce(t.argv, env);
      walls.get(t.name)?.push(r.wall);
      cpus.set(t.name, (cpus.get(t.name) ?? 0) + r.cpu);
      if (w === 0 && t.argv.at(-1) === '--json' && sessions === 0) sessions = (JSON.parse(r.stdout) as { sessions: unknown[] }).sessions.length;
    }
  }
  const ttys: [string, readonly string[]][] = [...(exe ? [['executable', [exe]] as [string, readonly string[]]] : []), ['node bin/sshtop', NODE_SSHTOP], ...extras().map(([n, p]): [string, string[]] => [n, [p]])];
  const frames = new Map<string, { header: number[]; data: number[] }>(ttys.map(([n]) => [n, { header: [], data: [] }]));
  log(`start-up: TUI first frame with sessions, ${windows} windows (${ttys.map(([n]) => n).join(', ')} in turn)`);
  for (let w = 0; w < windows; w++) {
    for (const [name, argv] of order(ttys)) {
      const f = await firstFrameOnce(argv, SIZE);
      frames.get(name)?.header.push(f.header);
      frames.get(name)?.data.push(f.data);
    }
  }
  const results: ToolResult[] = tools.map((t) => ({ name: t.name, role: t.role, argv: t.argv, wall: summarize(walls.get(t.name) ?? []), cpuPerRun: (cpus.get(t.name) ?? 0) / windows }));
  const ratios = results
    .filter((s) => s.role === 'sshtop')
    .flatMap((s) => results.filter((c) => c.role === 'comparison').map((c) => ({ sshtop: s.name, comparison: c.name, ratio: s.wall.median / c.wall.median })));
  return {
    windows,
    procs,
    procsEnd: procCount(),
    sessions,
    loadavgStart,
    loadavgEnd: loadavg().map((v) => round(v)),
    executable: exe,
    skipped: 'skip' in built ? built.skip : null,
    tools: results,
    ratios,
    firstFrame: [...frames].map(([name, f]) => ({ name, header: summarize(f.header), data: summarize(f.data) })),
  };
}

/** the section's rows for a report: median and spread per command, its ratios, the targets */
export function startupLines(r: StartupResult): string[] {
  const ms = (s: Summary) => `${round(s.median, 0)} ms  (${round(s.min, 0)}–${round(s.max, 0)})`;
  const comparisons = r.tools.filter((t) => t.role === 'comparison');
  const cols = [36, 22, 9, ...comparisons.map(() => 11)];
  const row = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(cols[i] as number) : c.padStart(cols[i] as number))).join(' ');
  const lines = [
    `start-up: ${r.windows} windows, each command once per window in a shuffled order; ${r.procs} -> ${r.procsEnd} processes, ${r.sessions} sessions; load ${r.loadavgStart.join(' ')} -> ${r.loadavgEnd.join(' ')}`,
  ];
  if (r.skipped) lines.push(`  executable not measured: ${r.skipped}`);
  // the comparison's name up to its options' values: ps -eo, w, ps-list
  lines.push(row(['  whole process, wall', 'median (min–max)', 'cpu/run', ...comparisons.map((c) => `x ${c.name.replace(/ (pid|call).*$/, '')}`)]));
  for (const t of r.tools) {
    const ratios = comparisons.map((c) => (t.role === 'sshtop' ? `${round(t.wall.median / c.wall.median, 2)}` : ''));
    lines.push(row([`  ${t.name}`, ms(t.wall), `${round(t.cpuPerRun, 0)} ms`, ...ratios]));
  }
  for (const f of r.firstFrame) lines.push(row([`  ${f.name}: TUI header`, ms(f.header)]), row([`  ${f.name}: TUI with sessions`, ms(f.data)]));
  const get = (name: string) => r.tools.find((t) => t.name === name)?.wall;
  const exeFrame = r.firstFrame.find((f) => f.name === 'executable')?.data;
  const targets: [string, Summary | undefined, number][] = [
    ['executable --json <= 100 ms (median)', get('executable --json'), 100],
    ['executable --once <= 100 ms (median)', get('executable --once'), 100],
    ['executable TUI first frame with sessions <= 250 ms', exeFrame, 250],
  ];
  for (const [what, s, limit] of targets) lines.push(`  target: ${what}: ${s ? `${s.median <= limit ? 'MET' : 'MISSED'} (${ms(s)})` : 'not measured'}`);
  return lines;
}

/** alone: its own lab sessions and 5,000 idle processes, stopped by pid at the end */
async function main(): Promise<void> {
  const started = Date.now();
  const log = (msg: string) => process.stderr.write(`[startup ${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${msg}\n`);
  const skip = requireLab();
  if (skip) throw new Error(`the start-up bench needs the real sshd lab: ${skip}`);
  const cleanups: (() => Promise<void> | void)[] = [];
  const cleanup = async () => {
    for (const c of cleanups.splice(0).reverse()) await Promise.resolve(c()).catch((e: unknown) => log(`cleanup: ${(e as Error).message}`));
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, () => void cleanup().then(() => process.exit(130)));
  try {
    if (!existsSync(join(REPO, 'dist', 'bundle', 'cli.mjs'))) {
      const b = spawnSync('npm', ['run', 'build', '--silent'], { cwd: REPO, stdio: 'inherit' });
      if (b.status !== 0) throw new Error('npm run build failed');
    }
    log('lab: real sshd with 50 sessions (30 tty, 10 exec, 10 forward)');
    const { lab, clients } = await startSessionLab();
    cleanups.push(() => lab.stop());
    cleanups.push(async () => {
      for (const p of [...livePtys]) await p.stop();
    });
    await waitFor('lab sessions', () => lab.serverPids().length >= clients.length * 2, 20_000);
    // the target's machine has 5,000 processes: top up to that (another bench may hold thousands already)
    const want = Math.max(0, TARGET_PROCS - procCount());
    const room = ensurePidRoom(want);
    cleanups.push(() => room.restore());
    if (want > 0) {
      const idle: IdleGroup = await startIdle(want);
      cleanups.push(() => idle.stop());
    }
    log(`forked ${want} idle processes: ${procCount()} processes, ${taskCount()} tasks on the machine`);
    const r = await measureStartup({ log });
    await cleanup();
    mkdirSync(BENCH_DIR, { recursive: true });
    const file = join(BENCH_DIR, 'startup.json');
    writeFileSync(file, JSON.stringify({ schema: 'sshtop-bench-startup/1', takenAt: new Date(started).toISOString(), ...r }, null, 2) + '\n');
    process.stdout.write(startupLines(r).join('\n') + `\n\nresults: ${file}\n`);
  } finally {
    await cleanup();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`startup bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  });
}
