// Pure parsers for /proc text. Total functions: garbage in → undefined (or an empty result) out.
import type { Endpoint, TcpSocket } from './types.js';

export interface StatFields {
  comm: string;
  state: string;
  ppid: number;
  pgrp: number;
  sid: number;
  ttyNr: number;
  tpgid: number;
  cpuTicks: number;
  startTicks: number;
  threads: number;
  /** resident set size in pages */
  rssPages: number;
}

const isInt = (n: number): boolean => Number.isInteger(n);
/** a plain decimal that fits a double exactly; garbage (`1e3`, `0x1F`, 400 digits) → undefined */
const decimal = (s: string | undefined): number | undefined => (s !== undefined && /^\d+$/.test(s) && Number.isSafeInteger(Number(s)) ? Number(s) : undefined);

/** where each of the 22 fields of a stat line after comm starts (plus one past the last's end) */
const statStarts = new Int32Array(23);

/**
 * /proc/PID/stat. comm may hold spaces and parentheses, so the fields start after the LAST `)`.
 * Fields are found in place, not split: this runs for every walked process on every tick, and a
 * split made 22 strings each time. What it accepts is exactly what `trimStart().split(' ', 22)`
 * and Number() accepted (a property test holds it to that version).
 */
export function parseStat(text: string): StatFields | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  // the character after `)` is skipped whatever it is; leading white space as trimStart() would
  let at = close + 2;
  if (at < text.length && !startsField(text.charCodeAt(at))) at = text.length - text.slice(at).trimStart().length;
  for (let k = 0; k < 22; k++) {
    statStarts[k] = at;
    const space = text.indexOf(' ', at);
    if (space < 0) {
      // the 22nd field may end the text; fewer fields are not a stat line
      if (k < 21) return undefined;
      at = text.length + 1;
    } else at = space + 1;
  }
  statStarts[22] = at;
  const out: StatFields = {
    comm: text.slice(open + 1, close),
    state: text.slice(statStarts[0], (statStarts[1] as number) - 1),
    ppid: statField(text, 1),
    pgrp: statField(text, 2),
    sid: statField(text, 3),
    ttyNr: statField(text, 4),
    tpgid: statField(text, 5),
    cpuTicks: statField(text, 11) + statField(text, 12),
    startTicks: statField(text, 19),
    threads: statField(text, 17),
    rssPages: statField(text, 21),
  };
  const valid =
    isInt(out.ppid) && isInt(out.pgrp) && isInt(out.sid) && isInt(out.ttyNr) && isInt(out.tpgid) && isInt(out.cpuTicks) && isInt(out.startTicks) && isInt(out.threads) && isInt(out.rssPages);
  return valid && out.state.length === 1 ? out : undefined;
}

/** a character that is surely not white space to trimStart (the state letter, always, from the kernel) */
const startsField = (c: number): boolean => c > 32 && c !== 160 && c < 0x1680;

/**
 * Field k of the line statStarts was filled from, as Number() reads it: a run of up to 15 digits
 * (optionally negative) is summed in place, exactly; anything else (`1e3`, ` 5`, 20 digits) goes
 * through Number(), and an empty field is 0 as Number('') is.
 */
function statField(text: string, k: number): number {
  const from = statStarts[k] as number;
  const end = (statStarts[k + 1] as number) - 1;
  let i = from;
  const negative = i < end && text.charCodeAt(i) === 45;
  if (negative) i++;
  if (end > i && end - i <= 15) {
    let n = 0;
    for (; i < end; i++) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    if (i === end) return negative ? -n : n;
  }
  return from === end ? 0 : Number(text.slice(from, end));
}

/** exit_signal (field 38) of /proc/PID/stat: -1 for a thread that is not its process's leader */
export function parseExitSignal(stat: string): number | undefined {
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  // the 36th space-separated field after ") ", found in place: a new-pid scan probes thousands of
  // pids under process churn, and a split made 36 strings for each
  let from = close + 2;
  for (let field = 0; field < 35; field++) {
    const space = stat.indexOf(' ', from);
    if (space < 0) return undefined;
    from = space + 1;
  }
  const end = stat.indexOf(' ', from);
  const n = Number(stat.slice(from, end < 0 ? stat.length : end));
  return Number.isInteger(n) ? n : undefined;
}

/** Real uid from /proc/PID/status (`Uid:\treal\teffective\tsaved\tfs`). */
export function parseStatusUid(text: string): number | undefined {
  return decimal(/^Uid:\s+(\d+)/m.exec(text)?.[1]);
}

/**
 * /proc/PID/cmdline → argv. Arguments are NUL-separated; setproctitle pads the rewritten title
 * with NULs or spaces, so trailing padding is trimmed. A title written as one string with spaces
 * (OpenSSH) stays one argv element.
 */
export function parseCmdline(raw: string): string[] {
  // a loop, not /[\0 ]+$/: that regex is quadratic on a long NUL/space run inside argv (any user sets argv)
  let end = raw.length;
  while (end > 0 && (raw.charCodeAt(end - 1) === 0 || raw.charCodeAt(end - 1) === 32)) end--;
  if (end === 0) return [];
  return raw.slice(0, end).split('\0');
}

/** /proc/uptime: seconds since boot (first field, to the hundredth), the exact base for ages */
export function parseUptime(text: string): number | undefined {
  const m = /^(\d{1,12}(?:\.\d{1,9})?)\s/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** `btime` line of /proc/stat: boot time, seconds since epoch. */
export function parseBtime(text: string): number | undefined {
  return decimal(/^btime\s+(\d+)/m.exec(text)?.[1]);
}

/** tty_nr → device name. Majors 136–143 are Unix98 ptys, 4 are virtual consoles / serial. */
export function ttyName(ttyNr: number): string | null {
  // the kernel prints tty_nr as a signed int: minors >= 2^19 make it negative
  if (!Number.isInteger(ttyNr) || ttyNr === 0 || ttyNr < -0x80000000 || ttyNr > 0x7fffffff) return null;
  const major = (ttyNr >> 8) & 0xfff;
  const minor = (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00);
  if (major >= 136 && major <= 143) return `pts/${minor + (major - 136) * 256}`;
  if (major === 4) return minor < 64 ? `tty${minor}` : `ttyS${minor - 64}`;
  return null;
}

/** One address:port field of /proc/net/tcp (v4: 8 hex digits) or tcp6 (32 hex digits). */
export function parseHexEndpoint(field: string): Endpoint | undefined {
  const [addr, portHex] = field.split(':');
  if (addr === undefined || portHex === undefined || !/^[0-9A-Fa-f]{1,4}$/.test(portHex)) return undefined;
  const port = parseInt(portHex, 16);
  if (/^[0-9A-Fa-f]{8}$/.test(addr)) return { address: ipv4FromWord(addr), port };
  if (!/^[0-9A-Fa-f]{32}$/.test(addr)) return undefined;
  // four 32-bit words, each in host (little-endian) byte order
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) {
    const word = addr.slice(w * 8, w * 8 + 8);
    for (let b = 3; b >= 0; b--) bytes.push(parseInt(word.slice(b * 2, b * 2 + 2), 16));
  }
  const isMapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (isMapped) return { address: bytes.slice(12).join('.'), port };
  return { address: formatIpv6(bytes), port };
}

function ipv4FromWord(hex: string): string {
  // the raw network-order value printed as a host (little-endian) integer
  const b = [6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return b.join('.');
}

function formatIpv6(bytes: number[]): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  // compress the longest run of two or more zero groups (RFC 5952)
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLen).join(':');
  return `${head}::${tail}`;
}

/** /proc/PID/net/tcp or tcp6 → sockets by inode (rows with inode 0 are skipped). */
export function parseNetTcp(text: string): TcpSocket[] {
  const out: TcpSocket[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || !/^\d+:$/.test(f[0] ?? '')) continue;
    const local = parseHexEndpoint(f[1] ?? '');
    const remote = parseHexEndpoint(f[2] ?? '');
    const [tx, rx] = (f[4] ?? '').split(':');
    const [timer, when] = (f[5] ?? '').split(':');
    const inode = decimal(f[9]);
    if (!local || !remote || inode === undefined || inode <= 0 || !/^[0-9A-Fa-f]{1,2}$/.test(f[3] ?? '')) continue;
    out.push({
      inode,
      local,
      remote,
      state: parseInt(f[3] as string, 16),
      txQueue: hexOr0(tx),
      rxQueue: hexOr0(rx),
      timer: hexOr0(timer),
      timerJiffies: hexOr0(when),
      retransmits: hexOr0(f[6]),
      uid: decimal(f[7]) ?? 0,
      probes: decimal(f[8]) ?? 0,
    });
  }
  return out;
}

// a garbled column reads as 0, never NaN, negative or Infinity
const hexOr0 = (s: string | undefined): number => (s !== undefined && /^[0-9A-Fa-f]{1,13}$/.test(s) ? parseInt(s, 16) : 0);

/** `socket:[12345]` (an fd link target) → 12345. */
export function parseSocketLink(target: string): number | undefined {
  return decimal(/^socket:\[(\d+)\]$/.exec(target)?.[1]);
}

/** /etc/passwd → uid → name. */
export function parsePasswd(text: string): Map<number, string> {
  const users = new Map<number, string>();
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 3 || f[0] === '' || line.startsWith('#')) continue;
    // like glibc, skip a uid that is not a plain number (`+::::::` NIS compat lines, typos)
    const uid = decimal(f[2]);
    if (uid !== undefined && !users.has(uid)) users.set(uid, f[0] as string);
  }
  return users;
}

/** /proc/PID/environ → value of one variable. */
export function environValue(raw: string, name: string): string | undefined {
  const prefix = `${name}=`;
  for (const entry of raw.split('\0')) if (entry.startsWith(prefix)) return entry.slice(prefix.length);
  return undefined;
}

/** `$TMUX` = `socket,server_pid,index` → server pid. */
export function tmuxServerPid(tmux: string | undefined): number | undefined {
  if (!tmux) return undefined;
  const parts = tmux.split(',');
  const pid = Number(parts[parts.length - 2]);
  return parts.length >= 3 && Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** `SSH_CONNECTION` = `client_ip client_port server_ip server_port`. */
export function parseSshConnection(value: string): { remote: Endpoint; local: Endpoint } | undefined {
  const f = value.trim().split(/\s+/);
  if (f.length !== 4) return undefined;
  const rp = Number(f[1]);
  const lp = Number(f[3]);
  if (!Number.isInteger(rp) || !Number.isInteger(lp) || rp < 0 || rp > 65535 || lp < 0 || lp > 65535) return undefined;
  return { remote: { address: f[0] as string, port: rp }, local: { address: f[2] as string, port: lp } };
}

/**
 * Whether /proc/self/mountinfo shows `target` (a real path) mounted as proc with a hidepid that
 * hides other users' processes from a member of `groups` (egid and supplementary groups). The
 * last mount on the path is the one in effect; members of its gid= group see everything.
 */
export function procMountHides(mountinfo: string, target: string, groups: readonly number[]): boolean {
  let hides = false;
  for (const line of mountinfo.split('\n')) {
    const [mount, fs] = line.split(' - ');
    const point = mount?.split(' ')[4]?.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    const [type, , options = ''] = (fs ?? '').split(' ');
    if (type !== 'proc' || point !== target) continue;
    const opts = options.split(',');
    const hidepid = opts.find((o) => o.startsWith('hidepid='))?.slice(8);
    const gid = Number(opts.find((o) => o.startsWith('gid='))?.slice(4));
    const exempt = Number.isInteger(gid) && groups.includes(gid);
    hides = !exempt && ['2', 'invisible', '4', 'ptraceable'].includes(hidepid ?? '');
  }
  return hides;
}
