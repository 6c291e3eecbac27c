// `sshtop --once`: the session table printed once, grouped as a tree (listener → sessions).
import { Table } from '@alcalzone/ink-table';
import { Box, Text, renderToString } from 'ink';
import { sessionCells } from '../model/columns.js';
import { truncate } from '../text/cells.js';
import { HIDDEN_GROUP_TITLE } from '../model/hidden-sessions.js';
import { sanitize } from '../text/sanitize.js';
import type { Listener, Model, Session } from '../model/types.js';

const SGR = /\u001b\[[0-9;]*m/g;

interface Group {
  title: string;
  sessions: Session[];
}

function listenerTitle(l: Listener): string {
  return `listener ${l.pid}  ${truncate(sanitize(l.command), 120)}`;
}

export function groupByListener(model: Model): Group[] {
  const groups: Group[] = model.listeners.map((l) => ({
    title: listenerTitle(l),
    sessions: model.sessions.filter((s) => s.listenerPid === l.pid),
  }));
  const hidden = model.sessions.filter((s) => s.partial);
  if (hidden.length > 0) groups.push({ title: HIDDEN_GROUP_TITLE, sessions: hidden });
  const loose = model.sessions.filter((s) => !s.partial && (s.listenerPid === null || !model.listeners.some((l) => l.pid === s.listenerPid)));
  if (loose.length > 0) groups.push({ title: 'no listener (restarted daemon, or socket-activated)', sessions: loose });
  return groups;
}

function OnceView({ model, columns }: { model: Model; columns: number }) {
  const groups = groupByListener(model);
  const commandWidth = Math.max(16, columns - 90);
  return (
    <Box flexDirection="column">
      {model.notices.map((n) => (
        <Text key={n}>note: {n}</Text>
      ))}
      {groups.length === 0 && <Text>no SSH daemon and no SSH session found</Text>}
      {groups.map((g) => (
        <Box key={g.title} flexDirection="column">
          <Text bold>{g.title}</Text>
          {g.sessions.length === 0 ? (
            <Text>  └─ no sessions</Text>
          ) : (
            <Table
              data={g.sessions.map((s) => {
                const c = sessionCells(s, model.takenAt);
                const mark = s.flags.includes('own') ? '* ' : '';
                return {
                  PID: c.pid,
                  USER: mark + c.user,
                  TTY: c.tty,
                  FROM: c.from,
                  LOGIN: c.login,
                  IDLE: c.idle,
                  STATE: c.state,
                  COMMAND: truncate(c.command, commandWidth),
                };
              })}
            />
          )}
        </Box>
      ))}
      {model.self.sessionPid !== null && <Text>* = your own session (pid {model.self.sessionPid})</Text>}
    </Box>
  );
}

/** colour, and the terminal width to fit (default 200 columns) */
export interface OnceOptions {
  color: boolean;
  columns?: number;
}

export function formatOnce(model: Model, opts: OnceOptions): string {
  const columns = opts.columns ?? 200;
  const text = renderToString(<OnceView model={model} columns={columns} />, { columns });
  // ink-table rules off every row; keep only the rule under the heading, so a session is one line
  const lines = text.split('\n');
  const compact = lines.filter((line, i) => !line.startsWith('├') || (lines[i - 2] ?? '').startsWith('┌'));
  const out = compact.join('\n');
  return (opts.color ? out : out.replace(SGR, '')) + '\n';
}
