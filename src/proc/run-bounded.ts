// The few commands sshtop runs (`sshd -T`, `ss`, `logger`), each bounded: stdin is /dev/null,
// stdout is kept up to a byte bound (past it the child is killed), stderr is dropped, and past a
// time bound the child gets SIGTERM, then SIGKILL. Under Node, node:child_process; in the release
// executable, Bun's own spawn: Bun's node:child_process took 8–12 ms of the main thread for the
// first spawn alone (its stream layer loading), Bun.spawn a whole child in about 2. execa, used
// before, cost about 10 ms of start-up to load, for options sshtop never used.
import { spawn } from 'node:child_process';

export interface Bounds {
  /** SIGTERM after this long (ms) */
  timeoutMs: number;
  /** stdout past this many bytes ends the child (SIGKILL) and the run */
  maxBytes: number;
  /** SIGKILL this long after a SIGTERM the child outlived (ms) */
  killAfterMs?: number;
}

export type RunResult =
  | { ok: true; stdout: string; pid: number | undefined }
  /** spawn: it never ran; exit: non-zero status or a signal; timeout / too-big: ended by the bounds */
  | { ok: false; why: 'spawn' | 'exit' | 'timeout' | 'too-big'; pid: number | undefined };

const KILL_AFTER_MS = 500;
/** past the time bound and the kill grace, a run is given up even if its stdout never closes */
const LAST_WORD_MS = 200;

/**
 * Run `file` with `args` (no shell) within `bounds`. Never rejects. The promise settles when the
 * child has exited and its stdout is closed, or at the latest once the time bound and the kill
 * grace have both passed: a grandchild holding stdout open cannot hold sshtop up.
 */
export function runBounded(file: string, args: readonly string[], bounds: Bounds): Promise<RunResult> {
  const bun = (globalThis as { Bun?: BunRuntime }).Bun;
  return bun ? runWithBun(bun, file, args, bounds) : runWithNode(file, args, bounds);
}

function runWithNode(file: string, args: readonly string[], bounds: Bounds): Promise<RunResult> {
  return new Promise((resolve) => {
    const killAfter = bounds.killAfterMs ?? KILL_AFTER_MS;
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(file, args, { stdio: ['ignore', 'pipe', 'ignore'], shell: false });
    } catch {
      resolve({ ok: false, why: 'spawn', pid: undefined });
      return;
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    let ended: 'timeout' | 'too-big' | undefined;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const settle = (r: RunResult) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      // what is left (a grandchild holding stdout) must not keep sshtop's event loop alive
      child.stdout?.destroy();
      child.unref();
      resolve(r);
    };
    const kill = (signal: NodeJS.Signals) => {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
    };
    child.on('error', () => settle({ ok: false, why: ended ?? 'spawn', pid: child.pid }));
    child.stdout?.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > bounds.maxBytes) {
        ended ??= 'too-big';
        kill('SIGKILL');
        return;
      }
      chunks.push(chunk);
    });
    child.on('close', (code, signal) => {
      if (ended) settle({ ok: false, why: ended, pid: child.pid });
      else if (code === 0 && signal === null) settle({ ok: true, stdout: Buffer.concat(chunks).toString('utf8'), pid: child.pid });
      else settle({ ok: false, why: 'exit', pid: child.pid });
    });
    timers.push(
      setTimeout(() => {
        ended ??= 'timeout';
        kill('SIGTERM');
        timers.push(setTimeout(() => kill('SIGKILL'), killAfter));
        // the last word: settle even if stdout never closes
        timers.push(setTimeout(() => settle({ ok: false, why: ended ?? 'timeout', pid: child.pid }), killAfter + LAST_WORD_MS));
      }, bounds.timeoutMs),
    );
  });
}

/** what sshtop uses of Bun's spawn (https://bun.sh/docs/api/spawn) */
interface BunRuntime {
  spawn(o: { cmd: string[]; stdin: 'ignore'; stdout: 'pipe'; stderr: 'ignore' }): {
    pid: number;
    stdout: ReadableStream<Uint8Array>;
    exited: Promise<number>;
    exitCode: number | null;
    signalCode: string | null;
    kill(signal: NodeJS.Signals): void;
    unref(): void;
  };
}

/** the same contract through Bun.spawn (the release executable) */
async function runWithBun(bun: BunRuntime, file: string, args: readonly string[], bounds: Bounds): Promise<RunResult> {
  const killAfter = bounds.killAfterMs ?? KILL_AFTER_MS;
  let child: ReturnType<BunRuntime['spawn']>;
  try {
    child = bun.spawn({ cmd: [file, ...args], stdin: 'ignore', stdout: 'pipe', stderr: 'ignore' });
  } catch {
    return { ok: false, why: 'spawn', pid: undefined };
  }
  const pid = child.pid;
  let ended: 'timeout' | 'too-big' | undefined;
  const kill = (signal: NodeJS.Signals) => {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  };
  const reader = child.stdout.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  const drained = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      bytes += value.length;
      if (bytes > bounds.maxBytes) {
        ended ??= 'too-big';
        kill('SIGKILL');
        await reader.cancel().catch(() => undefined);
        return;
      }
      chunks.push(value);
    }
  })().catch(() => undefined);
  const timers: NodeJS.Timeout[] = [];
  const late = new Promise<'late'>((resolve) => {
    timers.push(
      setTimeout(() => {
        ended ??= 'timeout';
        kill('SIGTERM');
        timers.push(setTimeout(() => kill('SIGKILL'), killAfter));
        timers.push(setTimeout(() => resolve('late'), killAfter + LAST_WORD_MS));
      }, bounds.timeoutMs),
    );
  });
  const outcome = await Promise.race([Promise.all([child.exited, drained]), late]);
  for (const t of timers) clearTimeout(t);
  if (outcome === 'late') {
    // what is left (a grandchild holding stdout) must not keep sshtop's event loop alive
    void reader.cancel().catch(() => undefined);
    child.unref();
    return { ok: false, why: ended ?? 'timeout', pid };
  }
  if (ended) return { ok: false, why: ended, pid };
  if (child.exitCode === 0 && child.signalCode === null) return { ok: true, stdout: Buffer.concat(chunks).toString('utf8'), pid };
  return { ok: false, why: 'exit', pid };
}
