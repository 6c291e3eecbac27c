// A list to choose one item from (a user, a sort column), drawn in place of the table.
import { Box, Text } from 'ink';
import { fitCells } from '../../text/cells.js';
import { modeHint } from '../keymap.js';
import { windowStart } from '../view/window.js';

export function Picker(props: { readonly title: string; readonly items: string[]; readonly index: number; readonly height: number; readonly width: number }) {
  const { title, items, index, height, width } = props;
  const body = Math.max(1, height - 2);
  const start = windowStart(items.length, index, body);
  return (
    <Box flexDirection="column" height={height}>
      <Text bold>{title}</Text>
      {items.slice(start, start + body).map((item, i) => (
        <Text key={item} inverse={start + i === index} wrap="truncate">
          {start + i === index ? '> ' : '  '}
          {fitCells(item, width - 2)}
        </Text>
      ))}
      <Text dimColor>{modeHint('picker')}</Text>
    </Box>
  );
}
