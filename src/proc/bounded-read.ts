// Reading a file whose path came from outside sshtop (a listener's `-f` config, an Include):
// only a regular file, opened without blocking (a FIFO or a tty there must not hang any mode),
// and never more than a bound (`/dev/zero` must not eat the memory).
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

export const MAX_CONFIG_BYTES = 1024 * 1024;

export type BoundedRead = { ok: true; text: string; truncated: boolean } | { ok: false; reason: string };

export function readRegularFile(path: string, maxBytes = MAX_CONFIG_BYTES): BoundedRead {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    return { ok: false, reason: (e as NodeJS.ErrnoException).code ?? 'unreadable' };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { ok: false, reason: 'not a regular file' };
    const buf = Buffer.alloc(Math.min(maxBytes, Math.max(st.size, 0)) + 1);
    let total = 0;
    while (total < buf.length) {
      const n = readSync(fd, buf, total, buf.length - total, total);
      if (n === 0) break;
      total += n;
    }
    const truncated = total > maxBytes;
    return { ok: true, text: buf.toString('utf8', 0, Math.min(total, maxBytes)), truncated };
  } catch (e) {
    return { ok: false, reason: (e as NodeJS.ErrnoException).code ?? 'unreadable' };
  } finally {
    closeSync(fd);
  }
}

/** whether path names a regular file (followed links allowed, nothing opened that could block) */
export function isRegularFile(path: string): boolean {
  const r = readRegularFile(path, 0);
  return r.ok;
}
