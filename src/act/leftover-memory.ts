// reap's memory of the leftovers it has seen, so that `reap --leftovers-older 1h` from cron means
// what it says. A one-shot cannot see a login end, but it can know that an earlier run already
// saw what the login left: then the login ended at least that long ago. One JSON line per group
// (its key: the boot and the login, model/loose.ts leftoverKey) the first time a run sees it,
// appended like the audit log (safe-file.ts) in the audit log's directory. Read back only as a
// regular file of the caller's, with one link and writable by nobody else, and only its last
// MAX_MEMORY_BYTES: a bound, not a store (keys are per boot; a few lines per ended login).
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { appendWhole } from './safe-file.js';

export const MAX_MEMORY_BYTES = 1024 * 1024;

export interface SeenLeftover {
  key: string;
  /** ms since the epoch */
  at: number;
  user: string | null;
  remote: string | null;
}

/** the memory beside the audit log */
export function leftoverMemoryPath(auditPath: string): string {
  return join(dirname(auditPath), 'leftovers.log');
}

/** when each group was first seen (the earliest record of its key), and why none could be read */
export function readFirstSeen(path: string, euid: number = process.geteuid?.() ?? 0): { seen: Map<string, number>; warning?: string } {
  const seen = new Map<string, number>();
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { seen } : { seen, warning: `${path} not read (${code ?? 'unreadable'}): leftovers count from now` };
  }
  try {
    const st = fstatSync(fd);
    const why = !st.isFile() ? 'not a regular file' : st.uid !== euid ? `owned by uid ${st.uid}` : st.nlink !== 1 ? `${st.nlink} hard links` : (st.mode & 0o022) !== 0 ? 'writable by others' : undefined;
    if (why !== undefined) return { seen, warning: `${path} not read (${why}): leftovers count from now` };
    const from = Math.max(0, st.size - MAX_MEMORY_BYTES);
    const buf = Buffer.alloc(Math.min(st.size, MAX_MEMORY_BYTES));
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, from + got);
      if (n === 0) break;
      got += n;
    }
    const lines = buf.toString('utf8', 0, got).split('\n');
    // a cut first line is not a record
    for (const line of from > 0 ? lines.slice(1) : lines) {
      try {
        const r = JSON.parse(line) as Partial<SeenLeftover>;
        if (typeof r.key !== 'string' || typeof r.at !== 'number' || !Number.isFinite(r.at)) continue;
        const was = seen.get(r.key);
        if (was === undefined || r.at < was) seen.set(r.key, r.at);
      } catch {
        // a line that is no record (a torn write cannot happen: appendWhole) is skipped
      }
    }
    return { seen };
  } finally {
    closeSync(fd);
  }
}

/** append the groups seen for the first time; the reason when not written */
export function recordFirstSeen(path: string, entries: readonly SeenLeftover[]): string | undefined {
  if (entries.length === 0) return undefined;
  const why = appendWhole(path, entries.map((e) => JSON.stringify(e)).join('\n') + '\n');
  return why === undefined ? undefined : `${path} not written: ${why}`;
}
