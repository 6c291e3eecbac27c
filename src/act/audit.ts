// The audit trail: every signal sent (or refused) by the TUI or by reap goes to syslog (via
// `logger -t sshtop`, when present) and to a JSON-lines file. The file is opened safely (see
// safe-file.ts) and written synchronously, one whole record or none, so its order is certain;
// an unwritable log is a warning returned to the caller, never a reason not to act.
import { spawnSync } from 'node:child_process';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { runBounded } from '../proc/run-bounded.js';
import { escapeJsonUnsafe, sanitize } from '../text/sanitize.js';
import { appendWhole } from './safe-file.js';
import type { SignalIntent, SignalRecord } from './signal.js';

export interface AuditRecord {
  time: string;
  tool: 'tui' | 'reap';
  operatorUid: number | null;
  /** who logged in: SUDO_USER when run through sudo, else the login name */
  operatorLogin: string | null;
  pid: number;
  kind: string;
  sessionUser: string | null;
  remote: string | null;
  ttys: string[];
  /** the session this process was ended as part of (its connection process), when one */
  sessionPid?: number;
  /** that login's kernel audit session: ties a leftover seen later to this record */
  loginSession?: number | null;
  signal: string;
  result: string;
  message: string;
}

export interface AuditTrail {
  readonly path: string;
  /** write the outcome of an attempt; returns a one-line warning when the log was not written */
  record(r: SignalRecord): string | undefined;
  /** write an intent (result `sending`) and hand it to syslog before the caller acts; same warning */
  intent(i: SignalIntent): string | undefined;
  /** wait for pending syslog hand-offs (reap awaits this before exiting) */
  flush(): Promise<void>;
}

/** how long an intent may wait for `logger` before the kill goes ahead anyway */
const INTENT_SYSLOG_TIMEOUT_MS = 1500;

export function defaultAuditPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SSHTOP_AUDIT_LOG) return env.SSHTOP_AUDIT_LOG;
  if (process.getuid?.() === 0) return '/var/log/sshtop/audit.log';
  const state = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(state, 'sshtop', 'audit.log');
}

function loginName(env: NodeJS.ProcessEnv): string | null {
  if (env.SUDO_USER) return env.SUDO_USER;
  try {
    return userInfo().username;
  } catch {
    return env.LOGNAME ?? env.USER ?? null;
  }
}

export function createAuditTrail(opts: {
  tool: 'tui' | 'reap';
  path?: string;
  syslog?: boolean;
  onWarning?: (message: string) => void;
  env?: NodeJS.ProcessEnv;
}): AuditTrail {
  const env = opts.env ?? process.env;
  const path = opts.path ?? defaultAuditPath(env);
  const pending = new Set<Promise<void>>();
  const warned = new Set<string>();
  // each distinct reason once (reap's stderr); every record still returns its own warning
  const warn = (msg: string) => {
    if (!warned.has(msg)) opts.onWarning?.(msg);
    warned.add(msg);
  };
  const track = (p: Promise<void>) => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };

  const build = (r: { pid: number; signal: string; target: SignalRecord['target'] }, result: string, message: string): AuditRecord => ({
    time: new Date().toISOString(),
    tool: opts.tool,
    operatorUid: process.getuid?.() ?? null,
    operatorLogin: loginName(env),
    pid: r.pid,
    kind: r.target.audit?.kind ?? 'process',
    sessionUser: r.target.audit?.sessionUser ?? null,
    remote: r.target.audit?.remote ?? null,
    ttys: r.target.audit?.ttys ?? [],
    ...(r.target.audit?.sessionPid !== undefined ? { sessionPid: r.target.audit.sessionPid, loginSession: r.target.audit.loginSession ?? null } : {}),
    signal: `SIG${r.signal}`,
    result,
    message,
  });

  const writeFile = (rec: AuditRecord): string | undefined => {
    // JSON.stringify leaves C1, bidi and line separators raw: a process title must not reorder the log
    const line = escapeJsonUnsafe(JSON.stringify(rec)) + '\n';
    const why = appendWhole(path, line);
    if (why === undefined) return undefined;
    const msg = `audit log ${sanitize(path)} not written: ${sanitize(why)}`;
    warn(msg);
    return msg;
  };

  const syslogText = (rec: AuditRecord) =>
    sanitize(
      `${rec.operatorLogin ?? rec.operatorUid}: ${rec.signal} pid ${rec.pid} ${rec.kind} user=${rec.sessionUser ?? '?'} from=${rec.remote ?? '?'} tty=${rec.ttys.join(',') || '-'} result=${rec.result}`,
    );

  return {
    path,
    record(r) {
      const rec = build(r, r.outcome, r.message);
      const warning = writeFile(rec);
      if (opts.syslog !== false) {
        track(
          runBounded('logger', ['-t', 'sshtop', '--', syslogText(rec)], { timeoutMs: 2000, maxBytes: 64 * 1024 }).then(() => undefined),
        );
      }
      return warning;
    },
    intent(i) {
      const rec = build(i, 'sending', `sending SIG${i.signal} to ${i.target.label} (pid ${i.pid})`);
      const warning = writeFile(rec);
      // spawnSync, not a detached child: logger has sent the line before the kill that may end us
      if (opts.syslog !== false) spawnSync('logger', ['-t', 'sshtop', '--', syslogText(rec)], { timeout: INTENT_SYSLOG_TIMEOUT_MS, stdio: 'ignore' });
      return warning;
    },
    async flush() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
