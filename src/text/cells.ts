// Cutting text to a terminal width. Pure; a leaf anyone may import.

/** terminal cells of one character, never fewer than Ink or a terminal gives it: the narrow
 *  non-ASCII characters sshtop draws itself count 1, every other non-ASCII character 2 */
function cellsOf(c: number): number {
  if (c >= 0x20 && c < 0x7f) return 1;
  if ((c >= 0xa0 && c <= 0x2ff) || (c >= 0x2500 && c <= 0x257f) || c === 0x2026 || c === 0x2192 || c === 0x25b2 || c === 0xfffd) return 1;
  return 2;
}

/**
 * At most `width` terminal cells of text, `…` marking a cut. Ink's own truncation (slice-ansi)
 * keeps a double-width character that straddles the edge, one cell too many: the terminal then
 * wraps and the whole screen scrolls by a line. Strings from /proc can carry such characters.
 */
export function fitCells(text: string, width: number): string {
  if (width <= 0) return '';
  // one pass by code point, nothing allocated for text that fits (every table row, every poll)
  let total = 0;
  /** where a cut goes: before the first character that no longer fits beside the `…` */
  let cut = -1;
  for (let i = 0; i < text.length; ) {
    const c = text.codePointAt(i) as number;
    const w = cellsOf(c);
    if (cut < 0 && total + w > width - 1) cut = i;
    total += w;
    if (total > width) return text.slice(0, cut) + '…';
    i += c > 0xffff ? 2 : 1;
  }
  return text;
}

export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...text];
  return chars.length <= width ? text : chars.slice(0, Math.max(0, width - 1)).join('') + '…';
}
