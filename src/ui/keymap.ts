// Every key sshtop knows, in one place (README's Keys): a binding table per mode, from which the help
// screen, the footer and each box's hint line are generated. Watch mode has no signal commands.
// The same key can mean different things per mode: `k` is "up" both in the list and in a picker.
import { SIGNALS } from '../model/signal-names.js';
import type { KeyName, KeyPress } from './keys.js';

export type { KeyName, KeyPress } from './keys.js';

export type Command =
  | { type: 'move'; by: number }
  | { type: 'move-to'; where: 'first' | 'last' }
  | { type: 'page'; by: 1 | -1 }
  | { type: 'signal-menu' }
  | { type: 'tag' }
  | { type: 'untag-all' }
  | { type: 'filter' }
  | { type: 'search' }
  | { type: 'search-next' }
  | { type: 'clear' }
  | { type: 'user-picker' }
  | { type: 'sort-picker' }
  | { type: 'sort-step'; by: 1 | -1 }
  | { type: 'sort-invert' }
  | { type: 'toggle-tree' }
  | { type: 'toggle-collapse' }
  | { type: 'detail' }
  | { type: 'idle-only' }
  | { type: 'pause' }
  | { type: 'help' }
  | { type: 'quit' };

export type PromptCommand = { type: 'cancel' } | { type: 'accept' } | { type: 'erase' } | { type: 'next-match' } | { type: 'type'; text: string };
export type PickerCommand = { type: 'back' } | { type: 'move'; by: 1 | -1 } | { type: 'choose' };
export type MenuCommand = { type: 'cancel' } | { type: 'move'; by: 1 | -1 } | { type: 'choose' } | { type: 'pick'; index: number };
export type ConfirmCommand = { type: 'cancel' } | { type: 'confirm' } | { type: 'erase' } | { type: 'type'; text: string };
export type BackCommand = { type: 'back' };

/** the commands of each mode; `confirm-yes` is the question that needs the word yes typed */
export interface ModeCommands {
  main: Command;
  filter: PromptCommand;
  search: PromptCommand;
  picker: PickerCommand;
  'signal-menu': MenuCommand;
  confirm: ConfirmCommand;
  'confirm-yes': ConfirmCommand;
  detail: BackCommand;
  help: BackCommand;
}
export type KeymapMode = keyof ModeCommands;

export interface KeyContext {
  readOnly: boolean;
}

/** the words help uses for named keys; any other token is the text the key types */
const NAMED: Readonly<Record<string, KeyName>> = {
  '↑': 'up', '↓': 'down', '←': 'left', '→': 'right', PgUp: 'pageup', PgDn: 'pagedown', Home: 'home', End: 'end',
  Enter: 'return', Esc: 'escape', Backspace: 'backspace', Space: 'space', 'Ctrl+C': 'ctrl-c',
  F1: 'f1', F3: 'f3', F4: 'f4', F5: 'f5', F6: 'f6', F9: 'f9', F10: 'f10',
};

function matches(token: string, k: KeyPress): boolean {
  const name = NAMED[token];
  return name ? k.name === name : k.name === undefined && k.text === token;
}

interface HelpRow {
  /** as the help shows them: two spaces between groups */
  keys: string;
  what: string;
  /** one command for every key of the row, or one per key */
  command?: Command;
  each?: Readonly<Record<string, Command>>;
  /** in watch mode: 'off' is not bound at all, 'unlisted' still works but is not advertised */
  readOnly?: 'off' | 'unlisted';
  /** [place, label] in the footer */
  footer?: [number, string];
}

const up: Command = { type: 'move', by: -1 };
const down: Command = { type: 'move', by: 1 };
const first: Command = { type: 'move-to', where: 'first' };
const last: Command = { type: 'move-to', where: 'last' };

// vim's j and k move; htop's k (kill) is K here, so a vim habit never opens the signal menu
const MAIN: readonly HelpRow[] = [
  {
    keys: '↑ ↓ j k  PgUp PgDn  Home End g G',
    what: 'move',
    each: { '↑': up, '↓': down, j: down, k: up, PgUp: { type: 'page', by: -1 }, PgDn: { type: 'page', by: 1 }, Home: first, End: last, g: first, G: last },
  },
  {
    keys: 'F9  x  K',
    what: 'signal menu: TERM default; session row = whole connection, process row = that process',
    command: { type: 'signal-menu' },
    readOnly: 'off',
    footer: [0, 'F9/x signal'],
  },
  {
    keys: 'Space  U',
    what: 'tag / untag row; untag all (the signal menu then applies to every tagged row)',
    each: { Space: { type: 'tag' }, U: { type: 'untag-all' } },
    readOnly: 'unlisted',
    footer: [1, 'Space tag'],
  },
  { keys: 'F4  \\', what: 'filter by user, tty, address, command (Esc clears)', command: { type: 'filter' }, footer: [3, 'F4 filter'] },
  { keys: '/  F3', what: 'search; F3 jumps to the next match', each: { '/': { type: 'search' }, F3: { type: 'search-next' } }, footer: [4, '/ search'] },
  { keys: 'u', what: 'show one user only', command: { type: 'user-picker' } },
  {
    keys: 'F6  <  >  I',
    what: 'sort column; I inverts',
    each: { F6: { type: 'sort-picker' }, '<': { type: 'sort-step', by: -1 }, '>': { type: 'sort-step', by: 1 }, I: { type: 'sort-invert' } },
    footer: [6, 'F6 sort'],
  },
  { keys: 'F5  t', what: 'tree / flat list', command: { type: 'toggle-tree' }, footer: [5, 'F5 tree'] },
  { keys: 'c', what: 'collapse / expand the selected session', command: { type: 'toggle-collapse' } },
  { keys: 'Enter  →', what: 'details: process tree, connection, idle sources, why it is stale', command: { type: 'detail' }, footer: [8, 'Enter details'] },
  { keys: 'i', what: 'only idle / stale sessions and leftovers', command: { type: 'idle-only' }, footer: [7, 'i idle'] },
  { keys: 'Z  p', what: 'pause / resume updates', command: { type: 'pause' }, footer: [9, 'p pause'] },
  { keys: 'F1  ?  h', what: 'this help', command: { type: 'help' }, footer: [2, 'F1 help'] },
  { keys: 'F10  q  Ctrl+C', what: 'quit', command: { type: 'quit' }, footer: [10, 'q quit'] },
];

/** bound, but told in the filter row's words ("Esc clears") rather than a row of its own */
const MAIN_UNLISTED: readonly [string, Command][] = [['Esc', { type: 'clear' }]];

const tokens = (keys: string) => keys.split(/\s+/).filter(Boolean);

function mainBindings(ctx: KeyContext): [string, Command][] {
  const rows = MAIN.filter((r) => !(ctx.readOnly && r.readOnly === 'off'));
  const listed = rows.flatMap((r) => tokens(r.keys).map((t): [string, Command | undefined] => [t, r.each ? r.each[t] : r.command]));
  return [...listed.filter((b): b is [string, Command] => b[1] !== undefined), ...MAIN_UNLISTED];
}

interface Keymap<C> {
  bindings: readonly [string, C][];
  /** a key no binding takes that types text */
  text?: (text: string) => C;
  /** any other key */
  other?: C;
  /** the line the mode's box shows under itself */
  hint?: string;
}

const cancel = { type: 'cancel' } as const;
const PROMPT: readonly [string, PromptCommand][] = [['Esc', cancel], ['Enter', { type: 'accept' }], ['Backspace', { type: 'erase' }]];
const typed = (text: string) => ({ type: 'type', text }) as const;

const MODES: { [M in Exclude<KeymapMode, 'main'>]: Keymap<ModeCommands[M]> } = {
  filter: { bindings: PROMPT, text: typed },
  // Enter keeps the match found while typing; F3 goes on to the next one
  search: { bindings: [...PROMPT, ['F3', { type: 'next-match' }]], text: typed },
  picker: {
    bindings: [['Esc', { type: 'back' }], ['↑', { type: 'move', by: -1 }], ['k', { type: 'move', by: -1 }], ['↓', { type: 'move', by: 1 }], ['j', { type: 'move', by: 1 }], ['Enter', { type: 'choose' }]],
    hint: '↑↓ choose, Enter select, Esc back',
  },
  'signal-menu': {
    bindings: [['Esc', cancel], ['Ctrl+C', cancel], ['↑', { type: 'move', by: -1 }], ['↓', { type: 'move', by: 1 }], ['Enter', { type: 'choose' }], ...SIGNALS.map((_, i): [string, MenuCommand] => [String(i + 1), { type: 'pick', index: i }])],
    hint: `↑↓ or 1-${SIGNALS.length}, Enter choose, Esc cancel`,
  },
  // [y/N]: anything but y cancels
  confirm: { bindings: [['y', { type: 'confirm' }], ['Y', { type: 'confirm' }]], other: cancel },
  'confirm-yes': { bindings: [['Esc', cancel], ['Ctrl+C', cancel], ['Enter', { type: 'confirm' }], ['Backspace', { type: 'erase' }]], text: typed },
  detail: { bindings: [['Esc', { type: 'back' }], ['←', { type: 'back' }], ['Enter', { type: 'back' }], ['q', { type: 'back' }]], hint: 'Esc / ← / Enter: back' },
  help: { bindings: [], other: { type: 'back' }, hint: 'any key: back' },
};

/** the command a key means in a mode, or undefined when the key does nothing there */
export function commandIn<M extends KeymapMode>(mode: M, k: KeyPress, ctx: KeyContext): ModeCommands[M] | undefined {
  if (mode === 'main') return commandFor(k, ctx) as ModeCommands[M] | undefined;
  const map = MODES[mode as Exclude<KeymapMode, 'main'>] as Keymap<ModeCommands[M]>;
  const bound = map.bindings.find(([t]) => matches(t, k));
  if (bound) return bound[1];
  if (map.text && k.text) return map.text(k.text);
  return map.other;
}

const MAIN_BINDINGS = { live: mainBindings({ readOnly: false }), watch: mainBindings({ readOnly: true }) };

/** keys of the main screen */
export function commandFor(k: KeyPress, ctx: KeyContext): Command | undefined {
  return MAIN_BINDINGS[ctx.readOnly ? 'watch' : 'live'].find(([t]) => matches(t, k))?.[1];
}

/** the key table shown in help; signal keys only when signalling is possible */
export function keyHelp(readOnly: boolean): [string, string][] {
  return MAIN.filter((r) => !(readOnly && r.readOnly)).map((r) => [r.keys, r.what]);
}

export function footerHints(readOnly: boolean): string {
  const shown = MAIN.filter((r) => r.footer && !(readOnly && r.readOnly)).map((r) => r.footer as [number, string]);
  const hints = shown.sort(([a], [b]) => a - b).map(([, label]) => label).join('  ');
  return readOnly ? `READ-ONLY  ${hints}` : hints;
}

/** the hint line under a mode's box */
export function modeHint(mode: Exclude<KeymapMode, 'main'>): string {
  return MODES[mode].hint ?? '';
}
