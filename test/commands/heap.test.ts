// The live screen's full collections: their cadence and stop under Bun and under Node, Node's
// leaving V8 be while it collects by itself, and, on this Node, that the default runtime really
// runs V8's mark-compact (what the peak memory rests on) and tells V8's own from forced ones.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { collectNowAndThen, markCompacts, v8Collector, v8FullGc, type V8Collector } from '../../src/commands/heap.js';
import { sleep, waitFor } from '../support/wait.js';

afterEach(() => {
  vi.useRealTimers();
});

/** a V8 whose own mark-compacts the test sets */
function fakeV8(): V8Collector & { own: number; stopped: boolean; gc: ReturnType<typeof vi.fn> } {
  const v8 = { own: 0, stopped: false, gc: vi.fn(), ownMarkCompacts: () => v8.own, stop: () => void (v8.stopped = true) };
  return v8;
}

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
    const v8 = fakeV8();
    const stop = collectNowAndThen({ v8: () => v8 });
    vi.advanceTimersByTime(29_999);
    expect(v8.gc).not.toHaveBeenCalled();
    vi.advanceTimersByTime(60_001);
    expect(v8.gc.mock.calls).toEqual([[], [], []]);
    stop();
    expect(v8.stopped).toBe(true);
    vi.advanceTimersByTime(120_000);
    expect(v8.gc).toHaveBeenCalledTimes(3);
  });

  it('under Node, none in a stretch where V8 ran a mark-compact of its own', () => {
    vi.useFakeTimers();
    const v8 = fakeV8();
    const stop = collectNowAndThen({ v8: () => v8 });
    v8.own = 1;
    vi.advanceTimersByTime(30_000);
    expect(v8.gc).not.toHaveBeenCalled();
    // a quiet stretch after it: collected again
    vi.advanceTimersByTime(30_000);
    expect(v8.gc).toHaveBeenCalledTimes(1);
    v8.own = 3;
    vi.advanceTimersByTime(30_000);
    expect(v8.gc).toHaveBeenCalledTimes(1);
    stop();
  });

  it('a runtime with neither: no timer at all', () => {
    vi.useFakeTimers();
    const stop = collectNowAndThen({});
    expect(vi.getTimerCount()).toBe(0);
    stop();
  });
});

describe("V8's full collection on this Node", () => {
  it('is handed out without --expose-gc, and leaves the global scope without gc', () => {
    const gc = v8FullGc();
    expect(typeof gc).toBe('function');
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });

  it("counts V8's own mark-compacts, not forced ones", async () => {
    const v8 = v8Collector();
    const forced = markCompacts(true);
    try {
      v8.gc();
      await waitFor('the forced mark-compact reported', () => forced.count() >= 1, 5_000, 10);
      expect(v8.ownMarkCompacts()).toBe(0);
      // keep allocating what stays alive until V8 marks and compacts by itself
      const kept: number[][] = [];
      await waitFor("a mark-compact of V8's own", async () => {
        for (let i = 0; i < 16; i++) kept.push(Array.from({ length: 16_384 }, (_, j) => j + 0.5));
        await sleep(0);
        return v8.ownMarkCompacts() > 0;
      }, 20_000, 0);
      // (what was kept stays referenced until here)
      expect(kept.length).toBeGreaterThan(0);
    } finally {
      v8.stop();
      forced.stop();
    }
  });

  it('the default runtime runs forced mark-compacts on the cadence, and none once stopped', async () => {
    const seen = markCompacts(true);
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
