// What a step takes besides the state and the key (the View), and what it gives back.
import type { Model } from '../../model/types.js';
import type { Dialog, UiState } from '../state.js';
import type { Row } from '../view/rows.js';
import type { TargetSpec } from './targets.js';

/** what a key needs to know of the screen */
export interface View {
  /** the rows on screen for this state, and the selection among them */
  readonly rows: readonly Row[];
  readonly selected: number;
  /** the terminal's height: a page is this less the header and footer */
  readonly termRows: number;
  /** the user picker's choices */
  readonly users: readonly string[];
  /** the shown model: which tags are still alive */
  readonly model: Model | null;
  /** watch mode, or no Signaller: no signal menu */
  readonly readOnly: boolean;
}

export type Effect =
  /** pin the targets now (what is signalled is what the operator saw), then open the menu */
  | { type: 'pin-and-open-menu'; targets: TargetSpec[] }
  /** send the dialog's signal to each pinned target, then release the pins */
  | { type: 'send'; dialog: Dialog }
  | { type: 'release'; dialog: Dialog }
  | { type: 'pause' }
  | { type: 'quit' };

export interface Step {
  state: UiState;
  effects: Effect[];
}

export const reaction = (state: UiState, ...effects: Effect[]): Step => ({ state, effects });
