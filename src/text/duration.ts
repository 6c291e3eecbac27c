// Durations as text: read from the command line (`90s`, `30m`, `2h`, `1d`, or plain seconds) and
// written for people (`90s`, `12m`, `2h05m`, `3d4h`). Pure; a leaf anyone may import.
const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** seconds, or undefined when the text is not a duration */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(text.trim());
  if (!m) return undefined;
  const value = Number(m[1]) * (UNITS[m[2] || 's'] as number);
  return Number.isFinite(value) ? value : undefined;
}

/** seconds as a short duration: `45s`, `12m`, `2h05m`, `3d4h` */
export function formatSeconds(s: number): string {
  if (s < 90) return `${s}s`;
  if (s < 90 * 60) return `${Math.round(s / 60)}m`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h`;
}
