// The help screen: the key table the keymap generates, and the row markers.
import { Box, Text } from 'ink';
import { keyHelp, modeHint } from '../keymap.js';

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
      <Text dimColor>{modeHint('help')}</Text>
    </Box>
  );
}
