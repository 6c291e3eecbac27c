// `sshtop --once` drawn by Ink and ink-table: what once.ts falls back to where its plain text
// could differ (colour, a line wider than the terminal, characters other than ASCII), and what a
// test holds the plain text to. Loaded only then: Ink, React and yoga cost more than the read.
import { Table } from '@alcalzone/ink-table';
import { Box, Text, renderToString } from 'ink';
import type { Model } from '../model/types.js';
import { compactTable, groupByListener, leftoverHeading, leftoverRows, onceRows, SGR, type OnceOptions } from './once-rows.js';

function OnceView({ model, columns }: { model: Model; columns: number }) {
  const groups = groupByListener(model);
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
          ) : g.leftovers ? (
            g.sessions.map((s) => (
              <Box key={`${s.pid}:${s.startTicks}`} flexDirection="column">
                <Text>{leftoverHeading(s, model.takenAt)}</Text>
                <Table data={leftoverRows(s, columns)} />
              </Box>
            ))
          ) : (
            <Table
              data={onceRows(g.sessions, model.takenAt, columns)}
            />
          )}
        </Box>
      ))}
      {model.self.sessionPid !== null && <Text>* = your own session (pid {model.self.sessionPid})</Text>}
    </Box>
  );
}

/** the Ink rendering, compacted and coloured (or not) as once.ts's plain text is */
export function formatOnceInk(model: Model, opts: OnceOptions): string {
  const columns = opts.columns ?? 200;
  const out = compactTable(renderToString(<OnceView model={model} columns={columns} />, { columns }).split('\n')).join('\n');
  return (opts.color ? out : out.replace(SGR, '')) + '\n';
}
