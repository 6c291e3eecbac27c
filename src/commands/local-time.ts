// Bun (the release executable) sets up its time zone on the first local-time call: 8-10 ms of ICU
// on the main thread, measured in a compiled executable with and without TZ (Node: 0.2 ms). ICU
// keeps it for the whole process, so a worker thread can take that cost on the other core while
// the main thread reads /proc: the main thread's first call then took about 0.1 ms, for 0.6 ms of
// starting the worker. The worker's own set-up competes for the cores, so --once gained about
// 2.5 ms in all (docs/performance.md). --once and the screen show local times; --json prints UTC.

/** the Web Worker Bun has (Node's typings do not declare it) */
type WebWorker = { onmessage: (() => void) | null; terminate(): void; unref?: () => void };
type WorkerClass = new (url: string) => WebWorker;

/** start the time zone's set-up beside the main thread (under Bun; elsewhere nothing) */
export function setUpLocalTimeAside(): void {
  const Worker = (globalThis as { Worker?: WorkerClass }).Worker;
  if (!('Bun' in globalThis) || Worker === undefined) return;
  try {
    const code = 'new Date(0).getHours(); postMessage(0);';
    const worker = new Worker(URL.createObjectURL(new Blob([code], { type: 'application/javascript' })));
    worker.onmessage = () => worker.terminate();
    // a one-shot that ends first does not wait for it
    worker.unref?.();
  } catch {
    // no worker: the main thread pays the set-up when it first shows a time
  }
}
