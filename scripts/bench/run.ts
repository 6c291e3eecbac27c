// `npm run bench`: sshtop's performance, measured side by side in one run on this machine, against
// the targets in docs/performance.md.
// A real sshd lab with 50 sessions; then 5,000 and 20,000 idle processes; per level the tick cost
// (collect, model, render), the same snapshot by ps-list and by a naive /proc scan, the real
// `sshtop --watch` against `htop` over the same 30 s, memory, time to first frame and `--json`;
// then a synthetic /proc tree with 1,000 sessions. Prints a table of targets and writes it as JSON
// to .bench/results.json. Not a test: the numbers are for people, nothing here fails on them.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { join } from 'node:path';
import { ProcReader } from '../../src/proc/reader.js';
import { createCollector } from '../../src/collect/collector.js';
import type { Model } from '../../src/model/types.js';
import { parseCommandLine } from '../../src/cli/args.js';
import { requireLab } from '../../test/support/lab.js';
import { waitFor } from '../../test/support/wait.js';
import { measureBaselines, measureJson } from './baselines.js';
import { BENCH_DIR, ensurePidRoom, startIdle, taskCount, type IdleGroup } from './idle-procs.js';
import { measureKeys } from './keys.js';
import { startSessionLab } from './lab-sessions.js';
import { mark, round, since, summarize, type Summary } from './stats.js';
import { buildSyntheticTree } from './synthetic-tree.js';
import { busyReport, busyTargets, measureBusy, runBusyOnly } from './busy.js';
import { livePtys } from './pty.js';
import { SMALL_HEAP_FLAG, firstFrame, watchVersusHtop } from './terminal.js';
import { measureStartup, startupLines } from './startup.js';
import { measureTicks, type TickRun } from './tick.js';

const TICKS = Number(process.env.BENCH_TICKS ?? 30);
const WINDOW_S = Number(process.env.BENCH_WINDOW ?? 30);
const LEVELS = [5_000, 20_000];
const SIZE = { columns: 200, rows: 50 };
const started = Date.now();
const log = (msg: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${msg}\n`);

// the benchmark measures the shipped bundle's React build (esbuild defines NODE_ENV=production)
process.env.NODE_ENV = 'production';

/** everything started here, stopped in reverse order whatever happens */
const cleanups: (() => Promise<void> | void)[] = [];
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch (e) {
        log(`cleanup: ${(e as Error).message}`);
      }
    }
  })();
  return cleaning;
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    log(`${sig}: cleaning up`);
    void cleanup().then(() => process.exit(130));
  });
}

interface TickStats {
  /** phases by main-thread CPU (their own work); totals by process CPU (GC helpers included) */
  collect: Summary;
  model: Summary;
  render: Summary;
  total: Summary;
  totalThread: Summary;
  totalWall: Summary;
  scans: Record<string, number>;
  collectByScan: Record<string, Summary>;
  procs: number;
  sessions: number;
  childCpuPerTick: number;
  /** ticks whose poll changed the screen, so a frame was drawn */
  framesDrawn: number;
  ticks: number;
}

function tickStats(run: TickRun): TickStats {
  const thread = (k: 'collect' | 'model' | 'render' | 'total') => summarize(run.samples.map((s) => s[k].thread));
  const scans: Record<string, number> = {};
  for (const s of run.samples) scans[s.scan] = (scans[s.scan] ?? 0) + 1;
  // collect by kind of tick: a walk of the known trees, or a walk plus a look for new pids
  const collectByScan: Record<string, Summary> = {};
  for (const kind of Object.keys(scans)) collectByScan[kind] = summarize(run.samples.filter((s) => s.scan === kind).map((s) => s.collect.thread));
  return {
    collect: thread('collect'),
    model: thread('model'),
    render: thread('render'),
    total: summarize(run.samples.map((s) => s.total.cpu)),
    totalThread: thread('total'),
    totalWall: summarize(run.samples.map((s) => s.total.wall)),
    scans,
    collectByScan,
    framesDrawn: run.samples.filter((s) => s.frameBytes > 0).length,
    ticks: run.samples.length,
    procs: run.procs,
    sessions: run.sessions,
    childCpuPerTick: run.childCpuPerTick,
  };
}

/** render cost of one model by terminal size: a static store, the same frame drawn again and again */
async function renderBySize(model: Model, sizes: { columns: number; rows: number }[]) {
  const { FakeTty, FakeKeys } = await import('./tick.js');
  const [{ render }, React, { App }, { createStaticStore }] = await Promise.all([import('ink'), import('react'), import('../../src/ui/App.js'), import('../../test/support/static-store.js')]);
  const { sleep } = await import('./stats.js');
  const out: Record<string, Summary> = {};
  for (const size of sizes) {
    const tty = new FakeTty(size.columns, size.rows);
    const store = createStaticStore({ model, error: null, paused: false, cpu: new Map(), polls: 1 });
    const app = render(React.createElement(App, { store, readOnly: true, host: 'bench', color: true, sort: 'login' }), {
      stdout: tty as unknown as NodeJS.WriteStream,
      stdin: new FakeKeys() as unknown as NodeJS.ReadStream,
      stderr: tty as unknown as NodeJS.WriteStream,
      exitOnCtrlC: false,
      patchConsole: false,
    });
    await sleep(50);
    const cpu: number[] = [];
    for (let i = 0; i < 25; i++) {
      // a new snapshot time: the clock in the header changes, as on every real tick
      const next = { ...model, takenAt: model.takenAt + (i + 1) * 1000 };
      const a = mark();
      store.set({ model: next, polls: i + 2 });
      await new Promise((r) => setImmediate(r));
      if (i >= 5) cpu.push(since(a).thread);
      // Ink draws at most 30 frames a second: stay clear of its throttle
      await sleep(40);
    }
    app.unmount();
    out[`${size.columns}x${size.rows}`] = summarize(cpu);
  }
  return out;
}

/** the reader alone, walking the known trees back to back: no render garbage, no new-pid look */
function walkOnly(reads = 100): { thread: Summary; procs: number } {
  const reader = new ProcReader({ selfPid: process.pid, newPidScanMs: 1e12, fullScanMs: 1e12, netRefreshMs: 1e12 });
  reader.read();
  reader.read();
  const t: number[] = [];
  let procs = 0;
  for (let i = 0; i < reads; i++) {
    const a = mark();
    procs = reader.read().procs.size;
    t.push(since(a).thread);
  }
  reader.close();
  return { thread: summarize(t), procs };
}

async function measureLevel(idle: number, lab: { sessions: number }) {
  const procsNow = taskCount();
  const walk = walkOnly();
  log(`${idle} idle processes (${procsNow} tasks on the machine): ${TICKS} ticks of sshtop --watch in this process`);
  const ticks = tickStats(await measureTicks({ args: ['--watch', '--interval', '1'], ticks: TICKS, warmup: 3, ...SIZE }));
  log(`  ticks: total median ${ticks.total.median.toFixed(2)} ms CPU; baselines (ps-list, naive /proc scan, fresh reader)`);
  // ps-list takes seconds at 20k: fewer repetitions keep the run within a few minutes
  const base = await measureBaselines(idle >= 20_000 ? 3 : 5);
  log(`  real sshtop --watch (and a small-heap variant) beside htop -d 10 for ${WINDOW_S} s`);
  const side = await watchVersusHtop(WINDOW_S, SIZE);
  log(`  time to first frame, sshtop --json`);
  const ff = await firstFrame(idle >= 20_000 ? 3 : 5, SIZE);
  const json = measureJson(idle >= 20_000 ? 3 : 5);
  const startup = idle === LEVELS[0] ? await measureStartup({ log }) : null;
  return { idle, tasks: procsNow, labSessions: lab.sessions, walk, ticks, baselines: base, side, firstFrame: ff, json, startup };
}

async function measureSynthetic(sessions: number) {
  log(`synthetic /proc tree with ${sessions} sessions`);
  const tree = buildSyntheticTree(sessions);
  cleanups.push(() => tree.cleanup());
  const args = ['--watch', '--interval', '1', '--proc-root', tree.procRoot, '--dev-root', tree.devRoot, '--passwd', tree.passwd];
  const ticks = tickStats(await measureTicks({ args, ticks: Math.min(TICKS, 15), warmup: 2, ...SIZE }));
  const parsed = parseCommandLine(args, process.env);
  if (parsed.kind !== 'run') throw new Error('bad synthetic arguments');
  const reader = new ProcReader({ procRoot: tree.procRoot, devRoot: tree.devRoot, passwdPath: tree.passwd, selfPid: process.pid });
  const snap = reader.read();
  reader.close();
  const { full } = await createCollector({ kind: 'proc', read: async () => snap }, { ...parsed.options, user: undefined, filter: undefined }).take();
  log(`  key press to frame (ink-testing-library)`);
  const keys = await measureKeys(full, SIZE);
  const renderSizes = await renderBySize(full, [SIZE, { columns: 80, rows: 24 }]);
  return { sessions, modelSessions: full.sessions.length, ticks, keys, renderSizes };
}

const pass = (ok: boolean) => (ok ? 'PASS' : 'MISS');

async function main(): Promise<void> {
  const skip = requireLab();
  if (skip) throw new Error(`the benchmark needs the real sshd lab: ${skip}`);
  if (process.env.BENCH_ONLY === 'busy') return runBusyOnly(log, cleanups);
  const startLoad = loadavg();
  log(`lab: real sshd with 50 sessions (30 tty, 10 exec, 10 forward)`);
  const { lab, clients } = await startSessionLab();
  cleanups.push(() => lab.stop());
  // sshtop and htop on ptys, if a signal cuts a measurement short
  cleanups.push(async () => {
    for (const p of [...livePtys]) await p.stop();
  });
  // the sessions must exist on the server side before measuring
  await waitFor('lab sessions', () => lab.serverPids().length >= clients.length * 2, 20_000);

  const room = ensurePidRoom(LEVELS[LEVELS.length - 1] as number);
  cleanups.push(() => room.restore());
  if (room.limits.raisedFrom !== null) log(`pid_max raised from ${room.limits.raisedFrom} to ${room.limits.pidMax} (restored at the end)`);

  const groups: IdleGroup[] = [];
  cleanups.push(async () => {
    for (const g of groups) await g.stop();
  });
  const levels = [];
  let have = 0;
  for (const level of LEVELS) {
    const g = await startIdle(level - have);
    groups.push(g);
    have = level;
    log(`forked ${g.count} idle processes in ${g.spawnMs.toFixed(0)} ms`);
    levels.push(await measureLevel(level, { sessions: clients.length }));
  }
  // 20,000 processes exiting at once spike the load average: note it before they go
  const loadWithIdle = loadavg();
  for (const g of groups.splice(0)) await g.stop();
  room.restore();

  const synthetic = await measureSynthetic(1000);
  const busy = await measureBusy(log, cleanups);
  await cleanup();

  const [l5, l20] = levels as [(typeof levels)[number], (typeof levels)[number]];
  const changePct = (a: number, b: number) => ((b - a) / a) * 100;
  const tickChange = changePct(l5.ticks.total.median, l20.ticks.total.median);
  const tickChangeMean = changePct(l5.ticks.total.mean, l20.ticks.total.mean);
  const watchChange = changePct(l5.side.sshtop.perTick, l20.side.sshtop.perTick);
  const htopRatio = l5.side.htop.perTick / l5.side.sshtop.perTick;
  const jsonRatio = l5.baselines.psList.wall.median / l5.json.wall.median;
  const targets = [
    { target: 'tick CPU, 50 sessions (collect+model+render), median', limit: '<= 3 ms', value: `${round(l5.ticks.total.median)} ms`, ok: l5.ticks.total.median <= 3 },
    { target: 'tick cost change 5k -> 20k processes (median)', limit: '< 10 %', value: `${round(tickChange, 1)} %`, ok: Math.abs(tickChange) < 10 },
    { target: 'sshtop --watch CPU vs htop -d 10 (5k), htop/sshtop', limit: '>= 25x', value: `${round(htopRatio, 1)}x`, ok: htopRatio >= 25 },
    { target: 'sshtop --watch CPU at 1 s interval, 5k processes', limit: '<= 1 % core', value: `${round(l5.side.sshtop.corePct, 2)} %`, ok: l5.side.sshtop.corePct <= 1 },
    { target: 'sshtop --watch memory (VmHWM peak; VmRSS at end)', limit: '<= 80 MB', value: `${round(l5.side.sshtop.hwmMb, 1)} MB (${round(l5.side.sshtop.rssMb, 1)})`, ok: l5.side.sshtop.hwmMb <= 80 },
    { target: 'time to first frame (header), median', limit: '<= 250 ms', value: `${round(l5.firstFrame.header.median, 0)} ms`, ok: l5.firstFrame.header.median <= 250 },
    { target: '1,000 sessions: tick CPU, median', limit: '<= 40 ms', value: `${round(synthetic.ticks.total.median, 1)} ms`, ok: synthetic.ticks.total.median <= 40 },
    { target: '1,000 sessions: key press to frame, median', limit: '<= 50 ms', value: `${round(synthetic.keys.wall.median, 1)} ms`, ok: synthetic.keys.wall.median <= 50 },
    { target: '--json vs one ps-list call (wall), ps-list/json', limit: '>= 10x', value: `${round(jsonRatio, 1)}x`, ok: jsonRatio >= 10 },
    ...busyTargets(busy),
  ].map((t) => ({ ...t, result: pass(t.ok) }));

  const results = {
    schema: 'sshtop-bench/1',
    takenAt: new Date(started).toISOString(),
    durationSeconds: Math.round((Date.now() - started) / 1000),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? '?',
      kernel: release(),
      node: process.version,
      loadavgStart: startLoad.map((v) => round(v)),
      loadavgWithIdle: loadWithIdle.map((v) => round(v)),
      loadavgEnd: loadavg().map((v) => round(v)),
      pidLimits: room.limits,
      note: 'timings are CPU time where possible; taken on a shared machine unless said otherwise',
    },
    terminal: SIZE,
    levels,
    synthetic,
    busy,
    derived: {
      tickChangeMedianPct: tickChange,
      tickChangeMeanPct: tickChangeMean,
      collectChangePct: changePct(l5.ticks.collect.median, l20.ticks.collect.median),
      walkChangePct: changePct(l5.walk.thread.median, l20.walk.thread.median),
      watchChangePct: watchChange,
      htopRatio,
      jsonRatio,
    },
    targets,
  };
  const file = join(BENCH_DIR, 'results.json');
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  printReport(results);
  process.stdout.write(`\nresults: ${file}\n`);
}

function printReport(r: any): void {
  const ms = (s: Summary) => `${round(s.median)} / ${round(s.p95)}`;
  const lines: string[] = [];
  const row = (cols: string[], widths: number[]) => lines.push(cols.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  '));
  lines.push(`sshtop benchmark — ${r.takenAt}, ${r.machine.cpus} CPUs (${r.machine.cpuModel}), ${r.machine.kernel}, node ${r.machine.node}`);
  lines.push(`load average at start ${r.machine.loadavgStart.join(' ')}, with 20k idle ${r.machine.loadavgWithIdle.join(' ')} (a shared machine: other work ran beside it)`);
  lines.push(`terminal ${r.terminal.columns}x${r.terminal.rows}; figures are median / p95 in ms of CPU unless marked wall; tick phases are main-thread CPU`);
  lines.push('');
  const w = [44, 16, 16];
  row(['', ...r.levels.map((l: any) => `${l.idle / 1000}k idle`)], w);
  row(['tasks on the machine', ...r.levels.map((l: any) => String(l.tasks))], w);
  row(['sessions / processes in sshtop\'s snapshot', ...r.levels.map((l: any) => `${l.ticks.sessions} / ${l.ticks.procs}`)], w);
  row(['tick: collect (ProcReader.read), main thread', ...r.levels.map((l: any) => ms(l.ticks.collect))], w);
  row(['tick: model (takeModel + store), main thread', ...r.levels.map((l: any) => ms(l.ticks.model))], w);
  row(['tick: render (App frame, Ink), main thread', ...r.levels.map((l: any) => ms(l.ticks.render))], w);
  row(['tick: total, main thread', ...r.levels.map((l: any) => ms(l.ticks.totalThread))], w);
  row(['tick: total, process (+ GC threads)', ...r.levels.map((l: any) => ms(l.ticks.total))], w);
  row(['tick: total process, mean', ...r.levels.map((l: any) => String(round(l.ticks.total.mean)))], w);
  row(['tick: total wall', ...r.levels.map((l: any) => ms(l.ticks.totalWall))], w);
  row(['tick: children (ss, sshd -T), mean', ...r.levels.map((l: any) => String(round(l.ticks.childCpuPerTick)))], w);
  row(['ticks that drew a frame', ...r.levels.map((l: any) => `${l.ticks.framesDrawn} of ${l.ticks.ticks}`)], w);
  row(['tick scans (walk / new-pids / full)', ...r.levels.map((l: any) => `${l.ticks.scans.walk ?? 0}/${l.ticks.scans['new-pids'] ?? 0}/${l.ticks.scans.full ?? 0}`)], w);
  row(['reader alone, walk of the known trees', ...r.levels.map((l: any) => `${ms(l.walk.thread)} (${l.walk.procs})`)], w);
  row(['collect, walk ticks', ...r.levels.map((l: any) => (l.ticks.collectByScan.walk ? ms(l.ticks.collectByScan.walk) : '-'))], w);
  row(['collect, new-pid ticks', ...r.levels.map((l: any) => (l.ticks.collectByScan['new-pids'] ? ms(l.ticks.collectByScan['new-pids']) : '-'))], w);
  row(['snapshot: sshtop fresh reader (= --json)', ...r.levels.map((l: any) => ms(l.baselines.freshReader.cpu))], w);
  row(['snapshot: ps-list (incl. ps)', ...r.levels.map((l: any) => ms(l.baselines.psList.cpu))], w);
  row(['snapshot: naive /proc scan', ...r.levels.map((l: any) => ms(l.baselines.naive.cpu))], w);
  row(['ratio ps-list / sshtop collect', ...r.levels.map((l: any) => `${round(l.baselines.psList.cpu.median / l.ticks.collect.median, 1)}x`)], w);
  row(['ratio naive / sshtop collect', ...r.levels.map((l: any) => `${round(l.baselines.naive.cpu.median / l.ticks.collect.median, 1)}x`)], w);
  row(['ratio ps-list / naive', ...r.levels.map((l: any) => `${round(l.baselines.psList.cpu.median / l.baselines.naive.cpu.median, 1)}x`)], w);
  row([`sshtop --watch CPU over ${r.levels[0].side.sshtop.seconds} s (self+children)`, ...r.levels.map((l: any) => `${l.side.sshtop.self}+${l.side.sshtop.children} ms`)], w);
  row(['htop -d 10 CPU, same window', ...r.levels.map((l: any) => `${l.side.htop.self} ms`)], w);
  row(['per tick: sshtop / htop', ...r.levels.map((l: any) => `${round(l.side.sshtop.perTick, 1)} / ${round(l.side.htop.perTick, 1)}`)], w);
  row(['htop / sshtop', ...r.levels.map((l: any) => `${round(l.side.htop.perTick / l.side.sshtop.perTick, 1)}x`)], w);
  row(['sshtop --watch VmRSS / VmHWM (MB)', ...r.levels.map((l: any) => `${round(l.side.sshtop.rssMb, 1)} / ${round(l.side.sshtop.hwmMb, 1)}`)], w);
  row([`same, node ${SMALL_HEAP_FLAG}: per tick`, ...r.levels.map((l: any) => `${round(l.side.smallHeap.perTick, 1)} ms`)], w);
  row([`same, node ${SMALL_HEAP_FLAG}: RSS / HWM`, ...r.levels.map((l: any) => `${round(l.side.smallHeap.rssMb, 1)} / ${round(l.side.smallHeap.hwmMb, 1)}`)], w);
  row(['first frame: header (wall)', ...r.levels.map((l: any) => ms(l.firstFrame.header))], w);
  row(['first frame: with sessions (wall)', ...r.levels.map((l: any) => ms(l.firstFrame.data))], w);
  row(['sshtop --json, whole process (wall)', ...r.levels.map((l: any) => ms(l.json.wall))], w);
  row(['ps-list call (wall)', ...r.levels.map((l: any) => ms(l.baselines.psList.wall))], w);
  row(['ratio ps-list / --json (wall)', ...r.levels.map((l: any) => `${round(l.baselines.psList.wall.median / l.json.wall.median, 1)}x`)], w);
  lines.push('');
  for (const l of r.levels[0].startup ? startupLines(r.levels[0].startup) : []) lines.push(l);
  lines.push('');
  lines.push(`5k -> 20k: tick median ${round(r.derived.tickChangeMedianPct, 1)} %, tick mean ${round(r.derived.tickChangeMeanPct, 1)} %, collect median ${round(r.derived.collectChangePct, 1)} %, reader walk alone ${round(r.derived.walkChangePct, 1)} %, real --watch CPU ${round(r.derived.watchChangePct, 1)} %`);
  const s = r.synthetic;
  lines.push('');
  lines.push(`synthetic /proc tree, ${s.sessions} sessions (${s.ticks.procs} processes, ${s.modelSessions} in the model):`);
  lines.push(`  tick (main thread) collect ${ms(s.ticks.collect)}, model ${ms(s.ticks.model)}, render ${ms(s.ticks.render)}; total ${ms(s.ticks.totalThread)}, process ${ms(s.ticks.total)}`);
  lines.push(`  key press to frame (wall) ${ms(s.keys.wall)}, CPU ${ms(s.keys.cpu)}; frame ${s.keys.frameLines} lines for ${r.terminal.rows} rows${s.keys.unchanged.length ? `; no change after: ${s.keys.unchanged.join(', ')}` : ''}`);
  lines.push(`  render of the same frame by terminal size: ${Object.entries(s.renderSizes).map(([k, v]: [string, any]) => `${k} ${ms(v)}`).join(', ')}`);
  lines.push('', ...busyReport(r.busy), '');
  const tw = [54, 12, 20, 6];
  row(['target (docs/performance.md)', 'limit', 'measured', ''], tw);
  for (const t of r.targets) row([t.target, t.limit, t.value, t.result], tw);
  process.stdout.write(lines.join('\n') + '\n');
}

main().then(
  () => cleanup(),
  async (e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    await cleanup();
    process.exitCode = 1;
  },
);
