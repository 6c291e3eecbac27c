// The few commands sshtop runs (`sshd -T`, `ss`, `logger`), each bounded: stdin is /dev/null,
// stdout is kept up to a byte bound (past it the child is killed), stderr is dropped, and past a
// time bound the child gets SIGTERM, then SIGKILL. Plain node:child_process: execa, used before,
// cost about 10 ms of start-up to load and a few ms of CPU per run, for options sshtop never used.
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

/**
 * Run `file` with `args` (no shell) within `bounds`. Never rejects. The promise settles when the
 * child has exited and its stdout is closed, or at the latest once the time bound and the kill
 * grace have both passed: a grandchild holding stdout open cannot hold sshtop up.
 */
export function runBounded(file: string, args: readonly string[], bounds: Bounds): Promise<RunResult> {
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
        timers.push(setTimeout(() => settle({ ok: false, why: ended ?? 'timeout', pid: child.pid }), killAfter + 200));
      }, bounds.timeoutMs),
    );
  });
}
