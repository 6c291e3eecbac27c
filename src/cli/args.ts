// Command-line parsing. Bad input → UsageError (one line, exit 2).
import { parseArgs } from 'node:util';
import { parseDuration } from '../text/duration.js';
import { isSortColumn, SORT_COLUMNS, type SortColumn } from '../model/filter.js';

export class UsageError extends Error {}

export type Mode = 'tui' | 'watch' | 'once' | 'json' | 'reap';

export interface CommonOptions {
  mode: Mode;
  intervalSeconds: number;
  idleSeconds: number;
  user: string | undefined;
  filter: string | undefined;
  sort: SortColumn;
  color: boolean;
  procRoot: string | undefined;
  devRoot: string | undefined;
  passwd: string | undefined;
  /** arguments after `reap`, parsed by the reaper */
  rest: string[];
}

export const USAGE = `usage: sshtop [--watch | --once | --json] [options]
       sshtop [--proc-root <dir> …] reap [rules] [--yes]

modes:
  (none)              interactive TUI
  --watch             live and read-only (alias --read-only): no signal can be sent
  --once              print the session table once and exit
  --json              print one JSON snapshot (schema sshtop/1) and exit
  reap                end sessions by rule (dry run unless --yes); see sshtop reap --help

options (before reap only --proc-root, --dev-root, --passwd, --no-color; reap's own go after it):
  --interval <s>      seconds between polls, 0.1 to 3600 (default 1; TUI and --watch only)
  --idle <duration>   idle threshold: 90s, 30m, 2h, 1d (default 10m)
  --user <name>       only sessions of this user
  --filter <text>     only sessions matching user, tty, address or command
  --sort <column>     ${SORT_COLUMNS.join(', ')} (default login)
  --no-color          no colour (also NO_COLOR)
  --version, --help
testing:
  --proc-root <dir>, --dev-root <dir>, --passwd <file>   read a captured /proc tree instead:
                      the TUI is then read-only (as --watch), and reap --yes is refused`;

/** the options of sshtop itself (every mode but reap): the fuzz takes its list from here */
export const OPTIONS = {
  watch: { type: 'boolean' },
  'read-only': { type: 'boolean' },
  once: { type: 'boolean' },
  json: { type: 'boolean' },
  interval: { type: 'string' },
  idle: { type: 'string' },
  user: { type: 'string' },
  filter: { type: 'string' },
  sort: { type: 'string' },
  'no-color': { type: 'boolean' },
  version: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  'proc-root': { type: 'string' },
  'dev-root': { type: 'string' },
  passwd: { type: 'string' },
} as const;

/** the options of `sshtop reap`, after the word reap (parsed by parseReapArgs in reap-args.ts) */
export const REAP_OPTIONS = {
  idle: { type: 'string' },
  'max-age': { type: 'string' },
  'dead-peer': { type: 'boolean' },
  hung: { type: 'boolean' },
  'preauth-older': { type: 'string' },
  'leftovers-older': { type: 'string' },
  'exclude-command': { type: 'string', multiple: true },
  user: { type: 'string', multiple: true },
  'exclude-user': { type: 'string', multiple: true },
  port: { type: 'string', multiple: true },
  signal: { type: 'string' },
  grace: { type: 'string' },
  warn: { type: 'string' },
  yes: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type OptionTable = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

/**
 * The options of sshtop's own that reap honours, given before the word reap: the testing options
 * (a dry run over a captured tree; --yes with them is refused) and --no-color (reap prints no
 * colour, so the request always holds and scripts that pass it everywhere keep working).
 */
export const REAP_HONOURS = ['proc-root', 'dev-root', 'passwd', 'no-color', 'help', 'version'] as const;

/** why sshtop's other options are refused with reap */
const NOT_FOR_REAP: Record<string, string> = {
  watch: 'choose one mode, not --watch and reap',
  'read-only': 'choose one mode, not --read-only and reap (reap is a dry run unless --yes)',
  once: 'choose one mode, not --once and reap',
  interval: 'reap reads once: it takes no --interval',
  filter: 'reap takes no --filter: it selects by its rules, --user, --exclude-user and --port',
  sort: 'reap takes no --sort',
};

/** the testing options: a snapshot not read from the live /proc */
const TESTING = ['proc-root', 'dev-root', 'passwd'] as const;

export type Parsed = { kind: 'help'; topic: 'sshtop' | 'reap' } | { kind: 'version' } | { kind: 'run'; options: CommonOptions };

type Token = ReturnType<typeof parseArgs>['tokens'] extends (infer T)[] | undefined ? T : never;
type OptionToken = Extract<Token, { kind: 'option' }>;

/** a value in a message: quoted, control characters escaped (a message is one line), long ones cut */
export function quote(value: string): string {
  const escaped = JSON.stringify(value.length > 60 ? value.slice(0, 60) + '…' : value).slice(1, -1);
  return `'${escaped.replace(/[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}'`;
}

/** node's parseArgs error, as one line of sshtop's words */
function parseError(e: unknown, prefix = ''): UsageError {
  const msg = e instanceof Error ? e.message : String(e);
  const code = (e as { code?: string }).code;
  const opt = /Option '(-[^' ]*)/.exec(msg)?.[1] ?? /option '(-[^' ]*)'/i.exec(msg)?.[1];
  const name = quote(opt ?? '?').slice(1, -1);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return new UsageError(`${prefix}unknown option ${quote(/Unknown option '(.*?)'(\. |$)/s.exec(msg)?.[1] ?? msg)}`);
  if (/argument is ambiguous/.test(msg)) return new UsageError(`${prefix}${name} needs a value (one starting with '-' is written ${name}=-…)`);
  if (/argument missing/.test(msg)) return new UsageError(`${prefix}${name} needs a value`);
  if (/does not take an argument/.test(msg)) return new UsageError(`${prefix}${name} takes no value`);
  return new UsageError(prefix + quote(msg.split('\n')[0] ?? msg).slice(1, -1));
}

/** every option token of argv (strict: unknown options, missing values fail), with the positionals */
export function tokenize(argv: string[], table: OptionTable, prefix = ''): Token[] {
  // every option repeatable here: repeats are refused below with a clearer message
  const options = Object.fromEntries(Object.entries(table).map(([k, v]) => [k, { ...v, multiple: true }]));
  let tokens: Token[];
  try {
    tokens = parseArgs({ args: argv, options, strict: true, allowPositionals: true, tokens: true }).tokens;
  } catch (e) {
    throw parseError(e, prefix);
  }
  if (tokens.some((t) => t.kind === 'option-terminator')) throw new UsageError(`${prefix}unexpected '--': sshtop takes no arguments after it`);
  for (const t of tokens) {
    if (t.kind === 'option' && table[t.name]?.type === 'string' && !t.value) throw new UsageError(`${prefix}--${t.name} needs a value`);
  }
  return tokens;
}

/** an option given twice would silently lose one of its values: only the repeatable ones may be */
export function refuseRepeats(tokens: Token[], table: OptionTable, prefix = ''): void {
  const seen = new Set<string>();
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    if (seen.has(t.name) && !table[t.name]?.multiple) throw new UsageError(`${prefix}--${t.name} is given more than once`);
    seen.add(t.name);
  }
}

/** the values of the option tokens, as parseArgs gives them */
export function valuesOf(tokens: Token[]): Record<string, string | boolean | string[]> {
  const values: Record<string, string | boolean | string[]> = {};
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    const prev = values[t.name];
    if (t.value === undefined) values[t.name] = true;
    else values[t.name] = prev === undefined ? t.value : [...(Array.isArray(prev) ? prev : [prev as string]), t.value];
  }
  return values;
}

const shown = (t: OptionToken) => `--${t.name}${t.value === undefined ? '' : ' ' + (/^[\w@./:,+-]+$/.test(t.value) ? t.value : quote(t.value))}`;

export function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv): Parsed {
  // one pass over both tables: a value is never taken for the subcommand (`--filter reap`)
  const tokens = tokenize(argv, { ...REAP_OPTIONS, ...OPTIONS });
  const positionals = tokens.filter((t) => t.kind === 'positional');
  const sub = positionals[0];
  if (sub && sub.value !== 'reap') throw new UsageError(`unknown command ${quote(sub.value)} (the only command is reap)`);
  if (positionals[1]) throw new UsageError(`unexpected argument ${quote(positionals[1].value)}`);
  const reap = sub !== undefined;
  const at = sub?.index ?? argv.length;
  const own = tokens.filter((t): t is OptionToken => t.kind === 'option' && t.index < at);
  const after = tokens.filter((t): t is OptionToken => t.kind === 'option' && t.index > at);

  for (const t of own) {
    if (!reap && !(t.name in OPTIONS)) throw new UsageError(`--${t.name} belongs to 'reap': sshtop reap … ${shown(t)}`);
    if (reap && !(REAP_HONOURS as readonly string[]).includes(t.name)) {
      if (t.name in REAP_OPTIONS) throw new UsageError(`--${t.name} goes after 'reap': sshtop reap ${shown(t)} …`);
      throw new UsageError(NOT_FOR_REAP[t.name] ?? `reap takes no --${t.name}`);
    }
  }
  for (const t of after) {
    if (t.name in REAP_OPTIONS) continue;
    if ((REAP_HONOURS as readonly string[]).includes(t.name)) throw new UsageError(`--${t.name} goes before 'reap': sshtop ${shown(t)} reap …`);
    throw new UsageError(NOT_FOR_REAP[t.name] ?? `reap takes no --${t.name}`);
  }

  refuseRepeats(own, OPTIONS);
  const values = valuesOf(own);
  if (values.help) return { kind: 'help', topic: reap ? 'reap' : 'sshtop' };
  if (values.version) return { kind: 'version' };

  const modes: Mode[] = [];
  if (values.watch || values['read-only']) modes.push('watch');
  if (values.once) modes.push('once');
  if (values.json) modes.push('json');
  if (reap) modes.push('reap');
  if (modes.length > 1) throw new UsageError(`choose one mode, not ${modes.map((m) => (m === 'reap' ? 'reap' : `--${m}`)).join(' and ')}`);
  const mode = modes[0] ?? 'tui';

  const str = (k: string) => values[k] as string | undefined;
  const interval = str('interval') === undefined ? 1 : parseDuration(str('interval') as string);
  if (interval === undefined || interval < 0.1 || interval > 3600)
    throw new UsageError(`--interval: expected seconds between 0.1 and 3600, got ${quote(String(str('interval')))}`);
  if (str('interval') !== undefined && (mode === 'once' || mode === 'json')) throw new UsageError(`--interval is for the live modes: --${mode} reads once`);
  const idle = str('idle') === undefined ? 600 : parseDuration(str('idle') as string);
  if (idle === undefined) throw new UsageError(`--idle: expected a duration like 90s, 30m, 2h or 1d, got ${quote(String(str('idle')))}`);
  // a threshold of 0 flags every session idle: the flag would mean nothing
  if (idle < 1) throw new UsageError(`--idle: at least 1s, got ${quote(String(str('idle')))}`);
  const sort = str('sort') ?? 'login';
  if (!isSortColumn(sort)) throw new UsageError(`--sort: unknown column ${quote(sort)} (one of ${SORT_COLUMNS.join(', ')})`);
  // a captured /dev or passwd over the live /proc would show live processes with made-up facts
  for (const k of ['dev-root', 'passwd'] as const) {
    if (str(k) !== undefined && str('proc-root') === undefined) throw new UsageError(`--${k} goes with --proc-root (a captured tree), not with the live /proc`);
  }
  const testing = TESTING.some((k) => str(k) !== undefined);

  return {
    kind: 'run',
    options: {
      // a captured tree's pids are not the live ones: the TUI offers no signal over it
      mode: mode === 'tui' && testing ? 'watch' : mode,
      intervalSeconds: interval,
      idleSeconds: idle,
      user: str('user'),
      filter: str('filter'),
      sort,
      color: !values['no-color'] && (env.NO_COLOR === undefined || env.NO_COLOR === ''),
      procRoot: str('proc-root'),
      devRoot: str('dev-root'),
      passwd: str('passwd'),
      rest: argv.slice(at + 1),
    },
  };
}

/** the width --once lays its table out at */
export const DEFAULT_COLUMNS = 200;
/** below this the table's columns are squeezed and its cells wrap: a session no longer fits one line */
export const MIN_COLUMNS = 120;
/** a wider layout only pads (and a huge $COLUMNS would make the renderer allocate for it) */
export const MAX_COLUMNS = 1000;

/**
 * The width for --once: the terminal's; when it reports none or 0 (a script's `ssh -tt`,
 * `stty cols 0`), $COLUMNS when it is a positive integer, else the non-terminal default; always
 * within MIN_COLUMNS..MAX_COLUMNS (a narrower terminal wraps whole lines rather than cutting cells).
 */
export function outputColumns(columns: number | undefined, env: NodeJS.ProcessEnv): number {
  const fromEnv = /^\d+$/.test(env.COLUMNS ?? '') ? Number(env.COLUMNS) : 0;
  const width = columns !== undefined && Number.isInteger(columns) && columns > 0 ? columns : fromEnv > 0 ? fromEnv : DEFAULT_COLUMNS;
  return Math.min(MAX_COLUMNS, Math.max(MIN_COLUMNS, width));
}
