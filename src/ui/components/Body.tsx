// Everything between the header and the status line, by mode: the list, help, details, a picker,
// or the signal dialog with the list still in view below it.
import { Box } from 'ink';
import { SORT_COLUMNS } from '../../model/filter.js';
import { sanitize } from '../../text/sanitize.js';
import type { Model } from '../../model/types.js';
import { layoutFor } from '../layout.js';
import type { UiState } from '../state.js';
import type { Theme } from '../theme.js';
import { rowDetail } from '../view/detail.js';
import { dialogHeight } from '../view/dialog.js';
import type { Row } from '../view/rows.js';
import { DetailPane } from './DetailPane.js';
import { HelpScreen } from './HelpScreen.js';
import { Picker } from './Picker.js';
import { SessionTable } from './SessionTable.js';
import { SignalDialog } from './SignalDialog.js';

export interface BodyProps {
  readonly ui: UiState;
  readonly model: Model | null;
  readonly rows: readonly Row[];
  readonly selected: number;
  readonly users: readonly string[];
  readonly height: number;
  readonly columns: number;
  readonly readOnly: boolean;
  readonly theme: Theme;
}

export function Body({ ui, model, rows, selected, users, height, columns, readOnly, theme }: BodyProps) {
  const layout = layoutFor(columns);
  const row = rows[selected];
  const table = (h: number) => <SessionTable rows={rows} selected={selected} height={h} layout={layout} tagged={ui.tagged} theme={theme} view={ui.view} />;
  if (ui.dialog) {
    // the list stays in view under the dialog, its selection marking what the dialog is about
    const below = height - dialogHeight(ui.dialog, columns);
    return (
      <Box flexDirection="column" height={height} overflow="hidden">
        <SignalDialog dialog={ui.dialog} theme={theme} width={columns} />
        {below >= 3 && table(below)}
      </Box>
    );
  }
  if (ui.mode === 'help') return <HelpScreen readOnly={readOnly} height={height} />;
  if (ui.mode === 'detail' && row && model) return <DetailPane height={height} width={columns} lines={rowDetail(row, model.takenAt)} />;
  if (ui.mode === 'user-picker') return <Picker title="show sessions of" items={['(all users)', ...users.map(sanitize)]} index={ui.picker} height={height} width={columns} />;
  if (ui.mode === 'sort-picker') return <Picker title="sort by" items={[...SORT_COLUMNS]} index={ui.picker} height={height} width={columns} />;
  return table(height);
}
