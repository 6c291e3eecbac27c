// Display text for a session's columns, shared by the TUI and `--once`. Pure; every string that
// came from /proc is sanitised here, so callers can print the result as it is.
import { sanitize } from './sanitize.js';
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

/** HH:MM today, `Mon DD` before */
export function formatLogin(ms: number, now: number): string {
  const d = new Date(ms);
  const today = new Date(now);
  const sameDay = d.toDateString() === today.toDateString();
  if (sameDay) return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  return d.toLocaleDateString('en-US', { month: 'short', day: '2-digit' });
}

export function formatIdle(s: Session): string {
  if (s.idleSeconds === null) return '-';
  return formatSeconds(s.idleSeconds);
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
    from: s.remote ? formatEndpoint(s.remote) : '?',
    login: formatLogin(s.startedAt, now),
    idle: formatIdle(s),
    cpu: s.cpuSeconds.toFixed(1),
    state: formatState(s),
    command: sanitize(s.command ?? '-'),
  };
}

export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...text];
  return chars.length <= width ? text : chars.slice(0, Math.max(0, width - 1)).join('') + '…';
}
