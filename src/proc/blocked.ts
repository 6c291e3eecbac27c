// What a process in uninterruptible sleep (D) is blocked in, for `hung`: read only for processes
// in state D, which are rare, so a tick pays nothing for it otherwise.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Blocked } from './types.js';

/** voluntary + involuntary context switches from /proc/PID/status, or null */
export function parseSwitches(status: string): number | null {
  const v = /^voluntary_ctxt_switches:\s*(\d+)$/m.exec(status)?.[1];
  const n = /^nonvoluntary_ctxt_switches:\s*(\d+)$/m.exec(status)?.[1];
  return v === undefined || n === undefined ? null : Number(v) + Number(n);
}

/** a wchan symbol; "0" (hidden from another user, or running) and anything not a symbol are null */
export function parseWchan(text: string): string | null {
  const t = text.trim();
  return /^[A-Za-z_][\w.]{0,127}$/.test(t) ? t : null;
}

export function readBlocked(dir: string): Blocked {
  const read = (file: string): string | undefined => {
    try {
      return readFileSync(join(dir, file), 'latin1');
    } catch {
      return undefined;
    }
  };
  const status = read('status');
  const wchan = read('wchan');
  return { wchan: wchan === undefined ? null : parseWchan(wchan), switches: status === undefined ? null : parseSwitches(status) };
}
