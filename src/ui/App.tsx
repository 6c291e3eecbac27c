// The interactive screen. Data flows one way: store → rows → components. Keys flow back through
// the keymap into the reducer; the only side effect a key can cause (a signal) goes through the
// injected Signaller, which watch mode does not have.
import { Box, Text, useApp } from 'ink';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { SORT_COLUMNS } from '../model/filter.js';
import { sanitize } from '../model/sanitize.js';
import { SIGNALS } from '../proc/signal-names.js';
import type { Signaller, Target } from '../proc/signal.js';
import type { SessionStore } from '../store/poll-store.js';
import { DetailPane } from './components/DetailPane.js';
import { Header } from './components/Header.js';
import { HelpScreen } from './components/HelpScreen.js';
import { Picker } from './components/Picker.js';
import { SignalDialog } from './components/SignalDialog.js';
import { SessionTable } from './components/SessionTable.js';
import { commandFor, footerHints, type KeyPress } from './keymap.js';
import { layoutFor } from './layout.js';
import { useKeys } from './use-keys.js';
import { useScreenState } from './use-screen-state.js';
import { useTerminalSize } from './use-terminal-size.js';
import { rowDetail } from './view/detail.js';
import { dialogHeight } from './view/dialog.js';
import { describeProcesses, describeSession, liveTags, sessionKey, sessionUsers, type Row } from './view/rows.js';
import { memoScreenOf } from './view/screen.js';
import { initialState, reduce, type Action, type Dialog, type DialogTarget, type UiState } from './state.js';
import { makeTheme } from './theme.js';
import type { SortColumn } from '../model/filter.js';
import type { Session } from '../model/types.js';
import { fitCells, formatEndpoint } from '../model/columns.js';

export interface AppProps {
  readonly store: SessionStore;
  /** absent in watch mode: then nothing can be signalled */
  readonly signaller?: Signaller | undefined;
  readonly readOnly: boolean;
  readonly host: string;
  readonly color: boolean;
  readonly sort: SortColumn;
  readonly filter?: string | undefined;
  readonly user?: string | undefined;
  /** fixed size (tests); otherwise the terminal's */
  readonly size?: { columns: number; rows: number };
  readonly onQuit?: () => void;
}

/** why a partial session is not signalled, and what can be */
export function partialRefusal(s: Session): string {
  return `nothing sent: the sshd of ${describeSession(s)} (pid ${s.pid}) is hidden by hidepid and cannot be verified; signal its processes (the rows below) instead`;
}

const ENDS_OWN = 'This ends YOUR OWN connection.';

function targetFor(row: Row): (Target & { kind: DialogTarget['kind']; needsYes: boolean; why?: string | undefined; text: string }) | undefined {
  if (row.kind === 'session' && row.session) {
    const s = row.session;
    // a partial session's pid is hidden (hidepid): it cannot be pinned, so it is never a target
    if (s.partial) return undefined;
    const own = s.flags.includes('own');
    return {
      pid: s.pid,
      startTicks: s.startTicks,
      label: describeSession(s),
      audit: { sessionUser: s.user, remote: s.remote ? formatEndpoint(s.remote) : null, ttys: s.ttys, kind: 'session' },
      kind: 'session',
      needsYes: own,
      why: own ? ENDS_OWN : undefined,
      text: `End ${own ? 'YOUR OWN session ' : ''}${describeSession(s)} (${describeProcesses(s)})`,
    };
  }
  if (row.kind === 'process' && row.process && row.owner) {
    const p = row.process;
    const risk = row.endsOwn;
    return {
      pid: p.pid,
      startTicks: p.startTicks,
      label: `pid ${p.pid} (${sanitize(p.comm)})`,
      audit: { sessionUser: row.owner.user, remote: row.owner.remote ? formatEndpoint(row.owner.remote) : null, ttys: row.owner.ttys, kind: 'process' },
      kind: 'process',
      // a login shell or an sshd process of the own session: its signal ends the connection
      needsYes: risk !== undefined,
      why: risk === 'connection' ? ENDS_OWN : risk === 'sshtop' ? 'This ends sshtop itself.' : undefined,
      text:
        risk === 'connection'
          ? `Signal process ${p.pid} (${sanitize(p.command)}) of YOUR OWN session ${describeSession(row.owner)}`
          : `Signal only process ${p.pid} (${sanitize(p.command)}) of ${describeSession(row.owner)}`,
    };
  }
  if (row.kind === 'listener' && row.listener) {
    const l = row.listener;
    return {
      pid: l.pid,
      startTicks: l.startTicks,
      label: `listener ${l.pid}`,
      audit: { sessionUser: null, remote: null, ttys: [], kind: 'listener' },
      kind: 'listener',
      needsYes: true,
      why: 'This is a LISTENER: ending it stops new logins.',
      text: `Signal the LISTENER ${l.pid} (${sanitize(l.command)})`,
    };
  }
  return undefined;
}

export function App(props: AppProps) {
  const { store, signaller, readOnly } = props;
  const { exit } = useApp();
  // UI state lives in a ref updated synchronously, so several keys arriving in one chunk each
  // see the state the previous one left; React gets a copy to render
  const uiRef = useRef<UiState | null>(null);
  if (uiRef.current === null) uiRef.current = initialState({ sort: props.sort, filter: props.filter, user: props.user });
  const [ui, setUi] = useState<UiState>(uiRef.current);
  const dispatch = useCallback((a: Action) => {
    uiRef.current = reduce(uiRef.current as UiState, a);
    setUi(uiRef.current);
  }, []);
  const size = useTerminalSize(props.size);
  const theme = useMemo(() => makeTheme(props.color), [props.color]);
  // a poll that would draw the same frame is not taken: no render, no layout
  // this App's memo of its last frame: the change key, the render and the keys share it
  const screenOf = useMemo(memoScreenOf, []);
  const snapshot = useScreenState(store, ui, size, screenOf);
  const shownRef = useRef(snapshot);
  shownRef.current = snapshot;
  const model = snapshot.model;
  const { rows, selected, bodyHeight } = screenOf(snapshot, ui, size);
  /** the state and rows on screen, for key handlers: never a stale closure */
  const current = () => {
    const u = uiRef.current as UiState;
    const { rows: rs, selected: sel } = screenOf(shownRef.current, u, size);
    return { ui: u, rows: rs, selected: sel };
  };

  useEffect(() => {
    // from the latest state, not this render's: a key handled before the effect ran (g) must not be undone
    const { ui: u, rows: rs, selected: sel } = current();
    // a refilter that kept the selection is settled too, so a later refresh follows the key again
    if (rs.length > 0 && (rs[sel]?.key !== u.selectedKey || u.refiltered)) dispatch({ type: 'select', rows: rs, index: sel });
  }, [rows, selected, ui.selectedKey, ui.refiltered]);

  const quit = useCallback(() => {
    store.stop();
    props.onQuit?.();
    exit();
  }, [store, exit, props.onQuit]);

  const closeDialog = (d: Dialog | null, status: string | null) => {
    if (d && signaller) for (const t of d.targets) signaller.release(t.pinned);
    dispatch({ type: 'dialog', dialog: null });
    dispatch({ type: 'status', text: status });
  };

  const send = (d: Dialog) => {
    if (!signaller) return closeDialog(d, 'read-only: nothing sent');
    const results = d.targets.map((t) => signaller.send(t.pinned, d.signal));
    // a sent result's message is not shown when several were sent: its audit warning still is
    const notes = [...new Set([...results.filter((r) => r.outcome !== 'sent').map((r) => r.message), ...results.flatMap((r) => (r.outcome === 'sent' && r.auditWarning ? [r.auditWarning] : []))])];
    const text = results.length === 1 ? (results[0]?.message ?? '') : `${results.filter((r) => r.outcome === 'sent').length} of ${results.length} signalled; ${notes.join('; ')}`;
    dispatch({ type: 'untag-all' });
    closeDialog(d, sanitize(text));
  };

  const openSignalMenu = () => {
    if (!signaller || readOnly) return;
    const { ui: u, rows: rs, selected: sel } = current();
    const live = liveTags(shownRef.current.model, u.tagged);
    // tags of ended processes never fall through to the selected row (it may hold their pid now)
    if (u.tagged.size > 0 && live.size === 0) {
      dispatch({ type: 'untag-all' });
      return dispatch({ type: 'status', text: 'the tagged rows have ended: nothing to signal (tags cleared)' });
    }
    const chosen = live.size > 0 ? rs.filter((r) => live.has(r.key)) : rs[sel] ? [rs[sel] as Row] : [];
    const partial = chosen.find((r) => r.kind === 'session' && r.session?.partial);
    if (partial?.session) return dispatch({ type: 'status', text: partialRefusal(partial.session) });
    const targets = chosen.map(targetFor).filter((t): t is NonNullable<ReturnType<typeof targetFor>> => t !== undefined);
    if (targets.length === 0) return dispatch({ type: 'status', text: 'nothing to signal on this row' });
    // pin now: what is signalled is what the operator saw, whatever moves underneath
    const dialog: Dialog = {
      stage: 'menu',
      choice: 0,
      signal: 'TERM',
      typed: '',
      targets: targets.map((t) => ({ pinned: signaller.pin(t), kind: t.kind, text: t.text, needsYes: t.needsYes, why: t.why })),
    };
    dispatch({ type: 'dialog', dialog });
  };

  const users = useMemo(() => (model ? sessionUsers(model) : []), [model]);
  const tagCount = useMemo(() => liveTags(model, ui.tagged).size, [model, ui.tagged]);

  const onKey = (k: KeyPress) => {
    const { ui: u, rows: rs, selected: sel } = current();
    const move = (index: number) => dispatch({ type: 'select', rows: rs, index });
    switch (u.mode) {
      case 'help':
        return dispatch({ type: 'mode', mode: 'main' });
      case 'detail':
        if (k.name === 'escape' || k.name === 'left' || k.name === 'return' || k.text === 'q') dispatch({ type: 'mode', mode: 'main' });
        return;
      case 'filter':
      case 'search': {
        const field = u.mode;
        if (k.name === 'escape') {
          dispatch({ type: 'edit', field, value: '' });
          return dispatch({ type: 'mode', mode: 'main' });
        }
        // Enter keeps the filter / the match found while typing; F3 goes on to the next match
        if (k.name === 'return') return dispatch({ type: 'mode', mode: 'main' });
        if (k.name === 'backspace') return dispatch({ type: 'edit', field, value: [...u[field]].slice(0, -1).join('') });
        if (k.name === 'f3' && field === 'search') return jumpToMatch(u.search, sel + 1);
        if (k.text) {
          const value = u[field] + k.text;
          dispatch({ type: 'edit', field, value });
          if (field === 'search') jumpToMatch(value, sel);
        }
        return;
      }
      case 'user-picker':
      case 'sort-picker': {
        const items = u.mode === 'user-picker' ? ['(all users)', ...users] : [...SORT_COLUMNS];
        if (k.name === 'escape') return dispatch({ type: 'mode', mode: 'main' });
        if (k.name === 'up' || k.text === 'k') return dispatch({ type: 'picker', index: Math.max(0, u.picker - 1) });
        if (k.name === 'down' || k.text === 'j') return dispatch({ type: 'picker', index: Math.min(items.length - 1, u.picker + 1) });
        if (k.name === 'return') {
          if (u.mode === 'user-picker') return dispatch({ type: 'set-user', user: u.picker === 0 ? undefined : items[u.picker] });
          return dispatch({ type: 'set-sort', sort: items[u.picker] as SortColumn });
        }
        return;
      }
      case 'dialog': {
        const d = u.dialog;
        if (!d) return dispatch({ type: 'mode', mode: 'main' });
        if (k.name === 'escape' || k.name === 'ctrl-c') return closeDialog(d, 'cancelled: nothing sent');
        if (d.stage === 'menu') {
          if (k.name === 'up') return dispatch({ type: 'dialog', dialog: { ...d, choice: Math.max(0, d.choice - 1) } });
          if (k.name === 'down') return dispatch({ type: 'dialog', dialog: { ...d, choice: Math.min(SIGNALS.length - 1, d.choice + 1) } });
          const digit = Number(k.text);
          const pick = k.name === 'return' ? d.choice : Number.isInteger(digit) && digit >= 1 && digit <= SIGNALS.length ? digit - 1 : undefined;
          if (pick !== undefined) return dispatch({ type: 'dialog', dialog: { ...d, stage: 'confirm', choice: pick, signal: SIGNALS[pick] ?? 'TERM' } });
          return;
        }
        if (d.targets.some((t) => t.needsYes)) {
          if (k.name === 'return') return d.typed === 'yes' ? send(d) : closeDialog(d, 'not confirmed (type yes): nothing sent');
          if (k.name === 'backspace') return dispatch({ type: 'dialog', dialog: { ...d, typed: d.typed.slice(0, -1) } });
          if (k.text) dispatch({ type: 'dialog', dialog: { ...d, typed: (d.typed + k.text).slice(0, 8) } });
          return;
        }
        if (k.text === 'y' || k.text === 'Y') return send(d);
        return closeDialog(d, 'cancelled: nothing sent');
      }
      case 'main':
        break;
    }
    const cmd = commandFor(k, { readOnly });
    if (!cmd) return;
    const page = Math.max(1, size.rows - 8);
    switch (cmd.type) {
      case 'move':
        return move(sel + cmd.by);
      case 'page':
        return move(sel + cmd.by * page);
      case 'move-to':
        return move(cmd.where === 'first' ? 0 : rs.length - 1);
      case 'signal-menu':
        return openSignalMenu();
      case 'tag': {
        const row = rs[sel];
        if (row && (row.kind === 'session' || row.kind === 'process')) {
          dispatch({ type: 'tag', key: row.key });
          move(sel + 1);
        }
        return;
      }
      case 'untag-all':
        return dispatch({ type: 'untag-all' });
      case 'clear':
        if (u.filter || u.search) {
          dispatch({ type: 'edit', field: 'filter', value: '' });
          dispatch({ type: 'edit', field: 'search', value: '' });
        }
        return;
      case 'filter':
        return dispatch({ type: 'mode', mode: 'filter' });
      case 'search':
        dispatch({ type: 'edit', field: 'search', value: '' });
        return dispatch({ type: 'mode', mode: 'search' });
      case 'search-next':
        if (!u.search) return dispatch({ type: 'mode', mode: 'search' });
        return jumpToMatch(u.search, sel + 1);
      case 'user-picker':
        return dispatch({ type: 'mode', mode: 'user-picker' });
      case 'sort-picker':
        dispatch({ type: 'mode', mode: 'sort-picker' });
        return dispatch({ type: 'picker', index: SORT_COLUMNS.indexOf(u.sort) });
      case 'sort-step':
        return dispatch({ type: 'sort-step', by: cmd.by });
      case 'sort-invert':
        return dispatch({ type: 'sort-invert' });
      case 'toggle-tree':
        return dispatch({ type: 'toggle-tree' });
      case 'toggle-collapse': {
        const owner = rs[sel]?.owner;
        if (owner) dispatch({ type: 'toggle-collapse', key: sessionKey(owner.pid, owner.startTicks) });
        return;
      }
      case 'detail':
        if (rs[sel]) dispatch({ type: 'mode', mode: 'detail' });
        return;
      case 'idle-only':
        return dispatch({ type: 'idle-only' });
      case 'pause':
        return store.setPaused(!store.getSnapshot().paused);
      case 'help':
        return dispatch({ type: 'mode', mode: 'help' });
      case 'quit':
        return quit();
    }
  };

  const jumpToMatch = (needle: string, from: number) => {
    const { rows: rs } = current();
    if (!needle || rs.length === 0) return;
    const n = needle.toLowerCase();
    for (let i = 0; i < rs.length; i++) {
      const idx = (from + i) % rs.length;
      const c = rs[idx]?.cells;
      if (c && [c.user, c.tty, c.from, c.command, c.pid].some((x) => x.toLowerCase().includes(n))) {
        dispatch({ type: 'select', rows: rs, index: idx });
        return;
      }
    }
    dispatch({ type: 'status', text: `no match for "${needle}"` });
  };

  const keysActive = useKeys((keys) => {
    for (const k of keys) onKey(k);
  });

  const layout = layoutFor(size.columns);
  const settings = [
    ui.filter ? `filter "${sanitize(ui.filter)}"` : '',
    ui.user ? `user ${sanitize(ui.user)}` : '',
    `sort ${ui.sort}${ui.inverted ? ' ▲' : ''}`,
    ui.view,
    ui.idleOnly ? 'idle only' : '',
    tagCount > 0 ? `${tagCount} tagged` : '',
  ]
    .filter(Boolean)
    .join(' | ');
  const row = rows[selected];

  let body;
  if (ui.mode === 'help') body = <HelpScreen readOnly={readOnly} height={bodyHeight} />;
  else if (ui.mode === 'detail' && row && model)
    body = <DetailPane height={bodyHeight} width={size.columns} lines={rowDetail(row, model.takenAt)} />;
  else if (ui.mode === 'user-picker') body = <Picker title="show sessions of" items={['(all users)', ...users.map(sanitize)]} index={ui.picker} height={bodyHeight} width={size.columns} />;
  else if (ui.mode === 'sort-picker') body = <Picker title="sort by" items={[...SORT_COLUMNS]} index={ui.picker} height={bodyHeight} width={size.columns} />;
  else body = <SessionTable rows={rows} selected={selected} height={bodyHeight} layout={layout} tagged={ui.tagged} theme={theme} view={ui.view} />;
  if (ui.dialog) {
    // the list stays in view under the dialog, its selection marking what the dialog is about
    const below = bodyHeight - dialogHeight(ui.dialog, size.columns);
    body = (
      <Box flexDirection="column" height={bodyHeight} overflow="hidden">
        <SignalDialog dialog={ui.dialog} theme={theme} width={size.columns} />
        {below >= 3 && <SessionTable rows={rows} selected={selected} height={below} layout={layout} tagged={ui.tagged} theme={theme} view={ui.view} />}
      </Box>
    );
  }

  const prompt = ui.mode === 'filter' ? `filter: ${sanitize(ui.filter)}_` : ui.mode === 'search' ? `search: ${sanitize(ui.search)}_` : null;
  const notice = model?.notices[0];
  return (
    <Box flexDirection="column" width={size.columns} height={size.rows}>
      <Header host={props.host} model={model} readOnly={readOnly} paused={snapshot.paused} error={snapshot.error} theme={theme} settings={settings} />
      {body}
      <Text wrap="truncate" color={theme.status}>
        {fitCells(prompt ?? ui.status ?? (notice ? `note: ${notice}` : ' '), size.columns)}
      </Text>
      <Text wrap="truncate" inverse>
        {keysActive ? footerHints(readOnly) : `${readOnly ? 'READ-ONLY  ' : ''}no keyboard (stdin is not a terminal): Ctrl+C to stop`}
      </Text>
    </Box>
  );
}
