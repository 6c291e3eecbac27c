// The signal dialog's words and size. Pure: the App uses the height to keep the list in view below.
import { SIGNALS } from '../../model/signal-names.js';
import type { Dialog } from '../state.js';

/** the question the dialog asks: names exactly what will end */
export function dialogQuestion(d: Dialog): string {
  const what = d.targets.length === 1 ? (d.targets[0]?.text ?? '') : `${d.targets.length} targets: ${d.targets.map((t) => t.text).join('; ')}`;
  const yes = d.targets.some((t) => t.needsYes);
  return `${what} with SIG${d.signal}? ${yes ? 'Type yes and Enter to confirm' : '[y/N]'}`;
}

/** the warning above a question that needs `yes` typed, or '' */
export function dialogWarning(d: Dialog): string {
  // each reason once, however many tagged targets share it
  return [...new Set(d.targets.filter((t) => t.needsYes).map((t) => t.why ?? 'This needs care.'))].join(' ');
}

/** the dialog's title: what a single target is, or how many are tagged */
export function dialogTitle(d: Dialog): string {
  return d.targets.length === 1 ? (d.targets[0]?.text ?? '') : `Signal ${d.targets.length} tagged rows`;
}

/** lines the dialog takes at this width (border and wrapped text), so the list can go below it */
export function dialogHeight(d: Dialog, columns: number): number {
  const inner = Math.max(1, columns - 4);
  const wrapped = (text: string) => (text === '' ? 0 : Math.ceil([...text].length / inner));
  if (d.stage === 'menu') return 2 + 1 + SIGNALS.length + 1;
  const warning = dialogWarning(d);
  return 2 + wrapped(warning) + wrapped(dialogQuestion(d)) + (warning ? 1 : 0);
}
