// Display text for a session's columns, shared by the TUI and `--once`. Pure; every string that
// came from /proc is sanitised here, so callers can print the result as it is.
import { sanitize } from '../text/sanitize.js';
import { formatSeconds } from './sessions.js';
import type { Endpoint, Session } from './types.js';

export interface SessionCells {
  pid: string;
  user: string;
  tty: string;
  from: string;
  login: string;
  idle: string;
  cpu: string;
  state: string;
  command: string;
}

/** sanitised: a non-root viewer takes the address from SSH_CONNECTION in an environ, which its owner can forge */
export function formatEndpoint(e: Endpoint | null): string {
  if (!e) return '?';
  const address = sanitize(e.address);
  return address.includes(':') ? `[${address}]:${e.port}` : `${address}:${e.port}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number) => String(n).padStart(2, '0');

/** HH:MM today, `Mon DD` before (by hand: toLocaleDateString builds a formatter per call) */
export function formatLogin(ms: number, now: number): string {
  const d = new Date(ms);
  const today = new Date(now);
  const sameDay = d.getFullYear() === today.getFullYear() && d.getMonth() === today.getMonth() && d.getDate() === today.getDate();
  if (sameDay) return `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
  return `${MONTHS[d.getMonth()]} ${pad2(d.getDate())}`;
}

/**
 * Idle in whole minutes (`<1m`, `12m`, `2h05m`, `3d4h`), as of the last whole minute of the clock:
 * idle grows on the minute, with the header's clock, while new activity shows at once (`<1m`).
 * A column in seconds, or one whose sessions each cross a minute at their own second, would
 * redraw an idle screen every second; the kernel moves a tty's atime only every few seconds anyway.
 */
export function formatIdle(s: Session, now: number): string {
  if (s.idleSeconds === null) return '-';
  const idle = s.idleSeconds - (Math.floor(now / 1000) % 60);
  if (idle < 60) return '<1m';
  const minutes = Math.floor(idle / 60);
  if (minutes < 90) return `${minutes}m`;
  return formatSeconds(minutes * 60);
}

/** flags as words, the most severe first: readable without colour */
export function formatState(s: Session): string {
  return s.flags.length === 0 ? 'active' : s.flags.join(',');
}

export function sessionCells(s: Session, now: number): SessionCells {
  return {
    pid: String(s.pid),
    user: sanitize(s.user ?? '?'),
    tty: s.ttys.length > 0 ? s.ttys.join(',') : '-',
    // a login record names the host but not the port: the address alone, never a made-up port
    from: s.remote ? formatEndpoint(s.remote) : s.remoteHost ? sanitize(s.remoteHost) : '?',
    login: formatLogin(s.startedAt, now),
    idle: formatIdle(s, now),
    cpu: s.cpuSeconds.toFixed(1),
    state: formatState(s),
    command: sanitize(s.command ?? '-'),
  };
}

/** terminal cells of one character, never fewer than Ink or a terminal gives it: the narrow
 *  non-ASCII characters sshtop draws itself count 1, every other non-ASCII character 2 */
function cellsOf(c: number): number {
  if (c >= 0x20 && c < 0x7f) return 1;
  if ((c >= 0xa0 && c <= 0x2ff) || (c >= 0x2500 && c <= 0x257f) || c === 0x2026 || c === 0x2192 || c === 0x25b2 || c === 0xfffd) return 1;
  return 2;
}

/**
 * At most `width` terminal cells of text, `…` marking a cut. Ink's own truncation (slice-ansi)
 * keeps a double-width character that straddles the edge, one cell too many: the terminal then
 * wraps and the whole screen scrolls by a line. Strings from /proc can carry such characters.
 */
export function fitCells(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...text];
  let total = 0;
  for (const ch of chars) total += cellsOf(ch.codePointAt(0) as number);
  if (total <= width) return text;
  let out = '';
  let used = 0;
  for (const ch of chars) {
    const w = cellsOf(ch.codePointAt(0) as number);
    if (used + w > width - 1) break;
    out += ch;
    used += w;
  }
  return out + '…';
}

export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...text];
  return chars.length <= width ? text : chars.slice(0, Math.max(0, width - 1)).join('') + '…';
}
