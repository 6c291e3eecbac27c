// The UI's state machine, pure: one key in, the next state and what the App must do out (htop's
// Action.c returns a reaction the same way). The App runs the effects with the injected Signaller
// and store; nothing here touches a process. Watch mode never gets an effect that signals.
import { sanitize } from '../text/sanitize.js';
import type { SignalResult } from '../act/signal.js';
import { dialogStep } from './controller/dialog-step.js';
import { mainStep } from './controller/main-step.js';
import { pickerStep } from './controller/picker-step.js';
import { promptStep } from './controller/prompt-step.js';
import { reaction, type Effect, type Step, type View } from './controller/types.js';
import { commandIn, type KeyPress } from './keymap.js';
import { toMode, untagAll, withDialog, withStatus, type Dialog, type DialogTarget, type UiState } from './state.js';

export type { Effect, Step, View } from './controller/types.js';

const SIGNALLING = new Set<Effect['type']>(['pin-and-open-menu', 'send']);

export function step(s: UiState, k: KeyPress, v: View): Step {
  const next = modeStep(s, k, v);
  // belt and braces: a read-only screen has no dialog to send from, and no key opens one
  return v.readOnly ? { ...next, effects: next.effects.filter((e) => !SIGNALLING.has(e.type)) } : next;
}

function modeStep(s: UiState, k: KeyPress, v: View): Step {
  const ctx = { readOnly: v.readOnly };
  switch (s.mode) {
    case 'help':
      return reaction(toMode(s, 'main'));
    case 'detail':
      return reaction(commandIn('detail', k, ctx) ? toMode(s, 'main') : s);
    case 'filter':
    case 'search':
      return promptStep(s, s.mode, k, v);
    case 'user-picker':
    case 'sort-picker':
      return pickerStep(s, s.mode, k, v);
    case 'dialog':
      return dialogStep(s, k);
    case 'main':
      return mainStep(s, commandIn('main', k, ctx), v);
  }
}

/** the dialog's pinned targets on screen: the signal menu opens */
export function openMenu(s: UiState, targets: DialogTarget[]): UiState {
  return withDialog(s, { stage: 'menu', choice: 0, signal: 'TERM', typed: '', targets });
}

/** the status line once the signal was sent to each target */
export function afterSend(s: UiState, results: readonly SignalResult[]): UiState {
  // a sent result's message is not shown when several were sent: its audit warning still is
  // a process of an ended session that went with its parent before its turn is not news
  const gone = results.filter((r) => r.outcome === 'gone').length;
  const notes = [
    ...new Set([
      ...results.filter((r) => r.outcome !== 'sent' && r.outcome !== 'gone').map((r) => r.message),
      ...results.flatMap((r) => (r.outcome === 'sent' && r.auditWarning ? [r.auditWarning] : [])),
    ]),
  ];
  if (gone > 0) notes.push(`${gone} had already exited`);
  const text = results.length === 1 ? (results[0]?.message ?? '') : `${results.filter((r) => r.outcome === 'sent').length} of ${results.length} processes signalled${notes.length > 0 ? `; ${notes.join('; ')}` : ''}`;
  return withStatus(untagAll(s), sanitize(text));
}
