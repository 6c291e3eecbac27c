// Every key sshtop knows, in one place (SPEC 3.3). Raw terminal input → a named key → a command
// for the current mode. Watch mode has no signal commands at all.

export type KeyName =
  | 'up' | 'down' | 'left' | 'right' | 'pageup' | 'pagedown' | 'home' | 'end'
  | 'return' | 'escape' | 'backspace' | 'tab' | 'space' | 'ctrl-c'
  | 'f1' | 'f3' | 'f4' | 'f5' | 'f6' | 'f9' | 'f10';

export interface KeyPress {
  /** a named key, or undefined for plain text */
  name?: KeyName;
  /** printable text (one character for a key press) */
  text: string;
}

const SEQUENCES: Record<string, KeyName> = {
  '\u001b[A': 'up', '\u001bOA': 'up',
  '\u001b[B': 'down', '\u001bOB': 'down',
  '\u001b[C': 'right', '\u001bOC': 'right',
  '\u001b[D': 'left', '\u001bOD': 'left',
  '\u001b[5~': 'pageup', '\u001b[6~': 'pagedown',
  '\u001b[H': 'home', '\u001b[1~': 'home', '\u001b[7~': 'home', '\u001bOH': 'home',
  '\u001b[F': 'end', '\u001b[4~': 'end', '\u001b[8~': 'end', '\u001bOF': 'end',
  '\r': 'return', '\n': 'return', '\r\n': 'return',
  '\u001b': 'escape', '\u001b\u001b': 'escape',
  '\u007f': 'backspace', '\b': 'backspace',
  '\t': 'tab', ' ': 'space', '\u0003': 'ctrl-c',
  '\u001bOP': 'f1', '\u001b[11~': 'f1', '\u001b[[A': 'f1',
  '\u001bOR': 'f3', '\u001b[13~': 'f3', '\u001b[[C': 'f3',
  '\u001bOS': 'f4', '\u001b[14~': 'f4', '\u001b[[D': 'f4',
  '\u001b[15~': 'f5', '\u001b[[E': 'f5',
  '\u001b[17~': 'f6',
  '\u001b[20~': 'f9',
  '\u001b[21~': 'f10',
};

/** decode one key sequence as Ink's input parser delivers it */
export function decodeKey(raw: string): KeyPress {
  const name = SEQUENCES[raw];
  if (name) return { name, text: name === 'space' ? ' ' : '' };
  if (raw.startsWith('\u001b')) return { text: '' };
  // printable text only: control characters never become input
  return { text: [...raw].filter((c) => c >= ' ' && c !== '\u007f').join('') };
}

/** split one input chunk into key presses: escape sequences, control keys, single characters */
export function splitKeys(raw: string): KeyPress[] {
  if (SEQUENCES[raw]) return [decodeKey(raw)];
  const out: KeyPress[] = [];
  // a lone ESC is one key: `ESC ESC O P` (Esc, then F1 in the same read) must not lose the F1
  const re = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001bO.|\u001b\[\[.|\u001b|\r\n|[\s\S]/gu;
  for (const m of raw.matchAll(re)) {
    const k = decodeKey(m[0]);
    if (k.name || k.text) out.push(k);
  }
  return out;
}

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

export interface KeyContext {
  readOnly: boolean;
}

/** keys of the main screen (dialogs and text inputs handle their own keys) */
export function commandFor(k: KeyPress, ctx: KeyContext): Command | undefined {
  switch (k.name) {
    case 'up': return { type: 'move', by: -1 };
    case 'down': return { type: 'move', by: 1 };
    case 'pageup': return { type: 'page', by: -1 };
    case 'pagedown': return { type: 'page', by: 1 };
    case 'home': return { type: 'move-to', where: 'first' };
    case 'end': return { type: 'move-to', where: 'last' };
    case 'f9': return ctx.readOnly ? undefined : { type: 'signal-menu' };
    case 'space': return { type: 'tag' };
    case 'f4': return { type: 'filter' };
    case 'f3': return { type: 'search-next' };
    case 'f6': return { type: 'sort-picker' };
    case 'f5': return { type: 'toggle-tree' };
    case 'return':
    case 'right': return { type: 'detail' };
    case 'f1': return { type: 'help' };
    case 'f10':
    case 'ctrl-c': return { type: 'quit' };
    default: break;
  }
  switch (k.text) {
    // vim's j and k move; htop's k (kill) is K here, so a vim habit never opens the signal menu
    case 'j': return { type: 'move', by: 1 };
    case 'k': return { type: 'move', by: -1 };
    case 'g': return { type: 'move-to', where: 'first' };
    case 'G': return { type: 'move-to', where: 'last' };
    case 'K':
    case 'x': return ctx.readOnly ? undefined : { type: 'signal-menu' };
    case 'U': return { type: 'untag-all' };
    case '\\': return { type: 'filter' };
    case '/': return { type: 'search' };
    case 'u': return { type: 'user-picker' };
    case '<': return { type: 'sort-step', by: -1 };
    case '>': return { type: 'sort-step', by: 1 };
    case 'I': return { type: 'sort-invert' };
    case 't': return { type: 'toggle-tree' };
    case 'c': return { type: 'toggle-collapse' };
    case 'i': return { type: 'idle-only' };
    case 'Z':
    case 'p': return { type: 'pause' };
    case '?':
    case 'h': return { type: 'help' };
    case 'q': return { type: 'quit' };
    default: return undefined;
  }
}

/** the key table shown in help and the footer; signal keys only when signalling is possible */
export function keyHelp(readOnly: boolean): [string, string][] {
  const rows: [string, string][] = [
    ['↑ ↓ j k  PgUp PgDn  Home End g G', 'move'],
    ['F9  x  K', 'signal menu: TERM default; session row = whole connection, process row = that process'],
    ['Space  U', 'tag / untag row; untag all (the signal menu then applies to every tagged row)'],
    ['F4  \\', 'filter by user, tty, address, command (Esc clears)'],
    ['/  F3', 'search; F3 jumps to the next match'],
    ['u', 'show one user only'],
    ['F6  <  >  I', 'sort column; I inverts'],
    ['F5  t', 'tree / flat list'],
    ['c', 'collapse / expand the selected session'],
    ['Enter  →', 'details: process tree, connection, idle sources, why it is stale'],
    ['i', 'only idle / stale sessions'],
    ['Z  p', 'pause / resume updates'],
    ['F1  ?  h', 'this help'],
    ['F10  q  Ctrl+C', 'quit'],
  ];
  return readOnly ? rows.filter(([, what]) => !what.startsWith('signal') && !what.startsWith('tag')) : rows;
}

export function footerHints(readOnly: boolean): string {
  const common = 'F1 help  F4 filter  / search  F5 tree  F6 sort  i idle  Enter details  p pause  q quit';
  return readOnly ? `READ-ONLY  ${common}` : `F9/x signal  Space tag  ${common}`;
}
