// Display text of the session columns: idle in whole minutes on 10-second marks, login time.
import { describe, expect, it } from 'vitest';
import { formatIdle, formatLogin } from '../../src/model/columns.js';
import type { Session } from '../../src/model/types.js';

const idle = (idleSeconds: number | null) => ({ idleSeconds }) as Session;
// a 10-second mark: 2026-11-24 12:00:00 UTC
const MARK = Date.UTC(2026, 10, 24, 12, 0, 0);

describe('formatIdle', () => {
  it('shows whole minutes, hours with minutes, days with hours', () => {
    expect(formatIdle(idle(null), MARK)).toBe('-');
    expect(formatIdle(idle(0), MARK)).toBe('<1m');
    expect(formatIdle(idle(59), MARK)).toBe('<1m');
    expect(formatIdle(idle(60), MARK)).toBe('1m');
    expect(formatIdle(idle(89 * 60 + 59), MARK)).toBe('89m');
    expect(formatIdle(idle(2 * 3600 + 5 * 60), MARK)).toBe('2h05m');
    expect(formatIdle(idle(3 * 86400 + 4 * 3600), MARK)).toBe('3d4h');
  });

  it('grows only on the minute, whatever second each session crossed a minute at', () => {
    // sessions last active 60 s to 119 s before the minute mark
    for (let lastActive = 60; lastActive < 120; lastActive++) {
      const shown = new Set<string>();
      for (let t = 0; t < 60; t++) shown.add(formatIdle(idle(lastActive + t), MARK + t * 1000));
      expect([...shown], `last active ${lastActive}s before the mark`).toEqual(['1m']);
      expect(formatIdle(idle(lastActive + 60), MARK + 60_000)).toBe('2m');
    }
  });

  it('shows new activity at once, between minute marks', () => {
    expect(formatIdle(idle(7200 + 30), MARK + 30_000)).toBe('2h00m');
    expect(formatIdle(idle(2), MARK + 30_000)).toBe('<1m');
  });
});

describe('formatLogin', () => {
  it('HH:MM on the same day, Mon DD before', () => {
    const now = new Date(2026, 10, 24, 15, 30).getTime();
    expect(formatLogin(new Date(2026, 10, 24, 9, 5).getTime(), now)).toBe('09:05');
    expect(formatLogin(new Date(2026, 10, 23, 23, 59).getTime(), now)).toBe('Nov 23');
    expect(formatLogin(new Date(2025, 0, 2, 8, 0).getTime(), now)).toBe('Jan 02');
  });
});
