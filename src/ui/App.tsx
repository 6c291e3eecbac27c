// The interactive screen. Data flows one way: store → rows → components. Keys go through the pure
// controller (step), which returns the next state and effects; the App runs the effects: a signal
// only through the injected Signaller, which watch mode does not have.
import { Box, Text, useApp } from 'ink';
import { useMemo, useRef, useState } from 'react';
import { fitCells } from '../text/cells.js';
import { sanitize } from '../text/sanitize.js';
import { processLabel } from '../model/end-plan.js';
import type { SortColumn } from '../model/filter.js';
import type { Signaller } from '../act/signal.js';
import type { SessionStore } from '../store/poll-store.js';
import { Body } from './components/Body.js';
import { Header } from './components/Header.js';
import { afterSend, openMenu, step, type Effect, type View } from './controller.js';
import { footerHints, type KeyPress } from './keymap.js';
import { initialState, settleSelection, withStatus, type Dialog, type UiState } from './state.js';
import { makeTheme } from './theme.js';
import { useKeys } from './use-keys.js';
import { useScreenState } from './use-screen-state.js';
import { useTerminalSize } from './use-terminal-size.js';
import { liveTags, sessionUsers } from './view/rows.js';
import { memoScreenOf } from './view/screen.js';
import { settingsLine, statusLine } from './view/status.js';

/** how long after a signal the processes it went to are looked at again (reportSurvivors) */
const SURVIVOR_CHECK_MS = 1500;

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

export function App(props: AppProps) {
  const { store, signaller, readOnly } = props;
  const { exit } = useApp();
  const size = useTerminalSize(props.size);
  const theme = useMemo(() => makeTheme(props.color), [props.color]);
  // this App's memo of its last frame: the change key, the render and the keys share it
  const screenOf = useMemo(memoScreenOf, []);
  // the latest state: a key, or a chunk read before React renders again, starts where the last left
  const latest = useRef<UiState | null>(null);
  latest.current ??= initialState({ sort: props.sort, filter: props.filter, user: props.user });
  const [ui, setUi] = useState<UiState>(latest.current);
  const commit = (s: UiState) => {
    latest.current = s;
    setUi(s);
  };

  // a poll that would draw the same frame is not taken: no render, no layout
  const snapshot = useScreenState(store, ui, size, screenOf);
  const shown = useRef(snapshot);
  shown.current = snapshot;
  const model = snapshot.model;
  const { rows, selected, bodyHeight } = screenOf(snapshot, ui, size);
  // the selection's key follows the row on screen, so the next poll follows that row; a render-time
  // update (React redoes this render before committing it), not an effect after the frame
  const settled = settleSelection(ui, rows);
  if (settled !== ui && ui === latest.current) commit(settled);

  const users = useMemo(() => (model ? sessionUsers(model) : []), [model]);
  const tagCount = useMemo(() => liveTags(model, ui.tagged).size, [model, ui.tagged]);

  /** what a key sees of the screen for state s: the rows it would show now */
  const viewOf = (s: UiState): View => {
    const screen = screenOf(shown.current, s, size);
    return { rows: screen.rows, selected: screen.selected, termRows: size.rows, users, model: shown.current.model, readOnly: readOnly || !signaller };
  };

  const release = (d: Dialog) => {
    if (signaller) for (const t of d.targets) for (const p of t.pins) signaller.release(p);
  };

  /**
   * A moment after a signal, the processes of what was ended that still run (a nohup job ignores
   * HUP, a program may catch TERM): named on the status line, so nothing is left unseen. The pins
   * are held until then, so a pid reused meanwhile is never taken for a survivor.
   */
  const reportSurvivors = (d: Dialog) => {
    if (!signaller) return;
    setTimeout(() => {
      const left = d.targets.flatMap((t) => t.pins).filter((p) => signaller.alive(p));
      release(d);
      if (left.length === 0 || d.targets.every((t) => t.pins.length < 2)) return;
      const names = left.slice(0, 5).map((p) => processLabel(p.target));
      const more = left.length > 5 ? ` and ${left.length - 5} more` : '';
      commit(withStatus(latest.current as UiState, sanitize(`${left.length} process${left.length === 1 ? '' : 'es'} still running after SIG${d.signal}: ${names.join(', ')}${more}; k to signal again`)));
    }, SURVIVOR_CHECK_MS);
  };

  /** the one place a key reaches the outside: pins, signals, the store, quitting */
  const run = (s: UiState, e: Effect): UiState => {
    switch (e.type) {
      case 'pin-and-open-menu':
        if (!signaller) return s;
        return openMenu(
          s,
          e.targets.map((t) => ({ pins: t.targets.map((x) => signaller.pin(x)), kind: t.kind, text: t.text, needsYes: t.needsYes, why: t.why })),
        );
      case 'send': {
        if (!signaller) return withStatus(s, 'read-only: nothing sent');
        const results = e.dialog.targets.flatMap((t) => t.pins.map((p) => signaller.send(p, e.dialog.signal)));
        reportSurvivors(e.dialog);
        return afterSend(s, results);
      }
      case 'release':
        release(e.dialog);
        return s;
      case 'pause':
        store.setPaused(!store.getSnapshot().paused);
        return s;
      case 'quit':
        store.stop();
        props.onQuit?.();
        exit();
        return s;
    }
  };

  const onKeys = (keys: KeyPress[]) => {
    let s = latest.current as UiState;
    for (const k of keys) {
      const r = step(s, k, viewOf(s));
      s = r.effects.reduce(run, r.state);
    }
    commit(s);
  };
  const keysActive = useKeys(onKeys);

  return (
    <Box flexDirection="column" width={size.columns} height={size.rows}>
      <Header host={props.host} model={model} readOnly={readOnly} paused={snapshot.paused} error={snapshot.error} theme={theme} settings={settingsLine(ui, tagCount)} />
      <Body ui={ui} model={model} rows={rows} selected={selected} users={users} height={bodyHeight} columns={size.columns} readOnly={readOnly} theme={theme} />
      <Text wrap="truncate" color={theme.status}>
        {fitCells(statusLine(ui, model?.notices[0]), size.columns)}
      </Text>
      <Text wrap="truncate" inverse>
        {keysActive ? footerHints(readOnly) : `${readOnly ? 'READ-ONLY  ' : ''}no keyboard (stdin is not a terminal): Ctrl+C to stop`}
      </Text>
    </Box>
  );
}
