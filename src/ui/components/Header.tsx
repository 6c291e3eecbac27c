// Header: host, uptime, sessions by state, listeners with their startups, the keepalive policy.
import { Box, Text } from 'ink';
import { describeDrop } from '../../model/policy.js';
import { formatSeconds } from '../../model/sessions.js';
import { sanitize } from '../../model/sanitize.js';
import type { Model } from '../../model/types.js';
import type { Theme } from '../theme.js';

export interface HeaderProps {
  readonly host: string;
  readonly model: Model | null;
  readonly readOnly: boolean;
  readonly paused: boolean;
  readonly error: string | null;
  readonly theme: Theme;
  readonly settings: string;
}

export function countByState(model: Model): string {
  const n = (pred: (f: string[]) => boolean) => model.sessions.filter((s) => pred(s.flags)).length;
  const bad = n((f) => f.some((x) => x === 'dead-peer' || x === 'hung' || x === 'stale'));
  const parts = [
    `${model.sessions.length} sessions`,
    `${n((f) => f.includes('idle'))} idle`,
    `${bad} stale`,
    `${n((f) => f.includes('preauth'))} preauth`,
    `${n((f) => f.includes('orphan'))} orphan`,
  ];
  return parts.join(', ');
}

export function Header({ host, model, readOnly, paused, error, theme, settings }: HeaderProps) {
  const uptime = model && model.btime > 0 ? formatSeconds(Math.floor(model.takenAt / 1000 - model.btime)) : '?';
  const time = model ? new Date(model.takenAt).toTimeString().slice(0, 8) : '--:--:--';
  const own = model?.self.sessionPid;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text bold>sshtop</Text> {sanitize(host)} up {uptime} {time}
        {model ? ` | ${countByState(model)}` : ' | reading…'}
        {readOnly && <Text color={theme.badge} bold inverse> READ-ONLY </Text>}
        {paused && <Text color={theme.badge} bold> [PAUSED]</Text>}
      </Text>
      {model?.listeners.slice(0, 3).map((l) => (
        <Text key={l.pid} wrap="truncate" color={theme.dim}>
          listener {l.pid}: {l.startups ? `${l.startups.active} of ${l.startups.start}-${l.startups.full} startups` : 'startups unknown'}
          {l.policy ? ` | ${describeDrop(l.policy)}` : ''}
        </Text>
      ))}
      <Text wrap="truncate">
        {own ? `* you are here: session ${own}` : 'not inside an SSH session'}
        {settings ? ` | ${settings}` : ''}
        {error ? <Text color={theme.error}> | read failed: {sanitize(error)} (showing the last good snapshot)</Text> : null}
      </Text>
    </Box>
  );
}
