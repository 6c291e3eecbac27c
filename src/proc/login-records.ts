// Login records from utmp and wtmp: what `w` and `last` know that /proc may hide from an ordinary
// user (another user's remote host, tty, login time). Read only when the file changed; the parsing
// is in parse-utmp.ts. A record names a session only through its pid (sshd writes its own), which
// the model checks against the live processes (sessions.ts).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { LoginRecord } from './types.js';
import { openLoginOffsets, recordAt, UTMP_RECORD, type UtmpRecord } from './parse-utmp.js';

/** where glibc keeps them (/var/run is a link to /run on current systems; both are tried) */
export const SYSTEM_UTMP = ['/run/utmp', '/var/run/utmp'];
export const SYSTEM_WTMP = ['/var/log/wtmp'];

/** the most of a file read: a wtmp log's tail (the newest ~2700 logins), a utmp file whole */
const MAX_BYTES = 1 << 20;

export interface LoginRecordPaths {
  utmp: readonly string[];
  wtmp: readonly string[];
}

/** one file as last read: the open logins of the pids asked for last, decoded when first asked */
interface FileCache {
  key: string;
  bytes: Uint8Array;
  /** pid → where its open logins are (none: []) */
  open: Map<number, number[]>;
  decoded: Map<number, UtmpRecord>;
}

export class LoginRecordReader {
  private readonly cache = new Map<string, FileCache>();

  constructor(private readonly paths: LoginRecordPaths) {}

  /**
   * Open logins whose pid is one of `pids`: utmp first (the live table), then wtmp for what utmp
   * does not have (no utmp at all: systemd without utmp support). A file that is missing or not
   * readable gives nothing.
   */
  read(pids: ReadonlySet<number>): LoginRecord[] {
    const out: LoginRecord[] = [];
    const seen = new Set<string>();
    for (const [source, files] of [['utmp', this.paths.utmp], ['wtmp', this.paths.wtmp]] as const) {
      // the first readable file of each kind: /run/utmp and /var/run/utmp are one file
      for (const path of files) {
        const file = this.openLogins(path, source === 'wtmp');
        if (file === undefined) continue;
        answer(file, pids);
        for (const pid of pids) {
          for (const off of file.open.get(pid) ?? []) {
            let r = file.decoded.get(off);
            if (!r) file.decoded.set(off, (r = recordAt(file.bytes, off)));
            const key = `${r.pid}\0${r.line}`;
            if (seen.has(key)) continue;
            seen.add(key);
            out.push({ source, pid: r.pid, line: r.line, user: r.user, host: r.host, address: r.address, at: r.at });
          }
        }
        break;
      }
    }
    return out;
  }

  private openLogins(path: string, tail: boolean): FileCache | undefined {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      this.cache.delete(path);
      return undefined;
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) return undefined;
      const key = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
      const hit = this.cache.get(path);
      if (hit?.key === key) return hit;
      // a log is read to its end, from the first record boundary within the bound (rounded up:
      // rounded down, a read of the bound fell short of the newest records once the log passed
      // 1 MiB); a table from its start
      const from = Math.max(0, st.size - MAX_BYTES);
      const start = tail ? Math.ceil(from / UTMP_RECORD) * UTMP_RECORD : 0;
      const buf = Buffer.allocUnsafe(Math.max(0, Math.min(MAX_BYTES, st.size - start)));
      let got = 0;
      while (got < buf.length) {
        const n = readSync(fd, buf, got, buf.length - got, start + got);
        if (n === 0) break;
        got += n;
      }
      const file = { key, bytes: buf.subarray(0, got), open: new Map(), decoded: new Map() };
      this.cache.set(path, file);
      return file;
    } catch {
      return undefined;
    } finally {
      closeSync(fd);
    }
  }
}

/** file.open holds the asked pids' answers, and only theirs: one pass from the end for the new ones */
function answer(file: FileCache, pids: ReadonlySet<number>): void {
  const ask = new Set([...pids].filter((pid) => !file.open.has(pid)));
  // a tick that asks for the same pids as the last (the usual one) keeps the map as it is
  if (ask.size === 0 && file.open.size === pids.size) return;
  const found = ask.size > 0 ? openLoginOffsets(file.bytes, ask) : undefined;
  const open = new Map<number, number[]>();
  for (const pid of pids) open.set(pid, file.open.get(pid) ?? found?.get(pid) ?? []);
  file.open = open;
}
