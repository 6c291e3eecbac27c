// One frame of the live screen as data: its rows, the selection, the body's height, and a key that
// changes exactly when the frame would (what the header, the status line, the table's visible
// window and an open detail pane show). Pure; shared by the App and by useScreenState.
import type { StoreState } from '../store/poll-store.js';
import { detailLines, listenerLines } from './components/DetailPane.js';
import { headerInfo } from './components/Header.js';
import { windowStart } from './components/SessionTable.js';
import { sessionUsers, toRows, type Row } from './rows.js';
import { followSelection, type UiState } from './state.js';

export interface Size {
  columns: number;
  rows: number;
}

export interface Screen {
  rows: Row[];
  selected: number;
  /** lines between the header and the status line */
  bodyHeight: number;
}

let last: { state: StoreState; ui: UiState; size: Size; screen: Screen } | undefined;

/** the frame's rows and layout; the last result is kept, since the key and the render both ask */
export function screenOf(state: StoreState, ui: UiState, size: Size): Screen {
  if (last && last.state === state && last.ui === ui && last.size === size) return last.screen;
  const model = state.model;
  const rows = model
    ? toRows(model, { view: ui.view, filter: ui.filter, user: ui.user, idleOnly: ui.idleOnly, sort: ui.sort, inverted: ui.inverted, collapsed: ui.collapsed, cpu: state.cpu })
    : [];
  const headerHeight = 2 + Math.min(3, model?.listeners.length ?? 0);
  const screen = { rows, selected: followSelection(ui, rows), bodyHeight: Math.max(3, size.rows - headerHeight - 2) };
  last = { state, ui, size, screen };
  return screen;
}

/** what the frame for this state shows; two states with the same key draw the same frame */
export function screenKey(state: StoreState, ui: UiState, size: Size): string {
  const model = state.model;
  const parts = [JSON.stringify(headerInfo(model)), state.error ?? '', String(state.paused), model?.notices[0] ?? ''];
  if (!model) return parts.join('\n');
  const { rows, selected, bodyHeight } = screenOf(state, ui, size);
  const row = rows[selected];
  if (ui.mode === 'detail' && row) parts.push(...(row.owner ? detailLines(row.owner, model.takenAt) : row.listener ? listenerLines(row.listener) : []));
  if (ui.mode === 'user-picker') parts.push(sessionUsers(model).join(' '));
  // the table's window: what the list shows, and more than it shows under a dialog
  const body = Math.max(1, bodyHeight - 1);
  const start = windowStart(rows.length, selected, body);
  parts.push(`${selected} of ${rows.length}`);
  for (const r of rows.slice(start, start + body)) parts.push(`${r.key} ${r.session?.flags.join(',') ?? ''} ${JSON.stringify(r.cells)}`);
  return parts.join('\n');
}
