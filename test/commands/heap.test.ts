// The live screen's periodic full collection: its cadence and its stop under Bun and under Node,
// and, on this Node, that it really runs V8's mark-compact (what the peak memory rests on).
import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { collectNowAndThen, v8FullGc } from '../../src/commands/heap.js';
import { sleep, waitFor } from '../support/wait.js';

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

  it("under Node, V8's full collection every 30 s until stopped", () => {
    vi.useFakeTimers();
    const gc = vi.fn();
    const stop = collectNowAndThen({ v8FullGc: () => gc });
    vi.advanceTimersByTime(29_999);
    expect(gc).not.toHaveBeenCalled();
    vi.advanceTimersByTime(60_001);
    expect(gc.mock.calls).toEqual([[], [], []]);
    stop();
    vi.advanceTimersByTime(120_000);
    expect(gc).toHaveBeenCalledTimes(3);
  });

  it('a runtime with neither: no timer at all', () => {
    vi.useFakeTimers();
    const stop = collectNowAndThen({});
    expect(vi.getTimerCount()).toBe(0);
    stop();
  });
});

describe("V8's full collection on this Node", () => {
  /** forced mark-compacts seen by a gc observer (a forced one is a `gc()` call, never V8's own) */
  function forcedMajors(): { count: () => number; stop: () => void } {
    let n = 0;
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind: number; flags: number } })[]) {
        if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR && (e.detail.flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) !== 0) n++;
      }
    });
    observer.observe({ entryTypes: ['gc'] });
    return { count: () => n, stop: () => observer.disconnect() };
  }

  it('is handed out without --expose-gc, and leaves the global scope without gc', () => {
    const gc = v8FullGc();
    expect(typeof gc).toBe('function');
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });

  it('the default runtime runs forced mark-compacts on the cadence, and none once stopped', async () => {
    const seen = forcedMajors();
    try {
      const stop = collectNowAndThen(undefined, 20);
      await waitFor('three forced mark-compacts', () => seen.count() >= 3, 10_000, 10);
      stop();
      // an observer reports after the collection: let the last report of the running timer in
      await sleep(50);
      const atStop = seen.count();
      await sleep(200);
      expect(seen.count()).toBe(atStop);
    } finally {
      seen.stop();
    }
  });
});
