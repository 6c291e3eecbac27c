// The arguments of `sshtop reap` (after the word reap) and its usage text. What reap does with
// them is commands/reap.ts.
import { HUNG_LOOK_MS } from '../collect/collector.js';
import { hasRule, type ReapRules } from '../model/reap-rules.js';
import { SIGNALS, type SignalName } from '../model/signal-names.js';
import { parseDuration } from '../text/duration.js';
import { isUnsafe } from '../text/sanitize.js';
import { quote, refuseRepeats, REAP_OPTIONS, tokenize, UsageError, valuesOf, type CommonOptions } from './args.js';

export const REAP_USAGE = `usage: sshtop [--proc-root <dir> …] reap [rules] [--signal HUP|TERM|…] [--grace 10s] [--warn "msg"] [--yes] [--json]
rules (a session matching any rule is ended; at least one rule is required; 0s matches all):
  --idle <duration>            tty idle (notty: no traffic) at least this long
  --max-age <duration>         logged in at least this long
  --dead-peer                  the client stopped acknowledging data / probes
  --hung                       a login stuck in PAM or session setup (no user process after 60s), or
                               a process stuck in D state (seen again, unmoved, after a ${HUNG_LOOK_MS / 1000}s second look)
  --preauth-older <duration>   connections still unauthenticated after this long
  --leftovers-older <duration> what an ended SSH login left running (nohup, setsid, tmux…), its login
                               ended at least this long ago (reap remembers when it first saw each one)
filters:  --user <name>, --exclude-user <name>, --port <n> (the sshd's local port; each repeatable),
          --exclude-command <regex> (never signal a process whose command matches, nor what runs below it)
actions:  --signal (default TERM), --grace <duration> (1s to 600s, then SIGKILL survivors; not with KILL),
          --warn "msg" (plain text, written to the session's terminals 2 s before the signal),
          --yes (act; default: dry run), --json
before 'reap' it takes only --no-color and the testing options --proc-root, --dev-root, --passwd
(a dry run over a captured tree: --yes is refused with them, the tree's pids are not live processes)`;

export interface ReapOptions {
  rules: ReapRules;
  signal: SignalName;
  graceSeconds: number | undefined;
  warn: string | undefined;
  yes: boolean;
  json: boolean;
  help: boolean;
}

/**
 * A rule's 0s means what it says (every session, every leftover: `--max-age 0s` to end them all,
 * dry run unless --yes); --grace of 0 would wait for nothing: there min is 1.
 */
const dur = (name: string, v: string | undefined, min = 0, max = Infinity): number | undefined => {
  if (v === undefined) return undefined;
  const s = parseDuration(v);
  if (s === undefined) throw new UsageError(`reap ${name}: expected a duration like 90s, 30m, 2h or 1d, got ${quote(v)}`);
  if (s < min || s > max) throw new UsageError(`reap ${name}: expected at least ${min}s${max < Infinity ? ` and at most ${max}s` : ''}, got ${quote(v)}`);
  return s;
};

/** the longest --grace: a reaper run from cron must not outlive its next run by much */
const MAX_GRACE_SECONDS = 600;

/**
 * The arguments after `reap`. `common` is what came before it: with a captured tree (the testing
 * options) --yes is refused, since the tree's pids are not the live processes that bear them.
 */
export function parseReapArgs(argv: string[], common?: Pick<CommonOptions, 'procRoot' | 'devRoot' | 'passwd'>): ReapOptions {
  const tokens = tokenize(argv, REAP_OPTIONS, 'reap: ');
  const stray = tokens.find((t) => t.kind === 'positional');
  if (stray) throw new UsageError(`reap: unexpected argument ${quote(stray.value)}`);
  refuseRepeats(tokens, REAP_OPTIONS, 'reap: ');
  const values = valuesOf(tokens);
  const help = values.help === true;
  if (help) return { rules: { users: [], excludeUsers: [], ports: [] }, signal: 'TERM', graceSeconds: undefined, warn: undefined, yes: false, json: false, help };
  const yes = values.yes === true;
  // first of all checks: whatever else is wrong, this is the one that must never get through
  const captured = ([['proc-root', common?.procRoot], ['dev-root', common?.devRoot], ['passwd', common?.passwd]] as const).find(([, v]) => v !== undefined)?.[0];
  if (yes && captured) throw new UsageError(`reap --yes signals live processes: not with --${captured} (a captured tree's pids are not theirs); drop --yes for a dry run`);
  const list = (k: string): string[] => [values[k] ?? []].flat() as string[];
  const rules: ReapRules = {
    idleSeconds: dur('--idle', values.idle as string | undefined),
    maxAgeSeconds: dur('--max-age', values['max-age'] as string | undefined),
    deadPeer: values['dead-peer'] === true,
    hung: values.hung === true,
    preauthOlderSeconds: dur('--preauth-older', values['preauth-older'] as string | undefined),
    leftoversOlderSeconds: dur('--leftovers-older', values['leftovers-older'] as string | undefined),
    excludeCommands: list('exclude-command').map((v) => {
      try {
        return new RegExp(v);
      } catch (e) {
        throw new UsageError(`reap --exclude-command: not a regular expression: ${quote(v)} (${(e as Error).message})`);
      }
    }),
    users: list('user'),
    excludeUsers: list('exclude-user'),
    ports: list('port').map((v) => {
      const n = Number(v);
      if (!/^\d+$/.test(v) || n < 1 || n > 65535) throw new UsageError(`reap --port: expected a TCP port (1-65535), got ${quote(v)}`);
      return n;
    }),
  };
  if (!hasRule(rules)) throw new UsageError('reap: give at least one rule (--idle, --max-age, --dead-peer, --hung, --preauth-older or --leftovers-older)');
  const both = list('user').find((u) => list('exclude-user').includes(u));
  if (both !== undefined) throw new UsageError(`reap: ${quote(both)} is given to both --user and --exclude-user`);
  const given = values.signal as string | undefined;
  const sig = (given ?? 'TERM').toUpperCase().replace(/^SIG/, '');
  if (!(SIGNALS as readonly string[]).includes(sig)) throw new UsageError(`reap --signal: unknown signal ${quote(String(given))} (one of ${SIGNALS.join(', ')})`);
  const graceSeconds = dur('--grace', values.grace as string | undefined, 1, MAX_GRACE_SECONDS);
  // SIGKILL leaves no survivors to wait for: a --grace would be silently unused
  if (graceSeconds !== undefined && sig === 'KILL') throw new UsageError('reap --grace: nothing survives --signal KILL; drop --grace or send TERM');
  const warn = values.warn as string | undefined;
  // a newline or an escape sequence would be rewritten on the way to the terminal, not shown as given
  if (warn !== undefined && isUnsafe(warn)) throw new UsageError(`reap --warn: the message has control characters (${quote(warn)}): give plain text`);
  return { rules, signal: sig as SignalName, graceSeconds, warn, yes, json: values.json === true, help };
}
