// Pure parsers for sshd configuration text: `sshd -T` output and sshd_config files.

export type ConfigValues = Map<string, string>;

/** `sshd -T` prints one lower-case `keyword value` per line */
export function parseSshdT(text: string): ConfigValues {
  const out: ConfigValues = new Map();
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(.*)$/.exec(line.trim());
    const key = m?.[1]?.toLowerCase();
    if (m && key !== undefined && !out.has(key)) out.set(key, (m[2] as string).trim());
  }
  return out;
}

export interface ConfigLine {
  key: string;
  value: string;
}

/**
 * sshd_config lines before the first `Match` (what applies to every connection). Keywords are
 * case-insensitive, `key value` or `key=value`; the first value obtained wins, as in sshd.
 */
export function parseSshdConfigLines(text: string): { lines: ConfigLine[]; sawMatch: boolean } {
  const lines: ConfigLine[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (!m) continue;
    const key = (m[1] as string).toLowerCase();
    if (key === 'match') return { lines, sawMatch: true };
    lines.push({ key, value: (m[2] as string).replace(/^"(.*)"$/, '$1').trim() });
  }
  return { lines, sawMatch: false };
}

/** sshd time format: `120`, `2m`, `1h30m`, `1w` → seconds */
export function parseSshdTime(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (/^\d{1,15}$/.test(t)) return Number(t);
  const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  let total = 0;
  let rest = t;
  while (rest.length > 0) {
    // a number without a unit counts as seconds, also after other units (`1h30`, as sshd's convtime)
    const m = /^(\d+)([smhdw]|$)/.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * (units[m[2] || 's'] as number);
    rest = rest.slice(m[0].length);
  }
  return t.length > 0 && Number.isSafeInteger(total) ? total : undefined;
}

/** `10:30:100` or `10` → start:rate:full */
export function parseMaxStartups(text: string): { start: number; rate: number; full: number } | undefined {
  const raw = text.trim().split(':');
  if (raw.some((p) => !/^\d{1,9}$/.test(p))) return undefined;
  const parts = raw.map(Number);
  const [start, rate, full] = parts as [number, number?, number?];
  if (rate === undefined) return { start, rate: 100, full: start };
  return { start, rate, full: full ?? start };
}

/** the `-f <file>` of a listener's argv or title, if any */
export function configFileOf(command: string): string | undefined {
  const m = /(?:^|\s)-f\s*(\S+)/.exec(command.replace(/\s\[listener\].*$/, ''));
  return m?.[1];
}
