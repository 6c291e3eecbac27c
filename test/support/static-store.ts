// A store over fixed states, for tests, the benchmark and screenshots: production code holds
// only the polling store.
import type { SessionStore, StoreState } from '../../src/store/poll-store.js';

export function createStaticStore(initial: StoreState): SessionStore & { set(next: Partial<StoreState>): void } {
  const listeners = new Set<() => void>();
  let state = initial;
  return {
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    getSnapshot: () => state,
    start: async () => {},
    setPaused(paused) {
      state = { ...state, paused };
      for (const l of listeners) l();
    },
    set(next) {
      state = { ...state, ...next };
      for (const l of listeners) l();
    },
    stop() {},
  };
}
