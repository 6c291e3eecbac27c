// Raw key sequences, a chunk at a time. Depends on Ink-internal API, pinned to ink 6.8.0: it reads
// `internal_eventEmitter` from useStdin (StdinContext.ts marks it internal), because useInput maps
// F-keys to `input === ''` with no flag for which, and Ink does not export parseKeypress.
import { useStdin } from 'ink';
import { useEffect, useRef, useState } from 'react';
import { splitKeys, type KeyPress } from './keys.js';

/** calls handler with each input chunk's keys, in order; true once keys are really listened to */
export function useKeys(handler: (keys: KeyPress[]) => void): boolean {
  const { isRawModeSupported, setRawMode, internal_eventEmitter } = useStdin();
  const ref = useRef(handler);
  ref.current = handler;
  // the footer shows the key hints only once keys are listened to
  const [ready, setReady] = useState(false);
  useEffect(() => {
    if (!isRawModeSupported) return;
    setRawMode(true);
    setReady(true);
    // a chunk may carry several keys (fast typing, paste): each is handled in turn
    const onInput = (raw: string) => {
      const keys = splitKeys(raw);
      if (keys.length > 0) ref.current(keys);
    };
    internal_eventEmitter.on('input', onInput);
    return () => {
      internal_eventEmitter.off('input', onInput);
      setRawMode(false);
    };
  }, [isRawModeSupported, setRawMode, internal_eventEmitter]);
  return ready;
}
