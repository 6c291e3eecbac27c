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

/** every whole record of a utmp or wtmp file's bytes; a trailing partial record is dropped */
export function parseUtmp(buf: Uint8Array): UtmpRecord[] {
  const out: UtmpRecord[] = [];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let off = 0; off + UTMP_RECORD <= buf.length; off += UTMP_RECORD) {
    const rec = buf.subarray(off, off + UTMP_RECORD);
    const sec = view.getInt32(off + OFF.sec, true);
    const usec = view.getInt32(off + OFF.usec, true);
    out.push({
      type: view.getInt16(off + OFF.type, true),
      pid: view.getInt32(off + OFF.pid, true),
      line: cString(rec, OFF.line, LEN.line),
      id: cString(rec, OFF.id, LEN.id),
      user: cString(rec, OFF.user, LEN.user),
      host: cString(rec, OFF.host, LEN.host),
      address: formatUtmpAddress(rec.subarray(OFF.addr, OFF.addr + 16)),
      // sec is a signed 32-bit count; usec out of range is clamped rather than trusted
      at: sec * 1000 + Math.floor(Math.min(Math.max(usec, 0), 999_999) / 1000),
    });
  }
  return out;
}

/**
 * The logins still open in a sequence of records (a utmp file, or a wtmp log in file order): per
 * pid and line, the last record is a USER_PROCESS. A record with no pid or no line names nothing.
 */
export function openLogins(records: readonly UtmpRecord[]): UtmpRecord[] {
  const last = new Map<string, UtmpRecord>();
  for (const r of records) {
    if (r.type !== USER_PROCESS && r.type !== DEAD_PROCESS) continue;
    // a DEAD_PROCESS from login(1)/sshd names the line; its pid may be the same or 0
    if (r.type === DEAD_PROCESS) {
      for (const [k, v] of last) if (v.line === r.line && (r.pid === 0 || v.pid === r.pid)) last.delete(k);
      continue;
    }
    if (r.pid <= 0 || r.line === '') continue;
    const key = `${r.pid}\0${r.line}`;
    last.delete(key);
    last.set(key, r);
  }
  return [...last.values()];
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
