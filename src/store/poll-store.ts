// The polling store: owns the timer, publishes one immutable state per poll (the same object
// between polls, for useSyncExternalStore), computes per-process %CPU from deltas, keeps the last
// good model with an error message when a read fails, and can be paused (state frozen).
import { nextDState, sinceOf, type DStateSeen } from '../model/d-state.js';
import type { Model } from '../model/types.js';

export interface StoreState {
  model: Model | null;
  /** the last read's failure, shown over the last good model */
  error: string | null;
  paused: boolean;
  /** %CPU per `pid:startTicks`, from the cpu-tick delta since the previous poll */
  cpu: ReadonlyMap<string, number>;
  /** polls so far */
  polls: number;
}

export interface SessionStore {
  subscribe(listener: () => void): () => void;
  getSnapshot(): StoreState;
  /** begin polling (a store made with deferStart); resolves when the first poll has published */
  start(): Promise<void>;
  setPaused(paused: boolean): void;
  stop(): void;
}

export interface PollOptions {
  /** one read; gets the D-state history it should use for `hung` */
  take: (dStateSince: ReadonlyMap<string, number>) => Promise<Model>;
  intervalMs: number;
  clkTck?: number;
  now?: () => number;
  /** wait for start(): the TUI starts the first poll itself, and draws once it is in */
  deferStart?: boolean;
}

const key = (pid: number, startTicks: number) => `${pid}:${startTicks}`;

export function createPollStore(opts: PollOptions): SessionStore {
  const listeners = new Set<() => void>();
  const now = opts.now ?? Date.now;
  const clkTck = opts.clkTck ?? 100;
  let state: StoreState = { model: null, error: null, paused: false, cpu: new Map(), polls: 0 };
  let prevTicks = new Map<string, number>();
  let prevAt = 0;
  let dState = new Map<string, DStateSeen>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let inFlight = false;

  const publish = (next: StoreState) => {
    state = next;
    for (const l of listeners) l();
  };

  const poll = async () => {
    if (stopped || inFlight || state.paused) return;
    inFlight = true;
    try {
      const model = await opts.take(sinceOf(dState));
      if (stopped) return;
      const at = now();
      const ticks = new Map<string, number>();
      const cpu = new Map<string, number>();
      const seconds = (at - prevAt) / 1000;
      for (const s of model.sessions) {
        for (const p of s.processes) {
          const k = key(p.pid, p.startTicks);
          ticks.set(k, p.cpuTicks);
          const before = prevTicks.get(k);
          if (before !== undefined && seconds > 0) cpu.set(k, Math.max(0, ((p.cpuTicks - before) / clkTck / seconds) * 100));
        }
      }
      prevTicks = ticks;
      prevAt = at;
      dState = nextDState(dState, model.sessions.flatMap((s) => s.processes), at);
      if (!state.paused) publish({ ...state, model, error: null, cpu, polls: state.polls + 1 });
    } catch (e) {
      if (!stopped && !state.paused) publish({ ...state, error: e instanceof Error ? e.message : String(e) });
    } finally {
      inFlight = false;
    }
  };

  const schedule = () => {
    if (stopped) return;
    // not unref()'d: the timer is what keeps a watch session alive
    timer = setTimeout(async () => {
      await poll();
      schedule();
    }, opts.intervalMs);
  };

  let started: Promise<void> | undefined;
  const start = () => {
    if (started) return started;
    const first = poll();
    started = first;
    void first.then(schedule);
    return first;
  };
  if (!opts.deferStart) void start();

  return {
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    getSnapshot: () => state,
    start,
    setPaused(paused) {
      if (paused !== state.paused) publish({ ...state, paused });
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
