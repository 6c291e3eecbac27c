// Durations on the command line: `90s`, `30m`, `2h`, `1d`, or plain seconds (`0.5`).
const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** seconds, or undefined when the text is not a duration */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(text.trim());
  if (!m) return undefined;
  const value = Number(m[1]) * (UNITS[m[2] || 's'] as number);
  return Number.isFinite(value) ? value : undefined;
}
