// Help, pickers and the signal dialog: small boxes drawn over the list.
import { Box, Text } from 'ink';
import { fitCells } from '../../model/columns.js';
import { SIGNALS } from '../../proc/signal-names.js';
import { keyHelp } from '../keymap.js';
import type { Dialog } from '../state.js';
import type { Theme } from '../theme.js';

export function HelpScreen({ readOnly, height }: { readonly readOnly: boolean; readonly height: number }) {
  const rows = keyHelp(readOnly);
  return (
    <Box flexDirection="column" height={height}>
      <Text bold>sshtop keys{readOnly ? ' (read-only: no signal can be sent)' : ''}</Text>
      {rows.slice(0, Math.max(1, height - 3)).map(([keys, what]) => (
        <Text key={keys} wrap="truncate">
          {keys.padEnd(32)} {what}
        </Text>
      ))}
      <Text wrap="truncate">markers: * your own session  ! stale/dead-peer/hung/orphan  ~ idle  ? unauthenticated  + tagged</Text>
      <Text dimColor>any key: back</Text>
    </Box>
  );
}

export function Picker(props: { readonly title: string; readonly items: string[]; readonly index: number; readonly height: number; readonly width: number }) {
  const { title, items, index, height, width } = props;
  const body = Math.max(1, height - 2);
  const start = Math.max(0, Math.min(items.length - body, index - Math.floor(body / 2)));
  return (
    <Box flexDirection="column" height={height}>
      <Text bold>{title}</Text>
      {items.slice(start, start + body).map((item, i) => (
        <Text key={item} inverse={start + i === index} wrap="truncate">
          {start + i === index ? '> ' : '  '}
          {fitCells(item, width - 2)}
        </Text>
      ))}
      <Text dimColor>↑↓ choose, Enter select, Esc back</Text>
    </Box>
  );
}

/** the question the dialog asks: names exactly what will end */
export function dialogQuestion(d: Dialog): string {
  const what = d.targets.length === 1 ? (d.targets[0]?.text ?? '') : `${d.targets.length} targets: ${d.targets.map((t) => t.text).join('; ')}`;
  const yes = d.targets.some((t) => t.needsYes);
  return `${what} with SIG${d.signal}? ${yes ? 'Type yes and Enter to confirm' : '[y/N]'}`;
}

/** the warning above a question that needs `yes` typed, or '' */
function dialogWarning(d: Dialog): string {
  // each reason once, however many tagged targets share it
  return [...new Set(d.targets.filter((t) => t.needsYes).map((t) => t.why ?? 'This needs care.'))].join(' ');
}

/** lines the dialog takes at this width (border and wrapped text), so the list can go below it */
export function dialogHeight(d: Dialog, columns: number): number {
  const inner = Math.max(1, columns - 4);
  const wrapped = (text: string) => (text === '' ? 0 : Math.ceil([...text].length / inner));
  if (d.stage === 'menu') return 2 + 1 + SIGNALS.length + 1;
  const warning = dialogWarning(d);
  return 2 + wrapped(warning) + wrapped(dialogQuestion(d)) + (warning ? 1 : 0);
}

/** width: the terminal's columns (the dialog spans them), so the title is cut from the first frame */
export function SignalDialog({ dialog, theme, width }: { readonly dialog: Dialog; readonly theme: Theme; readonly width: number }) {
  const warning = dialogWarning(dialog);
  const title = dialog.targets.length === 1 ? (dialog.targets[0]?.text ?? '') : `Signal ${dialog.targets.length} tagged rows`;
  return (
    <Box flexDirection="column" borderStyle="single" paddingX={1}>
      {dialog.stage === 'menu' ? (
        <>
          <Text bold wrap="truncate">
            {/* inside the border and the padding */}
            {fitCells(title, width - 4)}
          </Text>
          {SIGNALS.map((s, i) => (
            <Text key={s} inverse={i === dialog.choice}>
              {i === dialog.choice ? '> ' : '  '}
              {i + 1} SIG{s}
              {i === 0 ? ' (default)' : ''}
            </Text>
          ))}
          <Text dimColor>↑↓ or 1-8, Enter choose, Esc cancel</Text>
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
