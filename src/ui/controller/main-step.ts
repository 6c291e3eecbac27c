// The list: moving, tagging, sorting, filtering, and the way into every other mode.
import { SORT_COLUMNS, type SortColumn } from '../../model/filter.js';
import type { Command } from '../keymap.js';
import { edit, select, toggleCollapse, toggleTag, toMode, untagAll, withStatus, type UiState } from '../state.js';
import { liveTags, sessionKey, type Row } from '../view/rows.js';
import { jumpToMatch } from './prompt-step.js';
import { partialRefusal, targetFor, type TargetSpec } from './targets.js';
import { reaction, type Step, type View } from './types.js';

/** the header, the status line and the footer: a page is the rest */
const CHROME_ROWS = 8;

export function mainStep(s: UiState, cmd: Command | undefined, v: View): Step {
  const { rows, selected: sel } = v;
  const move = (index: number) => reaction(select(s, rows, index));
  switch (cmd?.type) {
    case undefined:
      return reaction(s);
    case 'move':
      return move(sel + cmd.by);
    case 'page':
      return move(sel + cmd.by * Math.max(1, v.termRows - CHROME_ROWS));
    case 'move-to':
      return move(cmd.where === 'first' ? 0 : rows.length - 1);
    case 'signal-menu':
      return signalMenu(s, v);
    case 'tag': {
      const row = rows[sel];
      // the tag goes on the row, then the selection to the next one, as in htop
      if (row && (row.kind === 'session' || row.kind === 'process')) return reaction(select(toggleTag(s, row.key), rows, sel + 1));
      return reaction(s);
    }
    case 'untag-all':
      return reaction(untagAll(s));
    case 'clear':
      return reaction(s.filter || s.search ? edit(edit(s, 'filter', ''), 'search', '') : s);
    case 'filter':
      return reaction(toMode(s, 'filter'));
    case 'search':
      return reaction(toMode(edit(s, 'search', ''), 'search'));
    case 'search-next':
      return reaction(s.search ? jumpToMatch(s, rows, s.search, sel + 1) : toMode(s, 'search'));
    case 'user-picker':
      return reaction(toMode(s, 'user-picker'));
    case 'sort-picker':
      // the picker opens on the current column
      return reaction({ ...toMode(s, 'sort-picker'), picker: SORT_COLUMNS.indexOf(s.sort) });
    case 'sort-step': {
      const i = SORT_COLUMNS.indexOf(s.sort);
      return reaction({ ...s, sort: SORT_COLUMNS[(i + cmd.by + SORT_COLUMNS.length) % SORT_COLUMNS.length] as SortColumn });
    }
    case 'sort-invert':
      return reaction({ ...s, inverted: !s.inverted });
    case 'toggle-tree':
      return reaction({ ...s, view: s.view === 'tree' ? 'flat' : 'tree' });
    case 'toggle-collapse': {
      // collapsed by identity, so a session that reuses the pid is not
      const owner = rows[sel]?.owner;
      return reaction(owner ? toggleCollapse(s, sessionKey(owner.pid, owner.startTicks)) : s);
    }
    case 'detail':
      return reaction(rows[sel] ? toMode(s, 'detail') : s);
    case 'idle-only':
      return reaction({ ...s, idleOnly: !s.idleOnly, refiltered: true });
    case 'pause':
      return reaction(s, { type: 'pause' });
    case 'help':
      return reaction(toMode(s, 'help'));
    case 'quit':
      return reaction(s, { type: 'quit' });
  }
}

/** the signal menu for the tagged rows, or else the selected one; or the reason there is none */
function signalMenu(s: UiState, v: View): Step {
  if (v.readOnly) return reaction(s);
  const live = liveTags(v.model, s.tagged);
  // tags of ended processes never fall through to the selected row (it may hold their pid now)
  if (s.tagged.size > 0 && live.size === 0) return reaction(withStatus(untagAll(s), 'the tagged rows have ended: nothing to signal (tags cleared)'));
  const row = v.rows[v.selected];
  const chosen: readonly Row[] = live.size > 0 ? v.rows.filter((r) => live.has(r.key)) : row ? [row] : [];
  // a partial session's sshd is hidden: refuse it by name rather than signal what is left
  const partial = chosen.find((r) => r.kind === 'session' && r.session?.partial);
  if (partial?.session) return reaction(withStatus(s, partialRefusal(partial.session)));
  const targets = chosen.map(targetFor).filter((t): t is TargetSpec => t !== undefined);
  if (targets.length === 0) return reaction(withStatus(s, 'nothing to signal on this row'));
  return reaction(s, { type: 'pin-and-open-menu', targets });
}
