// The user and sort-column pickers.
import { SORT_COLUMNS, type SortColumn } from '../../model/filter.js';
import { commandIn, type KeyPress } from '../keymap.js';
import { toMode, type UiState } from '../state.js';
import { reaction, type Step, type View } from './types.js';

/** the picker's items, in the order it shows them */
export function pickerItems(mode: 'user-picker' | 'sort-picker', users: readonly string[]): string[] {
  return mode === 'user-picker' ? ['(all users)', ...users] : [...SORT_COLUMNS];
}

export function pickerStep(s: UiState, mode: 'user-picker' | 'sort-picker', k: KeyPress, v: View): Step {
  const items = pickerItems(mode, v.users);
  const cmd = commandIn('picker', k, { readOnly: v.readOnly });
  switch (cmd?.type) {
    case 'back':
      return reaction(toMode(s, 'main'));
    case 'move':
      return reaction({ ...s, picker: cmd.by < 0 ? Math.max(0, s.picker - 1) : Math.min(items.length - 1, s.picker + 1) });
    case 'choose': {
      if (mode === 'sort-picker') return reaction({ ...s, sort: items[s.picker] as SortColumn, mode: 'main' });
      const user = s.picker === 0 ? undefined : items[s.picker];
      // a user other than the shown one narrows the list: the selection then lands on a match
      return reaction({ ...s, user, mode: 'main', refiltered: s.refiltered || user !== s.user });
    }
    case undefined:
      return reaction(s);
  }
}
