// Bun's collector (JavaScriptCore, in the release executable) lets a live screen's heap grow: over
// ten minutes of a busy screen its RSS peaked at 129 MB, against 105 MB with a full collection
// every 10 s, for 1.1 ms/s more CPU (7 %; docs/performance.md). Node (the npm package) runs with
// a small young generation instead (bin/sshtop) and gets none.

const EVERY_MS = 10_000;

interface BunRuntime {
  gc(full: boolean): void;
}

/** under Bun, a full collection every 10 s until the returned stop is called; elsewhere nothing */
export function collectNowAndThen(runtime: { Bun?: BunRuntime } = globalThis as { Bun?: BunRuntime }): () => void {
  const bun = runtime.Bun;
  if (bun === undefined) return () => undefined;
  const timer = setInterval(() => bun.gc(true), EVERY_MS);
  // it never keeps sshtop running by itself
  timer.unref();
  return () => clearInterval(timer);
}
