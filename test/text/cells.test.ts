// Cutting text to terminal cells: never a cell too many (a double-width character at the edge is
// dropped, not kept), `…` marking a cut. fitCells runs for every table row on every frame, so it
// scans once without splitting the string; this holds it to the rule as first written.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitCells } from '../../src/text/cells.js';

function cellsOf(c: number): number {
  if (c >= 0x20 && c < 0x7f) return 1;
  if ((c >= 0xa0 && c <= 0x2ff) || (c >= 0x2500 && c <= 0x257f) || c === 0x2026 || c === 0x2192 || c === 0x25b2 || c === 0xfffd) return 1;
  return 2;
}

/** the rule as first written: split into code points, measure, cut */
function fitPlain(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...text];
  let total = 0;
  for (const ch of chars) total += cellsOf(ch.codePointAt(0) as number);
  if (total <= width) return text;
  let out = '';
  let used = 0;
  for (const ch of chars) {
    const w = cellsOf(ch.codePointAt(0) as number);
    if (used + w > width - 1) break;
    out += ch;
    used += w;
  }
  return out + '…';
}

describe('fitCells', () => {
  it.each([
    ['fits', 'abc', 3, 'abc'],
    ['cut with …', 'abcdef', 4, 'abc…'],
    ['a wide character at the edge is dropped', 'ab漢字', 4, 'ab…'],
    ['a wide character that fits whole', 'a漢', 3, 'a漢'],
    ['an astral character is one character of two cells', 'a😀b', 3, 'a…'],
    ['width 1', 'ab', 1, '…'],
    ['width 0', 'ab', 0, ''],
    ['empty', '', 5, ''],
  ])('%s', (_what, text, width, want) => {
    expect(fitCells(text, width)).toBe(want);
  });

  it('equals the plain rule on random text: ASCII, box drawing, wide, astral, lone surrogates, controls', () => {
    const ch = fc.oneof(
      fc.constantFrom('a', ' ', '~', '…', '→', '─', '漢', '😀', '\ud800', '\udc00', '\u0007', '\u00e9', '\ufffd'),
      fc.integer({ min: 0, max: 0x10ffff }).map((c) => String.fromCodePoint(c)),
    );
    fc.assert(
      fc.property(fc.array(ch, { maxLength: 40 }), fc.integer({ min: -2, max: 50 }), (parts, width) => {
        const text = parts.join('');
        expect(fitCells(text, width)).toBe(fitPlain(text, width));
      }),
      { numRuns: 5000 },
    );
  });
});
