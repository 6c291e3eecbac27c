// The man pages and the shell completions, generated from the same tables as `--help` and the
// TUI's help screen: USAGE and OPTIONS (src/args.ts), REAP_USAGE and REAP_OPTIONS (src/reap.ts,
// src/args.ts), keyHelp (src/ui/keymap.ts), SIGNALS, SORT_COLUMNS. The outputs are committed
// (man/, completions/) so packaging needs no TypeScript; test/release/docs.test.ts fails when they
// differ from what this script makes now.
//
//   npx tsx scripts/release-docs.ts           write man/*.1 and completions/*
//   npx tsx scripts/release-docs.ts --check   exit 1 if any of them is out of date
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPTIONS, REAP_OPTIONS, USAGE } from '../src/cli/args.js';
import { REAP_USAGE } from '../src/cli/reap-args.js';
import { keyHelp } from '../src/ui/keymap.js';
import { SIGNALS } from '../src/model/signal-names.js';
import { SORT_COLUMNS } from '../src/model/filter.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; description: string };

type Table = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

/** a usage text, cut into the synopsis and titled sections of items (tag, text) and paragraphs */
interface Section {
  title: string;
  /** the words after the title on its line, in parentheses or after the colon */
  note: string;
  /** in the order of the text: an item has a tag (the option), a paragraph has none */
  entries: { tag?: string; text: string }[];
}

export function parseUsage(text: string): { synopsis: string[]; sections: Section[] } {
  const synopsis: string[] = [];
  const sections: Section[] = [];
  let current: Section | undefined;
  let last: { tag?: string; text: string } | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const usage = /^(?:usage:)?\s+(sshtop\b.*)$/.exec(line);
    if (usage && sections.length === 0) {
      synopsis.push((usage[1] as string).trim());
      continue;
    }
    const heading = /^(\w[\w ]*?)(?: \((.*)\))?:(?:\s+(.*))?$/.exec(line);
    if (heading) {
      current = { title: heading[1] as string, note: heading[2] ?? '', entries: [] };
      sections.push(current);
      last = heading[3] ? { text: heading[3] } : undefined;
      if (last) current.entries.push(last);
      continue;
    }
    if (!current) throw new Error(`usage text: a line before any section: ${JSON.stringify(line)}`);
    const item = /^ {2}(\S.*?)(?:\s{2,}(\S.*))?$/.exec(line);
    if (/^ {3,}\S/.test(line) && last) {
      // a continuation of the item or paragraph above
      last.text += ' ' + line.trim();
    } else if (/^\(/.test(line) && last && last.tag === undefined) {
      // a sentence going on at the margin
      last.text += ' ' + line.trim();
    } else if (item && /^-/.test(item[1] as string) || (item && item[2] !== undefined)) {
      last = { tag: item[1] as string, text: item[2] ?? '' };
      current.entries.push(last);
    } else if (/^ {0,2}\S/.test(line)) {
      last = { text: line.trim() };
      current.entries.push(last);
    } else {
      throw new Error(`usage text: cannot place ${JSON.stringify(line)}`);
    }
  }
  return { synopsis, sections };
}

/** every option of a table must be named in its usage text: a new flag without help fails here */
function checkCovered(text: string, table: Table, where: string): void {
  // --help goes without saying in a usage text that --help prints
  for (const name of Object.keys(table).filter((k) => k !== 'help')) {
    if (!new RegExp(`--${name}(?![\\w-])`).test(text)) throw new Error(`${where}: --${name} is in the option table but not in the usage text`);
  }
}

// ---- roff -------------------------------------------------------------------------------------

const GLYPHS: Record<string, string> = { '↑': '\\(ua', '↓': '\\(da', '→': '\\(->', '←': '\\(<-', '…': '\\&...', '—': '\\(em', '–': '\\(en' };

/** text for roff: backslashes, hyphens, the glyphs it has names for; no other non-ASCII */
export function roff(text: string): string {
  let out = '';
  for (const ch of text) {
    if (ch === '\\') out += '\\e';
    else if (ch === '-') out += '\\-';
    else if (GLYPHS[ch]) out += GLYPHS[ch];
    else if (ch.charCodeAt(0) > 126) throw new Error(`man page: no roff name for ${JSON.stringify(ch)} in ${JSON.stringify(text)}`);
    else out += ch;
  }
  // a line may not start with a control character
  return out.replace(/^([.'])/, '\\&$1');
}

/** option names bold, <placeholders> italic */
function tag(text: string): string {
  return roff(text)
    .replace(/(^|[\s,(|[])(\\-\\-[a-z][\w\\-]*|\\-[a-zA-Z])/g, '$1\\fB$2\\fR')
    .replace(/<([^>]+)>/g, '\\fI<$1>\\fR');
}

const title = (s: string) => s.toUpperCase();

function sectionRoff(s: Section): string[] {
  const out = [`.SH ${roff(title(s.title))}`];
  if (s.note) out.push(tag(s.note.charAt(0).toUpperCase() + s.note.slice(1) + '.'));
  for (const e of s.entries) {
    if (e.tag === undefined) out.push('.PP', tag(e.text));
    else if (e.text) out.push('.TP', tag(e.tag), tag(e.text));
    else out.push('.PP', tag(e.tag));
  }
  return out;
}

function header(name: string, summary: string): string[] {
  return [
    `.\\" Generated by scripts/release-docs.ts from src/args.ts, src/reap.ts and src/ui/keymap.ts: do not edit.`,
    `.TH ${name.toUpperCase()} 1 "" "sshtop ${pkg.version}" "User Commands"`,
    '.SH NAME',
    `${roff(name)} \\- ${roff(summary)}`,
  ];
}

const ENVIRONMENT: [string, string][] = [
  ['NO_COLOR', 'when set and not empty, no colour (as --no-color).'],
  ['COLUMNS', 'the width of --once output when the terminal reports none (at least 120, at most 1000; default 200).'],
  ['SSHTOP_AUDIT_LOG', 'where signals sent by sshtop are recorded (root default: /var/log/sshtop/audit.log).'],
];

const FILES: [string, string][] = [
  ['/var/log/sshtop/audit.log', "the audit trail: every signal sent as root, with its target and outcome (kept when the package is removed)."],
  ['/etc/default/sshtop', 'the rules of the sshtop-reap.service timer (SSHTOP_REAP_ARGS; a dry run unless it has --yes).'],
  ['/lib/systemd/system/sshtop-reap.service, sshtop-reap.timer', 'the periodic reaper, installed disabled: systemctl enable --now sshtop-reap.timer.'],
];

export function sshtopMan(): string {
  checkCovered(USAGE, OPTIONS as Table, 'src/args.ts USAGE');
  const u = parseUsage(USAGE);
  const lines = [
    ...header('sshtop', 'htop for SSH sessions'),
    '.SH SYNOPSIS',
    ...u.synopsis.flatMap((s, i) => (i ? ['.br', tag(s)] : [tag(s)])),
    '.SH DESCRIPTION',
    roff(pkg.description.replace(/^htop for SSH sessions: /, 'sshtop shows ') + '.'),
    'It marks your own session and the idle, stale, dead\\-peer and unauthenticated ones, and ends exactly the right session with a few keys (or by rule, with',
    '.BR sshtop\\-reap (1)).',
    ...u.sections.flatMap(sectionRoff),
    '.SH KEYS',
    'In the interactive mode (the signal keys are absent under \\-\\-watch):',
    ...keyHelp(false).flatMap(([keys, what]) => ['.TP', `\\fB${roff(keys)}\\fR`, roff(what)]),
    '.SH EXIT STATUS',
    '0 success, 1 runtime failure, 2 usage error (one line on standard error); reap returns 3 when a signal failed.',
    '.SH ENVIRONMENT',
    ...ENVIRONMENT.flatMap(([k, v]) => ['.TP', `.B ${k}`, tag(v)]),
    '.SH FILES',
    ...FILES.flatMap(([k, v]) => ['.TP', `.I ${roff(k)}`, tag(v)]),
    '.SH SEE ALSO',
    '.BR sshtop\\-reap (1),',
    '.BR htop (1),',
    '.BR w (1),',
    '.BR ss (8),',
    '.BR sshd (8)',
  ];
  return lines.join('\n') + '\n';
}

export function reapMan(): string {
  checkCovered(REAP_USAGE, REAP_OPTIONS as Table, 'src/reap.ts REAP_USAGE');
  const u = parseUsage(REAP_USAGE);
  const lines = [
    ...header('sshtop-reap', 'end SSH sessions by rule'),
    '.SH SYNOPSIS',
    ...u.synopsis.flatMap((s, i) => (i ? ['.br', tag(s)] : [tag(s)])),
    '.SH DESCRIPTION',
    'For cron and systemd timers. A dry run unless \\fB\\-\\-yes\\fR: it prints what it would end. It never ends the',
    "caller's own session, a listener, or a process that only looks like sshd, and records every signal in the audit trail.",
    ...u.sections.flatMap(sectionRoff),
    '.SH DURATIONS',
    'A number and a unit: 90s, 30m, 2h, 1d.',
    '.SH SIGNALS',
    roff(SIGNALS.join(', ') + ' (with or without SIG, any case).'),
    '.SH EXIT STATUS',
    '0 nothing matched or everything meant to end ended, 1 runtime failure, 2 usage error, 3 a signal failed.',
    '.SH FILES',
    ...FILES.flatMap(([k, v]) => ['.TP', `.I ${roff(k)}`, tag(v)]),
    '.SH SEE ALSO',
    '.BR sshtop (1),',
    '.BR systemd.timer (5)',
  ];
  return lines.join('\n') + '\n';
}

// ---- completions ------------------------------------------------------------------------------

const DURATION_OPTIONS = ['idle', 'max-age', 'preauth-older', 'grace'];
const DURATIONS = ['30s', '90s', '5m', '30m', '1h', '2h', '12h', '1d'];
const INTERVALS = ['0.5', '1', '2', '5'];

/** how each option's value completes, for both shells */
function valueKind(name: string): 'duration' | 'interval' | 'user' | 'signal' | 'sort' | 'dir' | 'file' | 'none' {
  if (DURATION_OPTIONS.includes(name)) return 'duration';
  if (name === 'interval') return 'interval';
  if (name === 'user' || name === 'exclude-user') return 'user';
  if (name === 'signal') return 'signal';
  if (name === 'sort') return 'sort';
  if (name === 'proc-root' || name === 'dev-root') return 'dir';
  if (name === 'passwd') return 'file';
  return 'none';
}

const flags = (t: Table) => Object.keys(t).map((k) => `--${k}`);
const valued = (t: Table) => Object.entries(t).filter(([, v]) => v.type === 'string').map(([k]) => k);

export function bashCompletion(): string {
  const groups = new Map<string, string[]>();
  for (const name of [...new Set([...valued(OPTIONS as Table), ...valued(REAP_OPTIONS as Table)])]) {
    const kind = valueKind(name);
    groups.set(kind, [...(groups.get(kind) ?? []), `--${name}`]);
  }
  const cases: Record<string, string> = {
    duration: `COMPREPLY=($(compgen -W '${DURATIONS.join(' ')}' -- "$cur"))`,
    interval: `COMPREPLY=($(compgen -W '${INTERVALS.join(' ')}' -- "$cur"))`,
    user: 'COMPREPLY=($(compgen -u -- "$cur"))',
    signal: `COMPREPLY=($(compgen -W '${SIGNALS.join(' ')}' -- "\${cur^^}"))`,
    sort: `COMPREPLY=($(compgen -W '${SORT_COLUMNS.join(' ')}' -- "$cur"))`,
    dir: 'COMPREPLY=($(compgen -d -- "$cur"))',
    file: 'COMPREPLY=($(compgen -f -- "$cur"))',
    none: 'COMPREPLY=()',
  };
  return `# bash completion for sshtop. Generated by scripts/release-docs.ts from src/args.ts: do not edit.
_sshtop() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} i reap=0
  # --opt=value: bash splits the word at '=' (COMP_WORDBREAKS)
  if [[ $cur == = ]]; then
    cur=
  elif [[ $prev == = ]]; then
    prev=\${COMP_WORDS[COMP_CWORD-2]}
  fi
  for ((i = 1; i < COMP_CWORD; i++)); do
    [[ \${COMP_WORDS[i]} == reap ]] && reap=1
  done
  case $prev in
${[...groups].map(([kind, names]) => `    ${names.join('|')})\n      ${cases[kind]}\n      return ;;`).join('\n')}
  esac
  if ((reap)); then
    COMPREPLY=($(compgen -W '${flags(REAP_OPTIONS as Table).join(' ')}' -- "$cur"))
  else
    COMPREPLY=($(compgen -W '${flags(OPTIONS as Table).join(' ')} reap' -- "$cur"))
  fi
}
complete -F _sshtop sshtop
`;
}

export function zshCompletion(): string {
  const describe = (t: Table, usage: string) =>
    Object.keys(t).map((k) => {
      const line = usage.split('\n').find((l) => new RegExp(`--${k}(?![\\w-])`).test(l)) ?? '';
      const text = (/\s{2,}(\S.*)$/.exec(line)?.[1] ?? '').replace(/[:'\\[\]]/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 70);
      return `'--${k}${text ? `:${text}` : ''}'`;
    });
  const kinds = new Map<string, string[]>();
  for (const name of [...new Set([...valued(OPTIONS as Table), ...valued(REAP_OPTIONS as Table)])]) kinds.set(valueKind(name), [...(kinds.get(valueKind(name)) ?? []), `--${name}`]);
  const action: Record<string, string> = {
    duration: `compadd -- ${DURATIONS.join(' ')}`,
    interval: `compadd -- ${INTERVALS.join(' ')}`,
    user: '_users',
    signal: `compadd -- ${SIGNALS.join(' ')}`,
    sort: `compadd -- ${SORT_COLUMNS.join(' ')}`,
    dir: '_directories',
    file: '_files',
    none: 'return 0',
  };
  return `#compdef sshtop
# zsh completion for sshtop. Generated by scripts/release-docs.ts from src/args.ts: do not edit.
_sshtop() {
  local -a own reap_opts
  own=(
    ${describe(OPTIONS as Table, USAGE).join('\n    ')}
    'reap:end sessions by rule (dry run unless --yes)'
  )
  reap_opts=(
    ${describe(REAP_OPTIONS as Table, REAP_USAGE).join('\n    ')}
  )
  local prev=\${words[CURRENT-1]}
  case $prev in
${[...kinds].map(([kind, names]) => `    ${names.join('|')})\n      ${action[kind]}\n      return ;;`).join('\n')}
  esac
  if (( \${words[(I)reap]} > 1 && \${words[(I)reap]} < CURRENT )); then
    _describe -t options 'reap option' reap_opts
  else
    _describe -t options 'sshtop option' own
  fi
}
_sshtop "$@"
`;
}

/** every generated file, by its path in the repository */
export function generated(): Record<string, string> {
  return {
    'man/sshtop.1': sshtopMan(),
    'man/sshtop-reap.1': reapMan(),
    'completions/sshtop.bash': bashCompletion(),
    'completions/_sshtop': zshCompletion(),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [rel, text] of Object.entries(generated())) {
    const path = join(ROOT, rel);
    let old: string | undefined;
    try {
      old = readFileSync(path, 'utf8');
    } catch {
      old = undefined;
    }
    if (old === text) continue;
    if (check) {
      console.error(`release-docs: ${rel} is out of date: run npx tsx scripts/release-docs.ts`);
      stale++;
    } else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
      console.log(`release-docs: wrote ${rel}`);
    }
  }
  process.exit(stale ? 1 : 0);
}
