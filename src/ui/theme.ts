// Colours as semantic roles. With NO_COLOR / --no-color every role is undefined (no colour):
// meaning is always carried by words and marker characters too.
import type { Session } from '../model/types.js';

export interface Theme {
  color: boolean;
  own?: string;
  danger?: string;
  warn?: string;
  preauth?: string;
  listener?: string;
  dim?: string;
  badge?: string;
  status?: string;
  error?: string;
}

export function makeTheme(color: boolean): Theme {
  if (!color) return { color };
  return { color, own: 'cyan', danger: 'red', warn: 'yellow', preauth: 'magenta', listener: 'blue', dim: 'gray', badge: 'yellow', status: 'green', error: 'red' };
}

const DANGER = new Set(['untrusted', 'dead-peer', 'hung', 'stale', 'orphan']);

/** one marker character per session, readable without colour */
export function markerOf(s: Session): string {
  if (s.flags.includes('own')) return '*';
  if (s.flags.some((f) => DANGER.has(f))) return '!';
  if (s.flags.includes('preauth')) return '?';
  if (s.flags.includes('idle')) return '~';
  return ' ';
}

export function colorOf(t: Theme, s: Session): string | undefined {
  if (s.flags.some((f) => DANGER.has(f))) return t.danger;
  if (s.flags.includes('own')) return t.own;
  if (s.flags.includes('preauth')) return t.preauth;
  if (s.flags.includes('idle')) return t.warn;
  return undefined;
}
