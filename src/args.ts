// Command-line parsing. Bad input → UsageError (one line, exit 2).
import { parseArgs } from 'node:util';
import { parseDuration } from './model/duration.js';
import { isSortColumn, SORT_COLUMNS, type SortColumn } from './model/filter.js';

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
       sshtop reap [rules] [--yes]

modes:
  (none)              interactive TUI
  --watch             live and read-only (alias --read-only): no signal can be sent
  --once              print the session table once and exit
  --json              print one JSON snapshot (schema sshtop/1) and exit
  reap                end sessions by rule (dry run unless --yes); see sshtop reap --help

options:
  --interval <s>      seconds between polls (default 1)
  --idle <duration>   idle threshold: 90s, 30m, 2h, 1d (default 10m)
  --user <name>       only sessions of this user
  --filter <text>     only sessions matching user, tty, address or command
  --sort <column>     ${SORT_COLUMNS.join(', ')} (default login)
  --no-color          no colour (also NO_COLOR)
  --version, --help
testing:
  --proc-root <dir>, --dev-root <dir>, --passwd <file>   read a captured /proc tree instead`;

const OPTIONS = {
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

export type Parsed = { kind: 'help' } | { kind: 'version' } | { kind: 'run'; options: CommonOptions };

export function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv): Parsed {
  const reapAt = argv.indexOf('reap');
  const own = reapAt >= 0 ? argv.slice(0, reapAt) : argv;
  const rest = reapAt >= 0 ? argv.slice(reapAt + 1) : [];
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: own, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (e) {
    throw new UsageError(oneLine((e as Error).message));
  }
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  const modes: Mode[] = [];
  if (values.watch || values['read-only']) modes.push('watch');
  if (values.once) modes.push('once');
  if (values.json) modes.push('json');
  if (reapAt >= 0) modes.push('reap');
  if (modes.length > 1) throw new UsageError(`choose one mode, not ${modes.map((m) => (m === 'reap' ? 'reap' : `--${m}`)).join(' and ')}`);

  const interval = values.interval === undefined ? 1 : parseDuration(values.interval as string);
  if (interval === undefined || interval < 0.1 || interval > 3600)
    throw new UsageError(`--interval: expected seconds between 0.1 and 3600, got '${String(values.interval)}'`);
  const idle = values.idle === undefined ? 600 : parseDuration(values.idle as string);
  if (idle === undefined) throw new UsageError(`--idle: expected a duration like 90s, 30m, 2h or 1d, got '${String(values.idle)}'`);
  const sort = (values.sort as string | undefined) ?? 'login';
  if (!isSortColumn(sort)) throw new UsageError(`--sort: unknown column '${sort}' (one of ${SORT_COLUMNS.join(', ')})`);
  for (const k of ['user', 'filter', 'proc-root', 'dev-root', 'passwd'] as const) {
    if (values[k] === '') throw new UsageError(`--${k}: needs a value`);
  }

  return {
    kind: 'run',
    options: {
      mode: modes[0] ?? 'tui',
      intervalSeconds: interval,
      idleSeconds: idle,
      user: values.user as string | undefined,
      filter: values.filter as string | undefined,
      sort,
      color: !values['no-color'] && (env.NO_COLOR === undefined || env.NO_COLOR === ''),
      procRoot: values['proc-root'] as string | undefined,
      devRoot: values['dev-root'] as string | undefined,
      passwd: values.passwd as string | undefined,
      rest,
    },
  };
}

function oneLine(text: string): string {
  return (text.split('\n')[0] ?? text).replace(/\. To specify a positional argument.*$/, '');
}
