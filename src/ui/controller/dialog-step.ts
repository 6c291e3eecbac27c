// The signal dialog: the menu picks a signal, then the question confirms it; `yes` must be typed
// for the own connection, sshtop itself or a listener. Sending is an effect the App runs.
import { SIGNALS } from '../../model/signal-names.js';
import { commandIn, type KeyPress } from '../keymap.js';
import { toMode, withDialog, withStatus, type Dialog, type UiState } from '../state.js';
import { reaction, type Step } from './types.js';

/** the dialog closes, its pins are released, and the status line says why */
function close(s: UiState, d: Dialog, status: string): Step {
  return reaction(withStatus(withDialog(s, null), status), { type: 'release', dialog: d });
}

const send = (s: UiState, d: Dialog): Step => reaction(withDialog(s, null), { type: 'send', dialog: d });

export function dialogStep(s: UiState, k: KeyPress): Step {
  const d = s.dialog;
  if (!d) return reaction(toMode(s, 'main'));
  // signal keys only exist where a dialog can: the context does not matter here
  const ctx = { readOnly: false };
  if (d.stage === 'menu') {
    const cmd = commandIn('signal-menu', k, ctx);
    switch (cmd?.type) {
      case 'cancel':
        return close(s, d, 'cancelled: nothing sent');
      case 'move':
        return reaction(withDialog(s, { ...d, choice: Math.max(0, Math.min(SIGNALS.length - 1, d.choice + cmd.by)) }));
      case 'choose':
      case 'pick': {
        const pick = cmd.type === 'pick' ? cmd.index : d.choice;
        return reaction(withDialog(s, { ...d, stage: 'confirm', choice: pick, signal: SIGNALS[pick] ?? 'TERM' }));
      }
      case undefined:
        return reaction(s);
    }
  }
  if (d.targets.some((t) => t.needsYes)) {
    const cmd = commandIn('confirm-yes', k, ctx);
    switch (cmd?.type) {
      case 'cancel':
        return close(s, d, 'cancelled: nothing sent');
      case 'confirm':
        return d.typed === 'yes' ? send(s, d) : close(s, d, 'not confirmed (type yes): nothing sent');
      case 'erase':
        return reaction(withDialog(s, { ...d, typed: d.typed.slice(0, -1) }));
      case 'type':
        return reaction(withDialog(s, { ...d, typed: (d.typed + cmd.text).slice(0, 8) }));
      case undefined:
        return reaction(s);
    }
  }
  return commandIn('confirm', k, ctx)?.type === 'confirm' ? send(s, d) : close(s, d, 'cancelled: nothing sent');
}
