// What --once shows, shared by its plain text (once.ts) and its Ink drawing (once-ink.tsx): the
// groups (listener → sessions), the table's rows, and the compaction of ink-table's rules.
import { formatEndpoint, formatLogin, leftoverEnded, processUser, sessionCells } from '../model/columns.js';
import { groupSessions } from '../model/session-groups.js';
import type { Listener, Model, Session } from '../model/types.js';
import { truncate } from '../text/cells.js';
import { sanitize } from '../text/sanitize.js';

export const SGR = /\u001b\[[0-9;]*m/g;

/** colour, and the terminal width to fit (default 200 columns) */
export interface OnceOptions {
  color: boolean;
  columns?: number;
}

interface Group {
  title: string;
  sessions: Session[];
  /** leftovers: one heading per ended login, then a row per process (leftoverRows) */
  leftovers?: true;
}

function listenerTitle(l: Listener): string {
  return `listener ${l.pid}  ${truncate(sanitize(l.command), 120)}`;
}

/** the groups --once prints (model/session-groups.ts: the screen's), each with its heading */
export function groupByListener(model: Model): Group[] {
  return groupSessions(model.listeners, model.sessions).map((g) =>
    g.kind === 'listener'
      ? { title: listenerTitle(g.listener), sessions: g.sessions }
      : { title: g.title, sessions: g.sessions, ...(g.kind === 'leftover' ? { leftovers: true as const } : {}) },
  );
}

/** a leftover group's heading: the login it came from, when it started and ended (if known), the tie */
export function leftoverHeading(s: Session, now: number): string {
  const f = s.leftover;
  const login = f?.loginAt != null ? `login ${formatLogin(f.loginAt, now)}` : 'login time unknown';
  const ended = f ? leftoverEnded(f, now) : 'ended before sshtop looked';
  const tie = f ? `${f.via}${f.sessionId !== null ? ` session ${f.sessionId}` : ''}${f.partial ? ', partial' : ''}` : '';
  return `  ${sanitize(s.user ?? '?')} from ${s.remote ? formatEndpoint(s.remote) : '?'}: ${login}, ${ended} (${tie})${s.flags.includes('own') ? ' *' : ''}`;
}

/** a leftover's table: each process with its CPU time, memory and state */
export const LEFTOVER_COLUMNS = ['PID', 'USER', 'STATE', 'CPU', 'RSS', 'COMMAND'] as const;
export type LeftoverRow = Record<(typeof LEFTOVER_COLUMNS)[number], string>;

export function leftoverRows(s: Session, columns: number): LeftoverRow[] {
  const commandWidth = Math.max(16, columns - 60);
  return s.processes.map((p) => ({
    PID: String(p.pid),
    USER: processUser(p),
    STATE: p.state,
    // USER_HZ is 100 on every Linux architecture (proc/reader.ts)
    CPU: `${(p.cpuTicks / 100).toFixed(1)}s`,
    RSS: p.rssBytes === undefined ? '?' : `${Math.round(p.rssBytes / 1024)}K`,
    COMMAND: truncate(`${' '.repeat(p.depth)}${sanitize(p.command)}`, commandWidth),
  }));
}

/** the table's columns, in order (ink-table takes them from the rows' keys) */
export const COLUMNS = ['PID', 'USER', 'TTY', 'FROM', 'LOGIN', 'IDLE', 'STATE', 'COMMAND'] as const;
export type Row = Record<(typeof COLUMNS)[number], string>;

/** one row per session; the command is cut to what a `columns`-wide terminal leaves it */
export function onceRows(sessions: readonly Session[], now: number, columns: number): Row[] {
  const commandWidth = Math.max(16, columns - 90);
  return sessions.map((s) => {
    const c = sessionCells(s, now);
    const mark = s.flags.includes('own') ? '* ' : '';
    return { PID: c.pid, USER: mark + c.user, TTY: c.tty, FROM: c.from, LOGIN: c.login, IDLE: c.idle, STATE: c.state, COMMAND: truncate(c.command, commandWidth) };
  });
}

/** ink-table rules off every row; keep only the rule under the heading, so a session is one line */
export function compactTable(lines: readonly string[]): string[] {
  return lines.filter((line, i) => !line.startsWith('├') || (lines[i - 2] ?? '').startsWith('┌'));
}
