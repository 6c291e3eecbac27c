// Waiting in tests: one sleep, one poll-until-true (processes, sockets, files) and its Ink-frame
// form. Tests wait for a condition, never for a fixed time, wherever a condition exists.

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

class WaitTimeout extends Error {}

/** poll `fn` until it gives a value (not undefined or false); throw after `timeoutMs` */
export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000, stepMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new WaitTimeout(`timed out waiting for ${what}`);
    await sleep(stepMs);
  }
}

/** an Ink frame without its colour codes, as the tests compare it */
export const stripAnsi = (s: string | undefined): string => (s ?? '').replace(/\u001b\[[0-9;]*m/g, '');

/** wait until the last frame (colours stripped) satisfies `pred`; the error shows the frame it last saw */
export async function until(frame: () => string | undefined, pred: (f: string) => boolean, what: string, timeoutMs = 3000): Promise<string> {
  let last = '';
  // a short step: an ink-testing-library frame is ready within a tick or two
  return waitFor(what, () => (pred((last = stripAnsi(frame()))) ? last : undefined), timeoutMs, 10).catch((e: unknown) => {
    throw e instanceof WaitTimeout ? new Error(`frame never showed ${what}:\n${last}`) : e;
  });
}
