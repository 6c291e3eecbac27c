// The header's settings line and the status line, as text. Pure.
import { sanitize } from '../../text/sanitize.js';
import type { UiState } from '../state.js';

/** filter, user, sort, view, idle-only and the tag count, as the header shows them */
export function settingsLine(ui: UiState, tagCount: number): string {
  return [
    ui.filter ? `filter "${sanitize(ui.filter)}"` : '',
    ui.user ? `user ${sanitize(ui.user)}` : '',
    `sort ${ui.sort}${ui.inverted ? ' ▲' : ''}`,
    ui.view,
    ui.idleOnly ? 'idle only' : '',
    tagCount > 0 ? `${tagCount} tagged` : '',
  ]
    .filter(Boolean)
    .join(' | ');
}

/** the prompt being typed, else the last status, else the model's first notice */
export function statusLine(ui: UiState, notice: string | undefined): string {
  const prompt = ui.mode === 'filter' ? `filter: ${sanitize(ui.filter)}_` : ui.mode === 'search' ? `search: ${sanitize(ui.search)}_` : null;
  return prompt ?? ui.status ?? (notice ? `note: ${notice}` : ' ');
}
