// The audit trail: every signal sent (or refused) by the TUI or by reap goes to syslog (via
// `logger -t sshtop`, when present) and to a JSON-lines file. Writes are asynchronous and never
// block the UI; an unwritable log is a warning, never a reason not to act.
import { appendFile, mkdir } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { sanitize } from '../model/sanitize.js';
import type { SignalRecord } from './signal.js';

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
  signal: string;
  result: string;
  message: string;
}

export interface AuditTrail {
  readonly path: string;
  record(r: SignalRecord): void;
  /** wait for pending writes (reap awaits this before exiting) */
  flush(): Promise<void>;
}

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
  let warned = false;
  const warn = (msg: string) => {
    if (!warned) opts.onWarning?.(msg);
    warned = true;
  };
  const track = (p: Promise<void>) => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };

  return {
    path,
    record(r) {
      const rec: AuditRecord = {
        time: new Date().toISOString(),
        tool: opts.tool,
        operatorUid: process.getuid?.() ?? null,
        operatorLogin: loginName(env),
        pid: r.pid,
        kind: r.target.audit?.kind ?? 'process',
        sessionUser: r.target.audit?.sessionUser ?? null,
        remote: r.target.audit?.remote ?? null,
        ttys: r.target.audit?.ttys ?? [],
        signal: `SIG${r.signal}`,
        result: r.outcome,
        message: r.message,
      };
      const line = JSON.stringify(rec) + '\n';
      track(
        mkdir(dirname(path), { recursive: true, mode: 0o750 })
          .then(() => appendFile(path, line, { mode: 0o640 }))
          .catch((e: Error) => warn(`audit log ${path} not writable (${e.message}); the action itself was not affected`)),
      );
      if (opts.syslog !== false) {
        const text = `${rec.operatorLogin ?? rec.operatorUid}: SIG${r.signal} pid ${r.pid} ${rec.kind} user=${rec.sessionUser ?? '?'} from=${rec.remote ?? '?'} tty=${rec.ttys.join(',') || '-'} result=${r.outcome}`;
        track(
          execa('logger', ['-t', 'sshtop', '--', sanitize(text)], { timeout: 2000, stdin: 'ignore', reject: false })
            .then(() => undefined)
            .catch(() => undefined),
        );
      }
    },
    async flush() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
