// Raw terminal input → named key presses. Ink 6.8's useInput reports no F-keys, so sshtop decodes
// the sequences itself (see use-keys.ts).

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
