// The signal dialog: the signal menu, then the question that names exactly what will end.
import { Box, Text } from 'ink';
import { fitCells } from '../../text/cells.js';
import { SIGNALS } from '../../model/signal-names.js';
import { modeHint } from '../keymap.js';
import type { Dialog } from '../state.js';
import type { Theme } from '../theme.js';
import { dialogQuestion, dialogTitle, dialogWarning } from '../view/dialog.js';

/** width: the terminal's columns (the dialog spans them), so the title is cut from the first frame */
export function SignalDialog({ dialog, theme, width }: { readonly dialog: Dialog; readonly theme: Theme; readonly width: number }) {
  const warning = dialogWarning(dialog);
  return (
    <Box flexDirection="column" borderStyle="single" paddingX={1}>
      {dialog.stage === 'menu' ? (
        <>
          <Text bold wrap="truncate">
            {/* inside the border and the padding */}
            {fitCells(dialogTitle(dialog), width - 4)}
          </Text>
          {SIGNALS.map((s, i) => (
            <Text key={s} inverse={i === dialog.choice}>
              {i === dialog.choice ? '> ' : '  '}
              {i + 1} SIG{s}
              {i === 0 ? ' (default)' : ''}
            </Text>
          ))}
          <Text dimColor>{modeHint('signal-menu')}</Text>
        </>
      ) : (
        <>
          {warning && (
            <Text color={theme.danger} bold wrap="wrap">
              {warning}
            </Text>
          )}
          <Text wrap="wrap">{dialogQuestion(dialog)}</Text>
          {warning && <Text>&gt; {dialog.typed}</Text>}
        </>
      )}
    </Box>
  );
}
