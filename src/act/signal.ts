// The ONLY module that sends signals (docs/safety.md). A target is pinned when the operator chooses it:
// /proc/PID/stat is opened then, and re-read through that descriptor just before process.kill.
// If the process exited, the read fails (ESRCH) even when the pid has been reused since; if the
// starttime differs, it is another process. Either way nothing is sent. Watch mode never
// constructs a Signaller. Targets are always pinned through the live /proc, whatever snapshot
// (a --proc-root fixture) the operator looked at: a fixture's pid never reaches a live process.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { parseStat } from '../proc/parse.js';

import type { Target } from '../model/end-plan.js';
import type { SignalName } from '../model/signal-names.js';

export { SIGNALS, type SignalName } from '../model/signal-names.js';

export type { AuditFacts, Target } from '../model/end-plan.js';

export interface Pinned {
  readonly target: Target;
  fd: number | null;
}

export type SignalOutcome = 'sent' | 'gone' | 'denied' | 'identity-changed' | 'failed';

export interface SignalResult {
  pid: number;
  signal: SignalName;
  outcome: SignalOutcome;
  /** one line for the status line / stderr (ends with the audit warning, if any) */
  message: string;
  /** why the audit trail did not record this attempt, if it did not */
  auditWarning?: string;
}

/** an attempt about to be made: audited before process.kill when it may end sshtop itself */
export interface SignalIntent {
  pid: number;
  signal: SignalName;
  target: Target;
}

export interface SignalRecord extends SignalResult {
  target: Target;
}

export interface Signaller {
  pin(target: Target): Pinned;
  /** re-verify identity, then send; never throws, never retries on another pid */
  send(pinned: Pinned, signal: SignalName): SignalResult;
  /** whether the pinned process still runs with the same identity (a zombie does not) */
  alive(pinned: Pinned): boolean;
  release(pinned: Pinned): void;
}

export interface SignallerOptions {
  /** called after every attempt (sent or refused): the audit trail; a string returned is its warning */
  onSignal?: (record: SignalRecord) => string | void;
  /** called synchronously before process.kill for a target that may end sshtop; a string returned is its warning */
  onIntent?: (intent: SignalIntent) => string | void;
}

/** the live /proc, always: pinning through a captured tree would check a fixture, not the process */
const PROC = '/proc';

function readPinned(fd: number): string | undefined {
  const buf = Buffer.alloc(4096);
  try {
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString('utf8');
  } catch {
    return undefined;
  }
}

/** whether pid is sshtop itself or one of its ancestors (its shell, its sshd session, tmux) */
function isSelfOrAncestor(pid: number): boolean {
  let p = process.pid;
  for (let hops = 0; p > 1 && hops < 4096; hops++) {
    if (p === pid) return true;
    let text: string;
    try {
      text = readFileSync(join(PROC, String(p), 'stat'), 'utf8');
    } catch {
      return false;
    }
    const next = parseStat(text)?.ppid;
    if (next === undefined) return false;
    p = next;
  }
  return false;
}

const callHook = <T>(hook: ((arg: T) => string | void) | undefined, arg: T): string | undefined => {
  try {
    const w = hook?.(arg);
    return typeof w === 'string' && w !== '' ? w : undefined;
  } catch {
    // the audit trail must never stop the action or crash the UI
    return undefined;
  }
};

export function createSignaller(opts: SignallerOptions = {}): Signaller {
  const identity = (p: Pinned): 'same' | 'gone' | 'changed' => {
    if (p.fd === null) return 'gone';
    const text = readPinned(p.fd);
    if (text === undefined) return 'gone';
    const st = parseStat(text);
    if (!st) return 'gone';
    return st.startTicks === p.target.startTicks ? 'same' : 'changed';
  };

  const finish = (pinned: Pinned, signal: SignalName, outcome: SignalOutcome, message: string, intentWarning?: string): SignalResult => {
    const result: SignalResult = { pid: pinned.target.pid, signal, outcome, message };
    const warning = callHook(opts.onSignal, { ...result, target: pinned.target });
    const warnings = [...new Set([intentWarning, warning].filter((w): w is string => w !== undefined))];
    // appended to the message: the TUI's status line and reap's output show it with no change there
    if (warnings.length > 0) return { ...result, message: `${message}; ${warnings.join('; ')}`, auditWarning: warnings.join('; ') };
    return result;
  };

  return {
    pin(target) {
      let fd: number | null = null;
      try {
        fd = openSync(join(PROC, String(target.pid), 'stat'), 'r');
      } catch {
        fd = null;
      }
      return { target, fd };
    },
    send(pinned, signal) {
      const { pid, label } = pinned.target;
      if (!Number.isInteger(pid) || pid <= 1) return finish(pinned, signal, 'failed', `refusing to signal pid ${pid}`);
      // no starttime was seen (a pid hidden by hidepid): its identity can never be verified
      if (pinned.target.startTicks < 0)
        return finish(pinned, signal, 'failed', `${label} (pid ${pid}) is hidden from this user, its identity cannot be verified: nothing sent`);
      // sshtop may not outlive this kill (its own session hangs up): the intent is on record first
      const endsSelf = pinned.target.audit?.endsSelf === true || isSelfOrAncestor(pid);
      const iw = endsSelf ? callHook(opts.onIntent, { pid, signal, target: pinned.target }) : undefined;
      // identity is checked after the intent is written, so nothing slow sits between check and kill
      const id = identity(pinned);
      if (id === 'gone') return finish(pinned, signal, 'gone', `${label} (pid ${pid}) has already exited: nothing sent`, iw);
      if (id === 'changed')
        return finish(pinned, signal, 'identity-changed', `pid ${pid} is no longer ${label} (start time changed): nothing sent`, iw);
      try {
        process.kill(pid, `SIG${signal}`);
        return finish(pinned, signal, 'sent', `sent SIG${signal} to ${label} (pid ${pid})`, iw);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ESRCH') return finish(pinned, signal, 'gone', `${label} (pid ${pid}) exited before the signal: nothing sent`, iw);
        if (code === 'EPERM') return finish(pinned, signal, 'denied', `not permitted to signal ${label} (pid ${pid}): run as its owner or root`, iw);
        return finish(pinned, signal, 'failed', `could not signal ${label} (pid ${pid}): ${(e as Error).message}`, iw);
      }
    },
    alive(pinned) {
      // a zombie has exited: only its parent's wait is missing
      if (identity(pinned) !== 'same' || pinned.fd === null) return false;
      return parseStat(readPinned(pinned.fd) ?? '')?.state !== 'Z';
    },
    release(pinned) {
      if (pinned.fd !== null) {
        try {
          closeSync(pinned.fd);
        } catch {
          // already closed
        }
        pinned.fd = null;
      }
    },
  };
}
