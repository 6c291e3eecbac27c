// Display text for a session's columns, shared by the TUI and `--once`. Pure; every string that
// came from /proc is sanitised here, so callers can print the result as it is.
import { sanitize } from '../text/sanitize.js';
import { formatSeconds } from '../text/duration.js';
import type { Endpoint, LeftoverFacts, Session } from './types.js';

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

/** when a leftover's login ended, in words: `ended 5m ago`, or `ended before sshtop looked` (unknown) */
export function leftoverEnded(f: LeftoverFacts, now: number): string {
  return f.endedAt === null ? 'ended before sshtop looked' : `ended ${formatSeconds(Math.max(0, Math.floor((now - f.endedAt) / 1000)))} ago`;
}

/** a process's user, and who logged in when that is someone else (`root (alice)` after `sudo -i`) */
export function processUser(p: { user: string | null; loginUser?: string }): string {
  return sanitize(p.loginUser !== undefined ? `${p.user ?? '?'} (${p.loginUser})` : (p.user ?? '?'));
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
    // a leftover's login time is known only when sshtop saw the login; never its processes' age
    login: s.kind === 'leftover' ? (s.leftover?.loginAt != null ? formatLogin(s.leftover.loginAt, now) : '?') : formatLogin(s.startedAt, now),
    idle: formatIdle(s, now),
    cpu: s.cpuSeconds.toFixed(1),
    state: formatState(s),
    command: sanitize(s.command ?? '-'),
  };
}
