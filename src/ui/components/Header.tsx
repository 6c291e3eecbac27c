// Header: host, uptime, sessions by state, listeners with their startups, the keepalive policy.
import { Box, Text } from 'ink';
import { sanitize } from '../../text/sanitize.js';
import type { Model } from '../../model/types.js';
import type { Theme } from '../theme.js';
import { headerInfo } from '../view/header.js';

export interface HeaderProps {
  readonly host: string;
  readonly model: Model | null;
  readonly readOnly: boolean;
  readonly paused: boolean;
  readonly error: string | null;
  readonly theme: Theme;
  readonly settings: string;
}

export function Header({ host, model, readOnly, paused, error, theme, settings }: HeaderProps) {
  const info = headerInfo(model);
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text bold>sshtop</Text>
        {/* first, so a narrow terminal never cuts what the operator most needs to know */}
        {readOnly && <Text color={theme.badge} bold inverse> READ-ONLY </Text>}
        {paused && <Text color={theme.badge} bold> [PAUSED]</Text>} {sanitize(host)} {info.clock}
        {info.counts === null ? ' | reading…' : ` | ${info.counts}`}
      </Text>
      {info.listeners.map((l) => (
        <Text key={l} wrap="truncate" color={theme.dim}>
          {l}
        </Text>
      ))}
      <Text wrap="truncate">
        {info.own}
        {settings ? ` | ${settings}` : ''}
        {error ? <Text color={theme.error}> | read failed: {sanitize(error)} (showing the last good snapshot)</Text> : null}
      </Text>
    </Box>
  );
}
