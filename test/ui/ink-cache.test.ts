// patches/ink+6.8.0.patch bounds Ink's text caches (ink#986): a live screen measures new strings
// every second (clock, idle times, CPU), and Ink 6.8 kept every one of them for good.
import { describe, expect, it } from 'vitest';
// not exported by Ink's package.json: imported by path, as the bundle sees it
import measureText from '../../node_modules/ink/build/measure-text.js';

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
});
