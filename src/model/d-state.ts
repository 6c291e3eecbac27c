// How long each process has been in uninterruptible sleep (D), across reads: the history `hung`
// needs. Pure; kept by the polling store between ticks, and by a one-shot's second look.
import type { Blocked } from './types.js';

export interface DStateSeen {
  /** ms since the epoch of the read that first saw it in this sleep */
  since: number;
  switches: number | null;
}

interface ProcLike {
  pid: number;
  startTicks: number;
  state: string;
  blocked?: Blocked;
}

/**
 * The history after one more read at `at`. A process stays in it only while it is in D at every
 * read and its context switches did not change: a process that ran in between (a busy disk
 * writer, caught in D at each look) starts again from this read. Switch counts unknown at both
 * reads keep the history as it was (the state alone).
 */
export function nextDState(prev: ReadonlyMap<string, DStateSeen>, procs: Iterable<ProcLike>, at: number): Map<string, DStateSeen> {
  const out = new Map<string, DStateSeen>();
  for (const p of procs) {
    if (p.state !== 'D') continue;
    const k = `${p.pid}:${p.startTicks}`;
    const switches = p.blocked?.switches ?? null;
    const before = prev.get(k);
    out.set(k, { since: before !== undefined && before.switches === switches ? before.since : at, switches });
  }
  return out;
}

export function sinceOf(history: ReadonlyMap<string, DStateSeen>): Map<string, number> {
  return new Map([...history].map(([k, v]) => [k, v.since]));
}
