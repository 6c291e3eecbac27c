// The header's text as data: clock, counts by state, listeners, where the operator is. Pure; it is
// also part of the screen's change key.
import { describeDrop } from '../../model/policy.js';
import { formatSeconds } from '../../text/duration.js';
import type { Model } from '../../model/types.js';

export function countByState(model: Model): string {
  const n = (pred: (f: string[]) => boolean) => model.sessions.filter((s) => pred(s.flags)).length;
  const bad = n((f) => f.some((x) => x === 'dead-peer' || x === 'hung' || x === 'stale'));
  const parts = [
    `${model.sessions.length} sessions`,
    `${n((f) => f.includes('idle'))} idle`,
    `${bad} stale`,
    `${n((f) => f.includes('preauth'))} preauth`,
    `${n((f) => f.includes('orphan'))} orphan`,
  ];
  return parts.join(', ');
}

/** everything the header shows that comes from the model, as text (also the screen's change key) */
export interface HeaderInfo {
  /** `up 3d4h 21:25`: minutes, not seconds, so an idle screen need not be redrawn every second */
  clock: string;
  counts: string | null;
  listeners: string[];
  own: string;
}

export function headerInfo(model: Model | null): HeaderInfo {
  if (!model) return { clock: 'up ? --:--', counts: null, listeners: [], own: '' };
  // uptime as of the clock's minute, so both change in the same frame
  const minute = model.takenAt - (model.takenAt % 60_000);
  const uptime = model.btime > 0 ? formatSeconds(Math.max(0, Math.floor(minute / 1000 - model.btime))) : '?';
  const own = model.self.sessionPid;
  return {
    clock: `up ${uptime} ${new Date(model.takenAt).toTimeString().slice(0, 5)}`,
    counts: countByState(model),
    listeners: model.listeners.slice(0, 3).map(
      (l) =>
        `listener ${l.pid}: ${l.startups ? `${l.startups.active} of ${l.startups.start}-${l.startups.full} startups` : 'startups unknown'}${l.policy ? ` | ${describeDrop(l.policy)}` : ''}`,
    ),
    own: own ? `* you are here: session ${own}` : 'not inside an SSH session',
  };
}
