// `sshtop reap`: end sessions by rule, for cron and systemd timers. Dry run unless --yes; never
// the caller's own session, never a listener; every signal goes to the audit trail.
// Exit: 0 nothing matched or everything meant to end ended, 1 runtime failure, 2 usage, 3 a signal failed.
import { parseArgs } from 'node:util';
import { UsageError, type CommonOptions } from './args.js';
import { parseDuration } from './model/duration.js';
import { hasRule, selectForReap, type ReapDecision, type ReapRules } from './model/reap-rules.js';
import { sanitize } from './model/sanitize.js';
import { formatEndpoint } from './model/columns.js';
import { createAuditTrail } from './proc/audit.js';
import { createSignaller, SIGNALS, type Pinned, type SignalName, type SignalResult } from './proc/signal.js';
import { warnTtys } from './proc/tty-warn.js';
import { formatReap, type ReapOutcome } from './report/reap.js';
import { sourceFor, takeModel } from './snapshot.js';

export const REAP_USAGE = `usage: sshtop reap [rules] [--signal HUP|TERM|…] [--grace 10s] [--warn "msg"] [--yes] [--json]
rules (a session matching any rule is ended; at least one rule is required):
  --idle <duration>            tty idle (notty: no traffic) at least this long
  --max-age <duration>         logged in at least this long
  --dead-peer                  the client stopped acknowledging data / probes
  --preauth-older <duration>   connections still unauthenticated after this long
filters:  --user <name>, --exclude-user <name>, --port <n> (the sshd's local port; each repeatable)
actions:  --signal (default TERM), --grace <duration> (then SIGKILL survivors),
          --warn "msg" (written to the session's terminals, 2 s before the signal), --yes (act; default: dry run), --json`;

export interface ReapOptions {
  rules: ReapRules;
  signal: SignalName;
  graceSeconds: number | undefined;
  warn: string | undefined;
  yes: boolean;
  json: boolean;
  help: boolean;
}

const dur = (name: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const s = parseDuration(v);
  if (s === undefined) throw new UsageError(`reap ${name}: expected a duration like 90s, 30m, 2h or 1d, got '${v}'`);
  return s;
};

export function parseReapArgs(argv: string[]): ReapOptions {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        idle: { type: 'string' },
        'max-age': { type: 'string' },
        'dead-peer': { type: 'boolean' },
        'preauth-older': { type: 'string' },
        user: { type: 'string', multiple: true },
        'exclude-user': { type: 'string', multiple: true },
        port: { type: 'string', multiple: true },
        signal: { type: 'string' },
        grace: { type: 'string' },
        warn: { type: 'string' },
        yes: { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new UsageError(`reap: ${((e as Error).message.split('\n')[0] ?? '').replace(/\. To specify a positional.*$/, '')}`);
  }
  const rules: ReapRules = {
    idleSeconds: dur('--idle', values.idle as string | undefined),
    maxAgeSeconds: dur('--max-age', values['max-age'] as string | undefined),
    deadPeer: values['dead-peer'] === true,
    preauthOlderSeconds: dur('--preauth-older', values['preauth-older'] as string | undefined),
    users: (values.user as string[] | undefined) ?? [],
    excludeUsers: (values['exclude-user'] as string[] | undefined) ?? [],
    ports: ((values.port as string[] | undefined) ?? []).map((v) => {
      const n = Number(v);
      if (!/^\d+$/.test(v) || n < 1 || n > 65535) throw new UsageError(`reap --port: expected a TCP port (1-65535), got '${v}'`);
      return n;
    }),
  };
  const help = values.help === true;
  if (!help && !hasRule(rules)) throw new UsageError('reap: give at least one rule (--idle, --max-age, --dead-peer or --preauth-older)');
  const sig = ((values.signal as string | undefined) ?? 'TERM').toUpperCase().replace(/^SIG/, '');
  if (!(SIGNALS as readonly string[]).includes(sig)) throw new UsageError(`reap --signal: unknown signal '${String(values.signal)}' (one of ${SIGNALS.join(', ')})`);
  return {
    rules,
    signal: sig as SignalName,
    graceSeconds: dur('--grace', values.grace as string | undefined),
    warn: values.warn as string | undefined,
    yes: values.yes === true,
    json: values.json === true,
    help,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** how long --warn gives sshd to carry the message to the clients before the signal */
const WARN_DELIVERY_MS = 2000;

export async function runReap(common: CommonOptions, argv: string[]): Promise<number> {
  const o = parseReapArgs(argv);
  if (o.help) {
    process.stdout.write(REAP_USAGE + '\n');
    return 0;
  }
  const { model, ctx } = await takeModel(sourceFor(common), { ...common, user: undefined, filter: undefined });
  const selection = selectForReap(model, o.rules);
  const outcomes: ReapOutcome[] = selection.matched.map((d) => ({ decision: d, results: [], warned: [] }));

  if (o.yes && outcomes.length > 0) {
    const audit = createAuditTrail({ tool: 'reap', onWarning: (m) => process.stderr.write(`sshtop reap: warning: ${m}\n`) });
    const signaller = createSignaller({ onSignal: (r) => audit.record(r), onIntent: (i) => audit.intent(i) });
    const pinned = outcomes.map((out) => signaller.pin(targetOf(out.decision)));
    if (o.warn !== undefined) {
      const message = sanitize(o.warn);
      outcomes.forEach((out) => (out.warned = warnTtys(out.decision.session.ttys, message, common.devRoot)));
      // the text sits in the pty until sshd forwards it; a signal at once ends sshd first
      if (outcomes.some((out) => out.warned.length > 0)) await sleep(WARN_DELIVERY_MS);
    }
    outcomes.forEach((out, i) => out.results.push(signaller.send(pinned[i] as Pinned, o.signal)));
    if (o.graceSeconds !== undefined && o.signal !== 'KILL') {
      await waitForExit(pinned, outcomes, o.graceSeconds * 1000, signaller.alive);
      outcomes.forEach((out, i) => {
        const p = pinned[i] as Pinned;
        if (out.results[0]?.outcome === 'sent' && signaller.alive(p)) out.results.push(signaller.send(p, 'KILL'));
      });
    }
    pinned.forEach((p) => signaller.release(p));
    await audit.flush();
  }

  process.stdout.write(formatReap({ outcomes, spared: selection.spared, dryRun: !o.yes, signal: o.signal, json: o.json, ctx, model }));
  for (const out of outcomes) for (const r of out.results) if (failed(r)) process.stderr.write(`sshtop reap: ${sanitize(r.message)}\n`);
  return outcomes.some((out) => out.results.some(failed)) ? 3 : 0;
}

/** a session that exited on its own meanwhile is not a failure: it ended, which was the aim */
function failed(r: SignalResult): boolean {
  return r.outcome === 'denied' || r.outcome === 'failed';
}

async function waitForExit(pinned: Pinned[], outcomes: ReapOutcome[], ms: number, alive: (p: Pinned) => boolean): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (pinned.every((p, i) => outcomes[i]?.results[0]?.outcome !== 'sent' || !alive(p))) return;
    await sleep(Math.min(200, Math.max(0, until - Date.now())));
  }
}

function targetOf(d: ReapDecision) {
  const s = d.session;
  return {
    pid: s.pid,
    startTicks: s.startTicks,
    label: `${s.user ?? '?'}${s.ttys.length ? '@' + s.ttys.join(',') : ''} from ${s.remote ? formatEndpoint(s.remote) : '?'}`,
    audit: { sessionUser: s.user, remote: s.remote ? formatEndpoint(s.remote) : null, ttys: s.ttys, kind: 'session' as const },
  };
}
