// sshtop's per-tick cost, measured inside one process on the real code path of `sshtop --watch`:
// the polling store calls the reader (collect), takeModel (model), then publishes to the mounted
// App, which Ink renders to a fake terminal the way it renders to a real one (collect → model →
// render, each timed in CPU and wall time).
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { parseCommandLine } from '../../src/cli/args.js';
import type { ProcSnapshot } from '../../src/model/types.js';
import { ProcReader } from '../../src/proc/reader.js';
import type { SnapshotSource } from '../../src/proc/source.js';
import { createCollector } from '../../src/collect/collector.js';
import { createPollStore } from '../../src/store/poll-store.js';
import { FRAME_OPTIONS } from '../../src/ui/frame-options.js';
import { mark, procCpu, since, type Cost, type Mark } from './stats.js';

export interface TickSample {
  collect: Cost;
  model: Cost;
  render: Cost;
  total: Cost;
  /** how the reader found its processes this tick */
  scan: string;
  /** bytes Ink wrote for the frame (0: the poll changed nothing on screen, no frame was drawn) */
  frameBytes: number;
}

export interface TickRun {
  samples: TickSample[];
  /** processes in the snapshot, sessions in the model */
  procs: number;
  sessions: number;
  /** CPU of child processes (ss, sshd -T) over the run, per tick, ms (10 ms resolution) */
  childCpuPerTick: number;
  lastFrame: string;
}

/** a terminal Ink can draw on: a TTY of a fixed size that keeps the last frame */
export class FakeTty extends EventEmitter {
  readonly isTTY = true;
  bytes = 0;
  writes = 0;
  last = '';
  constructor(
    readonly columns: number,
    readonly rows: number,
  ) {
    super();
  }
  onWrite: () => void = () => undefined;
  write = (s: string): boolean => {
    this.bytes += s.length;
    this.writes++;
    this.last = s;
    this.onWrite();
    return true;
  };
}

/** a keyboard for Ink: raw mode is accepted, keys are written in with press() */
export class FakeKeys extends EventEmitter {
  readonly isTTY = true;
  private data: string | null = null;
  press(s: string): void {
    this.data = s;
    this.emit('readable');
    this.emit('data', s);
  }
  read = (): string | null => {
    const d = this.data;
    this.data = null;
    return d;
  };
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

export interface TickOptions {
  /** sshtop's command line (e.g. ['--watch'] or ['--watch', '--proc-root', dir, …]) */
  args: string[];
  ticks: number;
  /** ticks run first and not counted (the first one is a full scan, and the JIT is cold) */
  warmup?: number;
  columns?: number;
  rows?: number;
}

/** Ink reads CI once, when it loads: like the CLI, clear it before Ink is imported */
async function loadUi() {
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  const [{ render }, React, { App }] = await Promise.all([import('ink'), import('react'), import('../../src/ui/App.js')]);
  return { render, React, App };
}

export async function measureTicks(opts: TickOptions): Promise<TickRun> {
  const parsed = parseCommandLine(opts.args, process.env);
  if (parsed.kind !== 'run') throw new Error('bad sshtop arguments for the benchmark');
  const o = parsed.options;
  const { render, React, App } = await loadUi();
  // the same reader options as sourceFor() in src/collect/collector.ts
  const reader = new ProcReader({ procRoot: o.procRoot, devRoot: o.devRoot, passwdPath: o.passwd, tmux: undefined, selfPid: process.pid });
  const warmup = opts.warmup ?? 2;
  const wanted = warmup + opts.ticks;
  const samples: TickSample[] = [];
  let at: { t0: Mark; t1: Mark; t2?: Mark; t3?: Mark; t4?: Mark; scan: string; bytes: number } | undefined;
  let snap: ProcSnapshot | undefined;
  let sessions = 0;
  let done: () => void = () => undefined;
  const tty = new FakeTty(opts.columns ?? 200, opts.rows ?? 50);
  const keys = new FakeKeys();
  const finished = new Promise<void>((r) => (done = r));

  // one collector for the run, as runTui has: its policy and ss caches carry over between polls
  const source: SnapshotSource = { kind: 'proc', read: async () => snap as ProcSnapshot };
  const collector = createCollector(source, { ...o, user: undefined, filter: undefined });
  const store = createPollStore({
    intervalMs: o.intervalSeconds * 1000,
    // as runTui does: the full model, filtered in the UI; sshd -T and ss never waited for
    take: async (dStateSince) => {
      const t0 = mark();
      snap = reader.read();
      const t1 = mark();
      at = { t0, t1, scan: reader.lastScan, bytes: tty.bytes };
      const { full } = await collector.take({ dStateSince, background: true });
      at.t2 = mark();
      sessions = full.sessions.length;
      return full;
    },
  });
  // first listener: the store has finished its own work and starts publishing
  store.subscribe(() => {
    if (at) at.t3 = mark();
  });
  const instance = render(
    React.createElement(App, { store, readOnly: true, host: hostname(), color: o.color, sort: o.sort, filter: o.filter, user: o.user }),
    { stdout: tty as unknown as NodeJS.WriteStream, stdin: keys as unknown as NodeJS.ReadStream, stderr: tty as unknown as NodeJS.WriteStream, exitOnCtrlC: false, patchConsole: false, ...FRAME_OPTIONS },
  );
  // the App subscribes when it mounts; this listener runs after it
  await new Promise((r) => setTimeout(r, 0));
  let seen = 0;
  let childStart = 0;
  // React 19 renders a store update in a microtask after the listeners: the frame's last write
  // ends the render, so the sample is taken once the event loop has moved on
  tty.onWrite = () => {
    if (at?.t3) at.t4 = mark();
  };
  store.subscribe(() => {
    setImmediate(() => {
      if (!at?.t2 || !at.t3) return;
      // a poll that changes nothing on screen draws no frame: its render phase ends here
      if (!at.t4) at.t4 = mark();
      seen++;
      if (seen === warmup) childStart = procCpu('self')?.children ?? 0;
      if (seen > warmup) {
        samples.push({
          collect: since(at.t0, at.t1),
          model: since(at.t1, at.t3),
          render: since(at.t3, at.t4),
          total: since(at.t0, at.t4),
          scan: at.scan,
          frameBytes: tty.bytes - at.bytes,
        });
      }
      at = undefined;
      if (seen >= wanted) done();
    });
  });
  await finished;
  const childEnd = procCpu('self')?.children ?? 0;
  store.stop();
  instance.unmount();
  reader.close();
  return {
    samples,
    procs: snap?.procs.size ?? 0,
    sessions,
    childCpuPerTick: (childEnd - childStart) / Math.max(1, samples.length),
    lastFrame: tty.last,
  };
}
