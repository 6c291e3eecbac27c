// patches/ink+6.8.0.patch bounds Ink's text caches (ink#986): a live screen measures new strings
// every second (clock, idle times, CPU), and Ink 6.8 kept every one of them for good.
import { describe, expect, it } from 'vitest';
// not exported by Ink's package.json: imported by path, as the bundle sees it
import measureText from '../../node_modules/ink/build/measure-text.js';
import widestLine from 'widest-line';

describe("Ink's text measurement cache", () => {
  it('still caches a string measured again soon', () => {
    const first = measureText('sshtop cache probe a');
    expect(measureText('sshtop cache probe a')).toBe(first);
  });

  it('forgets old strings once many distinct ones were measured (it is bounded)', () => {
    const first = measureText('sshtop cache probe b');
    for (let i = 0; i < 10_000; i++) measureText(`row ${i} idle ${i % 90}s`);
    const again = measureText('sshtop cache probe b');
    expect(again).toEqual(first);
    // a new object: the entry was evicted, so the cache cannot grow without end
    expect(again).not.toBe(first);
  });

  it('measures narrow text (ASCII, box drawing, …) by length, exactly as string-width would', () => {
    for (const text of ['├─ alice pts/1', '│    └─ vim notes.txt…', 'a\nlonger line\nb', '日本 wide', 'é accent', 'tab\there', '\u001b[31mred\u001b[39m', ' ▲ sorted']) {
      expect(measureText(text).width, JSON.stringify(text)).toBe(widestLine(text));
    }
  });
});
