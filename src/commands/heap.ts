// A live screen's heap, left to the engine's own heuristics, grows well past what it keeps alive.
// A full collection now and then while the screen runs keeps the peak down (docs/performance.md):
// - Bun (the release executable, JavaScriptCore), every 10 s: over ten minutes of a busy screen
//   its RSS peaked at 105 MB instead of 129 MB, for 1.1 ms/s more CPU;
// - Node (the npm package), every 30 s: 72.6 MB instead of 79.1 MB over ten minutes of the same
//   screen. A forced mark-compact there costs about 16 ms on the main thread (V8's own are
//   incremental), so every 10 s cost about 20 % more CPU; every 30 s it mostly replaces V8's own.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** how often, by runtime */
export const EVERY_MS = { bun: 10_000, node: 30_000 };

interface BunRuntime {
  gc(full: boolean): void;
}

export interface HeapRuntime {
  Bun?: BunRuntime | undefined;
  /** V8's full collection, where the runtime has one to give */
  v8FullGc?: (() => () => void) | undefined;
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

const here: HeapRuntime = { Bun: (globalThis as { Bun?: BunRuntime }).Bun, v8FullGc };

/** a full collection now and then until the returned stop is called (under Bun, or under Node) */
export function collectNowAndThen(runtime: HeapRuntime = here, everyMs?: number): () => void {
  const bun = runtime.Bun;
  const collect = bun !== undefined ? () => bun.gc(true) : runtime.v8FullGc?.();
  if (collect === undefined) return () => undefined;
  const timer = setInterval(collect, everyMs ?? (bun !== undefined ? EVERY_MS.bun : EVERY_MS.node));
  // it never keeps sshtop running by itself
  timer.unref();
  return () => clearInterval(timer);
}
