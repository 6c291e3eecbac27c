// UI state and the small pure transitions the controller composes (controller.ts decides which).
// The selection is stored once: the row's key, and its last index for when that row is gone.
import type { SortColumn } from '../model/filter.js';
import type { Pinned, SignalName } from '../act/signal.js';
import type { Row } from './view/rows.js';

export type Mode = 'main' | 'filter' | 'search' | 'help' | 'detail' | 'user-picker' | 'sort-picker' | 'dialog';

export interface DialogTarget {
  /** the processes, pinned, in the order they are signalled (a session: every process of it) */
  pins: Pinned[];
  kind: 'session' | 'process' | 'listener' | 'leftover' | 'mosh';
  /** what ends, in words */
  text: string;
  /** the own connection, sshtop itself or a listener: needs `yes` typed */
  needsYes: boolean;
  /** why `yes` is needed, shown above the question */
  why?: string | undefined;
}

export interface Dialog {
  stage: 'menu' | 'confirm';
  targets: DialogTarget[];
  choice: number;
  signal: SignalName;
  typed: string;
}

export interface UiState {
  mode: Mode;
  view: 'tree' | 'flat';
  selectedKey: string | null;
  selectedIndex: number;
  /** the filter, user or idle-only changed since the selection was placed (see followSelection) */
  refiltered: boolean;
  /** session row keys (identities) */
  collapsed: ReadonlySet<string>;
  filter: string;
  search: string;
  user: string | undefined;
  sort: SortColumn;
  inverted: boolean;
  idleOnly: boolean;
  /** row keys: identities (pid and start time), see rows.ts */
  tagged: ReadonlySet<string>;
  picker: number;
  dialog: Dialog | null;
  status: string | null;
}

export function initialState(o: { sort: SortColumn; filter?: string | undefined; user?: string | undefined }): UiState {
  return {
    mode: 'main',
    view: 'tree',
    selectedKey: null,
    selectedIndex: 0,
    refiltered: false,
    collapsed: new Set(),
    filter: o.filter ?? '',
    search: '',
    user: o.user,
    sort: o.sort,
    inverted: false,
    idleOnly: false,
    tagged: new Set(),
    picker: 0,
    dialog: null,
    status: null,
  };
}

function toggle<T>(set: ReadonlySet<T>, v: T): Set<T> {
  const next = new Set(set);
  if (next.has(v)) next.delete(v);
  else next.add(v);
  return next;
}

/** the selection placed on a row of these rows (clamped), its key remembered */
export function select(s: UiState, rows: readonly Row[], index: number): UiState {
  // with no rows the selection is not placed yet: a pending refilter still applies
  if (rows.length === 0) return { ...s, selectedKey: null, selectedIndex: 0 };
  const i = Math.max(0, Math.min(rows.length - 1, index));
  return { ...s, selectedIndex: i, selectedKey: rows[i]?.key ?? null, refiltered: false };
}

/** another mode: the picker starts at the top, and only the list keeps the status line */
export function toMode(s: UiState, mode: Mode): UiState {
  return { ...s, mode, picker: 0, status: mode === 'main' ? s.status : null };
}

export function edit(s: UiState, field: 'filter' | 'search', value: string): UiState {
  // a search only moves the selection to a match; a filter hides rows
  return { ...s, [field]: value, refiltered: s.refiltered || (field === 'filter' && value !== s.filter) };
}

/** the dialog opened, changed or closed (back to the list, which keeps the status) */
export function withDialog(s: UiState, dialog: Dialog | null): UiState {
  return { ...s, dialog, mode: dialog ? 'dialog' : 'main', status: dialog ? null : s.status };
}

export const withStatus = (s: UiState, status: string | null): UiState => ({ ...s, status });
export const toggleTag = (s: UiState, key: string): UiState => ({ ...s, tagged: toggle(s.tagged, key) });
export const untagAll = (s: UiState): UiState => ({ ...s, tagged: new Set() });
export const toggleCollapse = (s: UiState, key: string): UiState => ({ ...s, collapsed: toggle(s.collapsed, key) });

/**
 * where the selection is after the rows changed: the same key if it is still there, else the same
 * place. After the filter, user or idle-only changed, a row that does not match (gone, or a
 * listener or group row kept only as the heading of matching sessions) gives way to the first
 * matching session.
 */
export function followSelection(s: UiState, rows: readonly Row[]): number {
  if (rows.length === 0) return 0;
  const byKey = s.selectedKey === null ? -1 : rows.findIndex((r) => r.key === s.selectedKey);
  const firstSession = rows.findIndex((r) => r.kind === 'session');
  if (s.refiltered && firstSession >= 0) {
    const kept = rows[byKey];
    const narrowed = s.filter !== '' || s.user !== undefined || s.idleOnly;
    if (!kept || (narrowed && (kept.kind === 'listener' || kept.kind === 'group'))) return firstSession;
  }
  if (byKey >= 0) return byKey;
  if (s.selectedKey === null) return Math.max(0, firstSession);
  return Math.max(0, Math.min(rows.length - 1, s.selectedIndex));
}

/**
 * the state once the selection sits on the row the screen shows: its key adopted and a pending
 * refilter settled, so the next poll follows that row. The same object when already settled.
 */
export function settleSelection(s: UiState, rows: readonly Row[]): UiState {
  const index = followSelection(s, rows);
  // a refilter that kept the selection is settled too, so a later refresh follows the key again
  if (rows.length > 0 && (rows[index]?.key !== s.selectedKey || s.refiltered)) return select(s, rows, index);
  return s;
}
