// Detail pane: the lines view/detail.ts builds, cut to the terminal, and the way back.
import { Box, Text } from 'ink';
import { fitCells } from '../../text/cells.js';
import { modeHint } from '../keymap.js';

/** width: the terminal's columns; lines are cut by terminal cells from the first frame on (a
 * line measured wider than the terminal would wrap and scroll the header away) */
export function DetailPane({ lines, height, width }: { readonly lines: string[]; readonly height: number; readonly width: number }) {
  return (
    <Box flexDirection="column" height={height}>
      {lines.slice(0, Math.max(1, height - 1)).map((l, i) => (
        <Text key={i} wrap="truncate">
          {fitCells(l, width)}
        </Text>
      ))}
      <Text wrap="truncate" dimColor>
        {modeHint('detail')}
      </Text>
    </Box>
  );
}
