// A live screen's heap, left to the engine's own heuristics, grows well past what it keeps alive.
// A full collection now and then while the screen runs keeps the peak down (docs/performance.md):
// - Bun (the release executable, JavaScriptCore), every 10 s: over ten minutes of a busy screen
//   its RSS peaked at 105 MB instead of 129 MB, for 1.1 ms/s more CPU;
// - Node (the npm package), every 30 s unless V8 ran a mark-compact of its own since the last
//   check. With 20 sessions V8 rarely does, and the 10-minute peak was 72.6-74.0 MB instead of
//   77.2-79.1 MB for 0.3-4 % more CPU. With 100 sessions V8 runs its own every 12-13 s, and forced
//   ones on top (11-38 ms each on the main thread) cost 18 % more CPU for 3 MB.
import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** how often, by runtime */
const EVERY_MS = { bun: 10_000, node: 30_000 };

interface BunRuntime {
  gc(full: boolean): void;
}

/** V8's full collection, and how many mark-compacts V8 ran by itself (not forced) so far */
export interface V8Collector {
  gc(): void;
  ownMarkCompacts(): number;
  stop(): void;
}

export interface HeapRuntime {
  Bun?: BunRuntime | undefined;
  v8?: (() => V8Collector) | undefined;
}

/**
 * V8's `gc()` without `--expose-gc` on node's command line (an unknown flag there stops node from
 * starting): the flag is set for the moment one new context is made, which then carries `gc`.
 * Called with no argument it is a full, synchronous mark-compact.
 */
export function v8FullGc(): () => void {
  setFlagsFromString('--expose-gc');
  try {
    return runInNewContext('gc') as () => void;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

type GcEntry = PerformanceEntry & { detail?: { kind: number; flags: number } };

/** the mark-compacts from now on, either V8's own or forced ones (`gc()` calls), by a gc observer */
export function markCompacts(forced: boolean): { count: () => number; stop: () => void } {
  let n = 0;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries() as GcEntry[]) {
      if (e.detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
      const wasForced = (e.detail.flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) !== 0;
      if (wasForced === forced) n++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return { count: () => n, stop: () => observer.disconnect() };
}

/** `gc()`, and V8's own mark-compacts counted */
export function v8Collector(): V8Collector {
  const own = markCompacts(false);
  return { gc: v8FullGc(), ownMarkCompacts: own.count, stop: own.stop };
}

const here: HeapRuntime = { Bun: (globalThis as { Bun?: BunRuntime }).Bun, v8: v8Collector };

/** full collections now and then until the returned stop is called (under Bun, or under Node) */
export function collectNowAndThen(runtime: HeapRuntime = here, everyMs?: number): () => void {
  const bun = runtime.Bun;
  if (bun !== undefined) return every(everyMs ?? EVERY_MS.bun, () => bun.gc(true));
  const v8 = runtime.v8?.();
  if (v8 === undefined) return () => undefined;
  let seen = v8.ownMarkCompacts();
  const stop = every(everyMs ?? EVERY_MS.node, () => {
    // V8 collecting by itself means its heap does not idle at twice what is alive: leave it be
    const now = v8.ownMarkCompacts();
    if (now === seen) v8.gc();
    seen = now;
  });
  return () => {
    stop();
    v8.stop();
  };
}

function every(ms: number, fn: () => void): () => void {
  const timer = setInterval(fn, ms);
  // it never keeps sshtop running by itself
  timer.unref();
  return () => clearInterval(timer);
}
