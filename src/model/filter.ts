// Filtering and sorting of sessions, shared by the TUI, --once, --json and reap. Pure.
import { formatEndpoint } from './columns.js';
import { FLAG_ORDER } from './sessions.js';
import type { Session } from './types.js';

export const SORT_COLUMNS = ['pid', 'user', 'tty', 'from', 'login', 'idle', 'cpu', 'state', 'command'] as const;
export type SortColumn = (typeof SORT_COLUMNS)[number];

export function isSortColumn(text: string): text is SortColumn {
  return (SORT_COLUMNS as readonly string[]).includes(text);
}

/** case-insensitive substring match on user, ttys, remote address and command */
export function matchesFilter(s: Session, text: string): boolean {
  const needle = text.trim().toLowerCase();
  if (needle === '') return true;
  const hay = [s.user ?? '', ...s.ttys, s.remote ? formatEndpoint(s.remote) : '', s.command ?? '', String(s.pid)];
  for (const p of s.processes) hay.push(p.command);
  return hay.some((h) => h.toLowerCase().includes(needle));
}

export interface SessionQuery {
  user?: string | undefined;
  filter?: string | undefined;
  idleOnly?: boolean;
}

export function filterSessions(sessions: readonly Session[], q: SessionQuery): Session[] {
  return sessions.filter(
    (s) =>
      (q.user === undefined || s.user === q.user) &&
      (q.filter === undefined || matchesFilter(s, q.filter)) &&
      (!q.idleOnly || s.flags.some((f) => f === 'idle' || f === 'stale' || f === 'dead-peer' || f === 'hung' || f === 'orphan' || f === 'untrusted' || f === 'leftover')),
  );
}

function severity(s: Session): number {
  const first = s.flags[0];
  return first === undefined ? FLAG_ORDER.length : FLAG_ORDER.indexOf(first);
}

const KEYS: Record<SortColumn, (s: Session) => number | string> = {
  pid: (s) => s.pid,
  user: (s) => s.user ?? '',
  tty: (s) => s.ttys[0] ?? '',
  from: (s) => (s.remote ? formatEndpoint(s.remote) : ''),
  login: (s) => s.startedAt,
  idle: (s) => s.idleSeconds ?? -1,
  cpu: (s) => s.cpuSeconds,
  state: severity,
  command: (s) => s.command ?? '',
};

export function sortSessions(sessions: readonly Session[], column: SortColumn, inverted = false): Session[] {
  const key = KEYS[column];
  const dir = inverted ? -1 : 1;
  return [...sessions].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    const c = typeof ka === 'number' && typeof kb === 'number' ? ka - kb : String(ka).localeCompare(String(kb));
    return c !== 0 ? c * dir : a.pid - b.pid;
  });
}
