// Column layout: which columns fit the terminal, in display order. Pure.
import type { SessionCells } from '../model/columns.js';

export type ColumnId = keyof SessionCells;

interface ColumnSpec {
  id: ColumnId;
  title: string;
  width: number;
  /** lower = kept longer when the terminal narrows */
  priority: number;
  right?: boolean;
}

const COLUMNS: ColumnSpec[] = [
  { id: 'pid', title: 'PID', width: 7, priority: 0, right: true },
  { id: 'user', title: 'USER', width: 10, priority: 0 },
  { id: 'tty', title: 'TTY', width: 9, priority: 3 },
  { id: 'from', title: 'FROM', width: 22, priority: 4 },
  { id: 'login', title: 'LOGIN', width: 6, priority: 5 },
  { id: 'idle', title: 'IDLE', width: 7, priority: 2, right: true },
  { id: 'cpu', title: 'CPU%', width: 6, priority: 6, right: true },
  { id: 'state', title: 'STATE', width: 16, priority: 1 },
];

/** marker columns: selection, tag, session marker */
export const MARK_WIDTH = 3;
const MIN_COMMAND = 12;

export interface Layout {
  columns: ColumnSpec[];
  commandWidth: number;
}

export function layoutFor(width: number): Layout {
  const chosen = new Set<ColumnId>();
  let used = MARK_WIDTH;
  for (const c of [...COLUMNS].sort((a, b) => a.priority - b.priority)) {
    if (used + c.width + 1 + MIN_COMMAND <= width) {
      chosen.add(c.id);
      used += c.width + 1;
    }
  }
  const columns = COLUMNS.filter((c) => chosen.has(c.id));
  return { columns, commandWidth: Math.max(1, width - used) };
}

function fit(text: string, width: number, right = false): string {
  const chars = [...text];
  if (chars.length > width) return chars.slice(0, Math.max(0, width - 1)).join('') + '…';
  return right ? text.padStart(width) : text.padEnd(width);
}

export function formatLine(layout: Layout, marks: string, cells: SessionCells, commandPrefix = ''): string {
  const parts = layout.columns.map((c) => fit(cells[c.id], c.width, c.right));
  return marks + parts.join(' ') + ' ' + fit(commandPrefix + cells.command, layout.commandWidth);
}

export function headerLine(layout: Layout): string {
  const parts = layout.columns.map((c) => fit(c.title, c.width, c.right));
  return ' '.repeat(MARK_WIDTH) + parts.join(' ') + ' ' + fit('COMMAND', layout.commandWidth);
}
