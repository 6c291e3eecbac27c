// UI state and its reducer: every transition a key can cause, pure. Signals are not sent here:
// the App does that through the injected Signaller, after the dialog says so.
import { SORT_COLUMNS, type SortColumn } from '../model/filter.js';
import type { Pinned, SignalName } from '../proc/signal.js';
import type { Row } from './view/rows.js';

export type Mode = 'main' | 'filter' | 'search' | 'help' | 'detail' | 'user-picker' | 'sort-picker' | 'dialog';

export interface DialogTarget {
  pinned: Pinned;
  kind: 'session' | 'process' | 'listener';
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

export type Action =
  | { type: 'select'; rows: readonly Row[]; index: number }
  | { type: 'mode'; mode: Mode }
  | { type: 'toggle-tree' }
  | { type: 'toggle-collapse'; key: string }
  | { type: 'edit'; field: 'filter' | 'search'; value: string }
  | { type: 'set-user'; user: string | undefined }
  | { type: 'set-sort'; sort: SortColumn }
  | { type: 'sort-step'; by: 1 | -1 }
  | { type: 'sort-invert' }
  | { type: 'idle-only' }
  | { type: 'tag'; key: string }
  | { type: 'untag-all' }
  | { type: 'picker'; index: number }
  | { type: 'dialog'; dialog: Dialog | null }
  | { type: 'status'; text: string | null };

function toggle<T>(set: ReadonlySet<T>, v: T): Set<T> {
  const next = new Set(set);
  if (next.has(v)) next.delete(v);
  else next.add(v);
  return next;
}

export function reduce(s: UiState, a: Action): UiState {
  switch (a.type) {
    case 'select': {
      // with no rows the selection is not placed yet: a pending refilter still applies
      if (a.rows.length === 0) return { ...s, selectedKey: null, selectedIndex: 0 };
      const index = Math.max(0, Math.min(a.rows.length - 1, a.index));
      return { ...s, selectedIndex: index, selectedKey: a.rows[index]?.key ?? null, refiltered: false };
    }
    case 'mode':
      return { ...s, mode: a.mode, picker: 0, status: a.mode === 'main' ? s.status : null };
    case 'toggle-tree':
      return { ...s, view: s.view === 'tree' ? 'flat' : 'tree' };
    case 'toggle-collapse':
      return { ...s, collapsed: toggle(s.collapsed, a.key) };
    case 'edit':
      // a search only moves the selection to a match; a filter hides rows
      return { ...s, [a.field]: a.value, refiltered: s.refiltered || (a.field === 'filter' && a.value !== s.filter) };
    case 'set-user':
      return { ...s, user: a.user, mode: 'main', refiltered: s.refiltered || a.user !== s.user };
    case 'set-sort':
      return { ...s, sort: a.sort, mode: 'main' };
    case 'sort-step': {
      const i = SORT_COLUMNS.indexOf(s.sort);
      return { ...s, sort: SORT_COLUMNS[(i + a.by + SORT_COLUMNS.length) % SORT_COLUMNS.length] as SortColumn };
    }
    case 'sort-invert':
      return { ...s, inverted: !s.inverted };
    case 'idle-only':
      return { ...s, idleOnly: !s.idleOnly, refiltered: true };
    case 'tag':
      return { ...s, tagged: toggle(s.tagged, a.key) };
    case 'untag-all':
      return { ...s, tagged: new Set() };
    case 'picker':
      return { ...s, picker: a.index };
    case 'dialog':
      return { ...s, dialog: a.dialog, mode: a.dialog ? 'dialog' : 'main', status: a.dialog ? null : s.status };
    case 'status':
      return { ...s, status: a.text };
  }
}

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
