// utmp / wtmp records (glibc `struct utmp` on x86_64 and arm64, 384 bytes each). Pure.
// Strings are decoded, never trusted: ut_host is whatever the login named (a reverse DNS name
// under UseDNS), so callers sanitise before display like every other /proc string.

/** sizeof(struct utmp) on 64-bit glibc (ut_tv is two int32 there, for 32-bit compatibility) */
export const UTMP_RECORD = 384;

/** ut_type values */
export const USER_PROCESS = 7;
export const DEAD_PROCESS = 8;

const OFF = { type: 0, pid: 4, line: 8, id: 40, user: 44, host: 76, exit: 332, session: 336, sec: 340, usec: 344, addr: 348 } as const;
const LEN = { line: 32, id: 4, user: 32, host: 256 } as const;

export interface UtmpRecord {
  type: number;
  pid: number;
  /** `pts/3`, without /dev/ */
  line: string;
  id: string;
  user: string;
  host: string;
  /** the peer address sshd put in ut_addr_v6, as text; null when all zero */
  address: string | null;
  /** ms since the epoch (ut_tv) */
  at: number;
}

/** a NUL-padded char[] field: up to the first NUL, UTF-8 (invalid bytes become U+FFFD) */
function cString(buf: Uint8Array, off: number, len: number): string {
  const field = buf.subarray(off, off + len);
  const nul = field.indexOf(0);
  return Buffer.from(field.subarray(0, nul < 0 ? len : nul)).toString('utf8');
}

/** ut_addr_v6: IPv4 in the first word when the other three are zero (as utmpdump and last read it) */
export function formatUtmpAddress(words: Uint8Array): string | null {
  if (words.length !== 16 || words.every((b) => b === 0)) return null;
  if (words.subarray(4).every((b) => b === 0)) return `${words[0]}.${words[1]}.${words[2]}.${words[3]}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((words[i] as number) << 8) | (words[i + 1] as number)).toString(16));
  // the longest run of zero groups (two or more) becomes ::, as inet_ntop writes it
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** the record at `off`, decoded whole */
function parseRecord(buf: Uint8Array, view: DataView, off: number): UtmpRecord {
  const rec = buf.subarray(off, off + UTMP_RECORD);
  const sec = view.getInt32(off + OFF.sec, true);
  const usec = view.getInt32(off + OFF.usec, true);
  return {
    type: view.getInt16(off + OFF.type, true),
    pid: view.getInt32(off + OFF.pid, true),
    line: cString(rec, OFF.line, LEN.line),
    id: cString(rec, OFF.id, LEN.id),
    user: cString(rec, OFF.user, LEN.user),
    host: cString(rec, OFF.host, LEN.host),
    address: formatUtmpAddress(rec.subarray(OFF.addr, OFF.addr + 16)),
    // sec is a signed 32-bit count; usec out of range is clamped rather than trusted
    at: sec * 1000 + Math.floor(Math.min(Math.max(usec, 0), 999_999) / 1000),
  };
}

/** every whole record of a utmp or wtmp file's bytes; a trailing partial record is dropped */
export function parseUtmp(buf: Uint8Array): UtmpRecord[] {
  const out: UtmpRecord[] = [];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let off = 0; off + UTMP_RECORD <= buf.length; off += UTMP_RECORD) out.push(parseRecord(buf, view, off));
  return out;
}

/**
 * Where the logins of `pids` still open in a utmp file's or a wtmp log's bytes are, per pid in file
 * order: per pid and line, the last record is a USER_PROCESS and no DEAD_PROCESS for the line (of
 * that pid, or of pid 0) came after it. A record with no pid or no line names nothing. Read from
 * the end: a wtmp tail holds thousands of records, and a log whose logouts were never written (a
 * crash, a daemon that writes none) thousands of open ones, of which a caller wants the few whose
 * pid is alive; only a logout's line and an asked pid's line are decoded (recordAt decodes the rest).
 */
export function openLoginOffsets(buf: Uint8Array, pids: ReadonlySet<number>): Map<number, number[]> {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  // the line's bytes up to the first NUL, undecoded: a key to compare lines by, not to show
  const lineAt = (off: number): string => {
    let end = off + OFF.line;
    while (end < off + OFF.line + LEN.line && bytes[end] !== 0) end++;
    return bytes.toString('latin1', off + OFF.line, end);
  };
  /** lines a later DEAD_PROCESS closed: whoever held them (pid 0), or the pids named */
  const closedAll = new Set<string>();
  const closedFor = new Map<string, Set<number>>();
  /** `pid\0line` whose last USER_PROCESS was met (an earlier one was replaced by it) */
  const met = new Set<string>();
  const out = new Map<number, number[]>();
  for (let off = (Math.floor(buf.length / UTMP_RECORD) - 1) * UTMP_RECORD; off >= 0; off -= UTMP_RECORD) {
    const type = view.getInt16(off + OFF.type, true);
    if (type !== USER_PROCESS && type !== DEAD_PROCESS) continue;
    const pid = view.getInt32(off + OFF.pid, true);
    if (type === DEAD_PROCESS) {
      // from login(1)/sshd it names the line; its pid may be the login's or 0
      const line = lineAt(off);
      if (pid === 0) closedAll.add(line);
      else {
        const by = closedFor.get(line);
        if (by) by.add(pid);
        else closedFor.set(line, new Set([pid]));
      }
      continue;
    }
    if (pid <= 0 || !pids.has(pid)) continue;
    const line = lineAt(off);
    const key = `${pid}\0${line}`;
    if (line === '' || met.has(key)) continue;
    met.add(key);
    if (closedAll.has(line) || closedFor.get(line)?.has(pid)) continue;
    const list = out.get(pid);
    if (list) list.unshift(off);
    else out.set(pid, [off]);
  }
  return out;
}

/** the record at `off` (from openLoginOffsets), decoded whole */
export function recordAt(buf: Uint8Array, off: number): UtmpRecord {
  return parseRecord(buf, new DataView(buf.buffer, buf.byteOffset, buf.byteLength), off);
}

/** one record's bytes, as glibc writes it (for tests and fixtures) */
export function encodeUtmp(r: Partial<Omit<UtmpRecord, 'address'>> & { addr?: readonly number[] }): Uint8Array {
  const buf = new Uint8Array(UTMP_RECORD);
  const view = new DataView(buf.buffer);
  view.setInt16(OFF.type, r.type ?? USER_PROCESS, true);
  view.setInt32(OFF.pid, r.pid ?? 0, true);
  const put = (off: number, len: number, s: string | undefined) => buf.set(Buffer.from(s ?? '', 'utf8').subarray(0, len), off);
  put(OFF.line, LEN.line, r.line);
  put(OFF.id, LEN.id, r.id);
  put(OFF.user, LEN.user, r.user);
  put(OFF.host, LEN.host, r.host);
  const at = r.at ?? 0;
  view.setInt32(OFF.sec, Math.floor(at / 1000), true);
  view.setInt32(OFF.usec, (at % 1000) * 1000, true);
  (r.addr ?? []).slice(0, 16).forEach((b, i) => view.setUint8(OFF.addr + i, b));
  return buf;
}
