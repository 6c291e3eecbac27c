// `sshtop --once`: the session table printed once, grouped as a tree (listener → sessions).
// The table is laid out as ink-table draws it (once-ink.tsx). Where the plain text is certain to
// be what Ink would print (no colour, every line within the terminal, only characters one cell
// wide), it is printed without loading Ink: React, Ink and yoga's first layout cost more than the
// whole /proc read under Bun (docs/performance.md). Anything else is drawn by Ink itself.
import type { Model } from '../model/types.js';
import { COLUMNS, compactTable, groupByListener, LEFTOVER_COLUMNS, leftoverHeading, leftoverRows, onceRows, type OnceOptions } from './once-rows.js';

export type { OnceOptions } from './once-rows.js';

/**
 * ink-table's lines: a column is as wide as its longest value in UTF-16 units (String.length,
 * as ink-table measures) plus one space each side; values are left-aligned.
 */
function tableLines<K extends string>(columns: readonly K[], rows: readonly Record<K, string>[]): string[] {
  const widths = columns.map((k) => Math.max(k.length, ...rows.map((r) => r[k].length)) + 2);
  const rule = (left: string, cross: string, right: string) => left + widths.map((w) => '─'.repeat(w)).join(cross) + right;
  const line = (r: Readonly<Record<K, string>>) => '│' + columns.map((k, i) => ` ${r[k]}${' '.repeat((widths[i] as number) - r[k].length - 1)}`).join('│') + '│';
  const heading = Object.fromEntries(columns.map((k) => [k, k as string])) as Record<K, string>;
  return [rule('┌', '┬', '┐'), line(heading), ...rows.flatMap((r) => [rule('├', '┼', '┤'), line(r)]), rule('└', '┴', '┘')];
}

/** printable ASCII, and the box-drawing and ellipsis characters the table and cuts add: one cell each */
const ONE_CELL = /^[\u0020-\u007e─│┌┐└┘├┤┬┴┼…]*$/;

/**
 * The --once text without Ink, or undefined where it could differ from Ink's: colour (Ink's SGR
 * sequences), a line wider than the terminal (Ink wraps it), or a character that is not one cell.
 */
export function plainOnce(model: Model, opts: OnceOptions): string | undefined {
  if (opts.color) return undefined;
  const columns = opts.columns ?? 200;
  const lines: string[] = model.notices.map((n) => `note: ${n}`);
  const groups = groupByListener(model);
  if (groups.length === 0) lines.push('no SSH daemon and no SSH session found');
  for (const g of groups) {
    lines.push(g.title);
    if (g.sessions.length === 0) lines.push('  └─ no sessions');
    else if (g.leftovers) for (const s of g.sessions) lines.push(leftoverHeading(s, model.takenAt), ...tableLines(LEFTOVER_COLUMNS, leftoverRows(s, columns)));
    else lines.push(...tableLines(COLUMNS, onceRows(g.sessions, model.takenAt, columns)));
  }
  if (model.self.sessionPid !== null) lines.push(`* = your own session (pid ${model.self.sessionPid})`);
  if (lines.some((l) => l.length > columns || !ONE_CELL.test(l))) return undefined;
  // Ink trims every line's end
  return compactTable(lines.map((l) => l.trimEnd())).join('\n') + '\n';
}

/** the --once text: plain where that is certain to be Ink's, else drawn by Ink (loaded only then) */
export async function formatOnce(model: Model, opts: OnceOptions): Promise<string> {
  return plainOnce(model, opts) ?? (await import('./once-ink.js')).formatOnceInk(model, opts);
}
