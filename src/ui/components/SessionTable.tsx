// The live list: only the rows in the window are rendered (virtualised), each as one memoised
// line: a poll that changes one row (a CPU figure, a command) re-renders and re-lays-out that row
// alone, and the row is a single Text, one Yoga node.
import { Box, Text } from 'ink';
import { memo } from 'react';
import type { Row } from '../view/rows.js';
import { windowStart } from '../view/window.js';
import { colorOf, markerOf, type Theme } from '../theme.js';
import { fitCells } from '../../text/cells.js';
import { formatLine, headerLine, MARK_WIDTH, type Layout } from '../layout.js';

export interface SessionTableProps {
  readonly rows: readonly Row[];
  readonly selected: number;
  readonly height: number;
  readonly layout: Layout;
  readonly tagged: ReadonlySet<string>;
  readonly theme: Theme;
  readonly view: 'tree' | 'flat';
}

function prefix(row: Row, view: 'tree' | 'flat'): string {
  if (view === 'flat' || row.kind === 'listener' || row.kind === 'group') return '';
  if (row.kind === 'session') return '├─ ';
  return '│  ' + '  '.repeat(Math.max(0, row.depth - 2)) + '└─ ';
}

interface TableLineProps {
  /** the whole line, marks and cells, cut to the table's width: a string, so equal lines compare equal */
  readonly line: string;
  readonly color: string | undefined;
  readonly selected: boolean;
  readonly bold: boolean;
}

const TableLine = memo(function TableLine({ line, color, selected, bold }: TableLineProps) {
  return (
    <Text wrap="truncate" color={color} inverse={selected} bold={bold}>
      {line}
    </Text>
  );
});

export function SessionTable({ rows, selected, height, layout, tagged, theme, view }: SessionTableProps) {
  const body = Math.max(1, height - 1);
  const start = windowStart(rows.length, selected, body);
  const visible = rows.slice(start, start + body);
  // the layout pads by characters; cut by cells so a double-width name never overflows the row
  const width = MARK_WIDTH + layout.columns.reduce((n, c) => n + c.width + 1, 0) + layout.commandWidth;
  return (
    <Box flexDirection="column" height={height}>
      <Text bold wrap="truncate">
        {headerLine(layout)}
      </Text>
      {rows.length === 0 && <Text wrap="truncate">  no sessions match</Text>}
      {visible.map((row, i) => {
        const isSelected = start + i === selected;
        const session = row.kind === 'session' ? row.session : undefined;
        const marks = (isSelected ? '>' : ' ') + (tagged.has(row.key) ? '+' : ' ') + (session ? markerOf(session) : ' ');
        const color = session ? colorOf(theme, session) : row.kind === 'listener' ? theme.listener : row.kind === 'process' ? theme.dim : undefined;
        return <TableLine key={row.key} line={fitCells(formatLine(layout, marks, row.cells, prefix(row, view)), width)} color={color} selected={isSelected} bold={row.kind !== 'process'} />;
      })}
    </Box>
  );
}
