// The filter and search prompts: typing narrows the list (filter) or jumps to a match (search).
import { commandIn, type KeyPress } from '../keymap.js';
import { edit, select, toMode, withStatus, type UiState } from '../state.js';
import type { Row } from '../view/rows.js';
import { reaction, type Step, type View } from './types.js';

/** the selection on the first row from `from` on (wrapping) whose cells hold the needle */
export function jumpToMatch(s: UiState, rows: readonly Row[], needle: string, from: number): UiState {
  if (!needle || rows.length === 0) return s;
  const n = needle.toLowerCase();
  for (let i = 0; i < rows.length; i++) {
    const idx = (from + i) % rows.length;
    const c = rows[idx]?.cells;
    if (c && [c.user, c.tty, c.from, c.command, c.pid].some((x) => x.toLowerCase().includes(n))) return select(s, rows, idx);
  }
  return withStatus(s, `no match for "${needle}"`);
}

export function promptStep(s: UiState, field: 'filter' | 'search', k: KeyPress, v: View): Step {
  const cmd = commandIn(field, k, { readOnly: v.readOnly });
  switch (cmd?.type) {
    case 'cancel':
      return reaction(toMode(edit(s, field, ''), 'main'));
    // Enter keeps the filter / the match found while typing
    case 'accept':
      return reaction(toMode(s, 'main'));
    case 'erase':
      return reaction(edit(s, field, [...s[field]].slice(0, -1).join('')));
    case 'next-match':
      return reaction(jumpToMatch(s, v.rows, s.search, v.selected + 1));
    case 'type': {
      const value = s[field] + cmd.text;
      const typed = edit(s, field, value);
      // a search does not change the rows: the match is looked for among those on screen
      return reaction(field === 'search' ? jumpToMatch(typed, v.rows, value, v.selected) : typed);
    }
    case undefined:
      return reaction(s);
  }
}
