// The executable's periodic full collection (Bun only): its cadence, its stop, and none under Node.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { collectNowAndThen } from '../../src/commands/heap.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('collectNowAndThen', () => {
  it('under Bun, a full collection every 10 s until stopped', () => {
    vi.useFakeTimers();
    const gc = vi.fn();
    const stop = collectNowAndThen({ Bun: { gc } });
    vi.advanceTimersByTime(9_999);
    expect(gc).not.toHaveBeenCalled();
    vi.advanceTimersByTime(20_001);
    expect(gc.mock.calls).toEqual([[true], [true], [true]]);
    stop();
    vi.advanceTimersByTime(60_000);
    expect(gc).toHaveBeenCalledTimes(3);
  });

  it('without Bun (Node, the npm package), no timer at all', () => {
    vi.useFakeTimers();
    const stop = collectNowAndThen({});
    expect(vi.getTimerCount()).toBe(0);
    stop();
  });
});
