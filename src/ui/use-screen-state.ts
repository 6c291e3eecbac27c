// The store's state as the screen takes it: a new poll is taken only when the frame it would draw
// differs from the one shown, or the UI state or the terminal size changed. A poll that changes
// nothing visible then costs no React render and no Ink layout: on an idle server, most polls.
import { useRef, useSyncExternalStore } from 'react';
import type { SessionStore, StoreState } from '../store/poll-store.js';
import type { UiState } from './state.js';
import { screenKey, type ScreenOf, type Size } from './view/screen.js';

export function useScreenState(store: SessionStore, ui: UiState, size: Size, of: ScreenOf): StoreState {
  const shown = useRef<{ state: StoreState; seen: StoreState; ui: UiState; size: Size; key: string } | null>(null);
  const getSnapshot = (): StoreState => {
    const next = store.getSnapshot();
    let cur = shown.current;
    if (cur === null || cur.ui !== ui || cur.size !== size) {
      cur = { state: next, seen: next, ui, size, key: screenKey(next, ui, size, of) };
    } else if (next !== cur.seen) {
      const key = screenKey(next, ui, size, of);
      cur = key === cur.key ? { ...cur, seen: next } : { ...cur, state: next, seen: next, key };
    }
    shown.current = cur;
    return cur.state;
  };
  return useSyncExternalStore(store.subscribe, getSnapshot);
}
