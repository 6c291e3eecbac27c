// `sshtop --once`: the session table printed once, grouped as a tree (listener → sessions).
import { Table } from '@alcalzone/ink-table';
import { Box, Text, renderToString } from 'ink';
import { formatEndpoint, formatLogin, processUser, sessionCells } from '../model/columns.js';
import { LEFTOVER_GROUP_TITLE, MOSH_GROUP_TITLE } from '../model/loose.js';
import { formatSeconds } from '../text/duration.js';
import { truncate } from '../text/cells.js';
import { HIDDEN_GROUP_TITLE } from '../model/hidden-sessions.js';
import { sanitize } from '../text/sanitize.js';
import type { Listener, Model, Session } from '../model/types.js';

const SGR = /\u001b\[[0-9;]*m/g;

interface Group {
  title: string;
  sessions: Session[];
}

/** one leftover group: the login it came from, then each process with its CPU, memory and state */
function Leftover({ s, now, commandWidth }: { s: Session; now: number; commandWidth: number }) {
  const f = s.leftover;
  const login = f?.loginAt != null ? `login ${formatLogin(f.loginAt, now)}` : 'login time unknown';
  const ended = f?.endedAt != null ? `ended ${formatSeconds(Math.max(0, Math.floor((now - f.endedAt) / 1000)))} ago` : 'ended before sshtop looked';
  const tie = f ? `${f.via}${f.sessionId !== null ? ` session ${f.sessionId}` : ''}${f.partial ? ', partial' : ''}` : '';
  return (
    <Box flexDirection="column">
      <Text>
        {`  ${sanitize(s.user ?? '?')} from ${s.remote ? formatEndpoint(s.remote) : '?'}: ${login}, ${ended} (${tie})${s.flags.includes('own') ? ' *' : ''}`}
      </Text>
      <Table
        data={s.processes.map((p) => ({
          PID: String(p.pid),
          USER: processUser(p),
          STATE: p.state,
          CPU: `${(p.cpuTicks / 100).toFixed(1)}s`,
          RSS: p.rssBytes === undefined ? '?' : `${Math.round(p.rssBytes / 1024)}K`,
          COMMAND: truncate(`${' '.repeat(p.depth)}${sanitize(p.command)}`, commandWidth),
        }))}
      />
    </Box>
  );
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
  const mosh = model.sessions.filter((s) => s.kind === 'mosh');
  if (mosh.length > 0) groups.push({ title: MOSH_GROUP_TITLE, sessions: mosh });
  const leftovers = model.sessions.filter((s) => s.kind === 'leftover');
  if (leftovers.length > 0) groups.push({ title: LEFTOVER_GROUP_TITLE, sessions: leftovers });
  const loose = model.sessions.filter(
    (s) => !s.partial && s.kind === undefined && (s.listenerPid === null || !model.listeners.some((l) => l.pid === s.listenerPid)),
  );
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
          ) : g.title === LEFTOVER_GROUP_TITLE ? (
            g.sessions.map((s) => <Leftover key={`${s.pid}:${s.startTicks}`} s={s} now={model.takenAt} commandWidth={commandWidth} />)
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
