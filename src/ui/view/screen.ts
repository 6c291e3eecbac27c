// One frame of the live screen as data: its rows, the selection, the body's height, and a key that
// changes exactly when the frame would (what the header, the status line, the table's visible
// window and an open detail pane show). Pure; the memo is an object its owner (the App) holds.
import type { StoreState } from '../../store/poll-store.js';
import { followSelection, type UiState } from '../state.js';
import { rowDetail } from './detail.js';
import { headerInfo } from './header.js';
import { sessionUsers, toRows, type Row } from './rows.js';
import { windowStart } from './window.js';

export interface Size {
  columns: number;
  rows: number;
}

export interface Screen {
  rows: Row[];
  /** derived from the state's selection key (and last index) for these rows */
  selected: number;
  /** lines between the header and the status line */
  bodyHeight: number;
}

export type ScreenOf = (state: StoreState, ui: UiState, size: Size) => Screen;

/** the frame's rows and layout */
export function screenOf(state: StoreState, ui: UiState, size: Size): Screen {
  const model = state.model;
  const rows = model
    ? toRows(model, { view: ui.view, filter: ui.filter, user: ui.user, idleOnly: ui.idleOnly, sort: ui.sort, inverted: ui.inverted, collapsed: ui.collapsed, cpu: state.cpu })
    : [];
  const headerHeight = 2 + Math.min(3, model?.listeners.length ?? 0);
  return { rows, selected: followSelection(ui, rows), bodyHeight: Math.max(3, size.rows - headerHeight - 2) };
}

/** screenOf that keeps its last result: the change key, the render and the keys all ask for it */
export function memoScreenOf(): ScreenOf {
  let last: { state: StoreState; ui: UiState; size: Size; screen: Screen } | undefined;
  return (state, ui, size) => {
    if (last && last.state === state && last.ui === ui && last.size === size) return last.screen;
    last = { state, ui, size, screen: screenOf(state, ui, size) };
    return last.screen;
  };
}

/** what the frame for this state shows; two states with the same key draw the same frame */
export function screenKey(state: StoreState, ui: UiState, size: Size, of: ScreenOf = screenOf): string {
  const model = state.model;
  const parts = [JSON.stringify(headerInfo(model)), state.error ?? '', String(state.paused), model?.notices[0] ?? ''];
  if (!model) return parts.join('\n');
  const { rows, selected, bodyHeight } = of(state, ui, size);
  const row = rows[selected];
  if (ui.mode === 'detail' && row) parts.push(...rowDetail(row, model.takenAt));
  if (ui.mode === 'user-picker') parts.push(sessionUsers(model).join(' '));
  // the table's window: what the list shows, and more than it shows under a dialog
  const body = Math.max(1, bodyHeight - 1);
  const start = windowStart(rows.length, selected, body);
  parts.push(`${selected} of ${rows.length}`);
  for (const r of rows.slice(start, start + body)) parts.push(`${r.key} ${r.session?.flags.join(',') ?? ''} ${JSON.stringify(r.cells)}`);
  return parts.join('\n');
}
