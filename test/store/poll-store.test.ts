import { describe, expect, it } from 'vitest';
import type { Model } from '../../src/model/types.js';
import { createPollStore } from '../../src/store/poll-store.js';
import { fakeModel } from '../support/fake-model.js';

function withTicks(ticks: number, state = 'S'): Model {
  const m = fakeModel();
  const s = m.sessions.find((x) => x.user === 'alice')!;
  const vim = s.processes[s.processes.length - 1]!;
  s.processes[s.processes.length - 1] = { ...vim, cpuTicks: ticks, state };
  return m;
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('polling store', () => {
  it('publishes one snapshot per poll, the same object between polls, with %CPU from deltas', async () => {
    let clock = 0;
    let n = 0;
    const store = createPollStore({ intervalMs: 10, now: () => clock, take: async () => withTicks(n++ * 50) });
    let seen = 0;
    store.subscribe(() => seen++);
    while (store.getSnapshot().polls < 3) {
      clock += 1000;
      await tick();
    }
    store.stop();
    const a = store.getSnapshot();
    expect(store.getSnapshot()).toBe(a);
    expect(seen).toBeGreaterThanOrEqual(3);
    const vim = a.model!.sessions.find((s) => s.user === 'alice')!.processes.at(-1)!;
    // 50 ticks of 100 Hz in about a second: about 50 %
    expect(a.cpu.get(`${vim.pid}:${vim.startTicks}`)).toBeGreaterThan(10);
  });

  it('a deferred store reads nothing until start(), whose promise is in once the first poll has published', async () => {
    let reads = 0;
    const store = createPollStore({ intervalMs: 5, deferStart: true, take: async () => (reads++, withTicks(1)) });
    await tick();
    await tick();
    expect(reads).toBe(0);
    expect(store.getSnapshot().model).toBeNull();
    const first = store.start();
    // a second start() is the same first poll, not another
    expect(store.start()).toBe(first);
    await first;
    // what the TUI draws first: the sessions, not an empty screen
    expect(store.getSnapshot().model).not.toBeNull();
    expect(store.getSnapshot().polls).toBe(1);
    while (store.getSnapshot().polls < 2) await tick();
    store.stop();
    expect(store.getSnapshot().model).not.toBeNull();
  });

  it('keeps the last good model and says why when a read fails', async () => {
    let fail = false;
    const store = createPollStore({ intervalMs: 5, take: async () => {
      if (fail) throw new Error('EIO reading /proc');
      return withTicks(1);
    } });
    while (store.getSnapshot().polls < 1) await tick();
    const good = store.getSnapshot().model;
    fail = true;
    while (store.getSnapshot().error === null) await tick();
    store.stop();
    expect(store.getSnapshot().model).toBe(good);
    expect(store.getSnapshot().error).toBe('EIO reading /proc');
  });

  it('paused: the snapshot stays frozen and nothing is read', async () => {
    let reads = 0;
    const store = createPollStore({ intervalMs: 5, take: async () => {
      reads++;
      return withTicks(reads);
    } });
    while (store.getSnapshot().polls < 1) await tick();
    store.setPaused(true);
    const frozen = store.getSnapshot();
    const before = reads;
    await new Promise((r) => setTimeout(r, 50));
    expect(store.getSnapshot()).toBe(frozen);
    expect(reads).toBeLessThanOrEqual(before + 1);
    store.setPaused(false);
    while (store.getSnapshot().polls === frozen.polls) await tick();
    store.stop();
    expect(store.getSnapshot().paused).toBe(false);
  });

  it('tracks since when a process is in D state, for the hung rule', async () => {
    const seen: ReadonlyMap<string, number>[] = [];
    const store = createPollStore({ intervalMs: 5, take: async (d) => {
      seen.push(new Map(d));
      return withTicks(1, 'D');
    } });
    while (seen.length < 3) await tick();
    store.stop();
    const last = seen.at(-1)!;
    expect(last.size).toBe(1);
    expect([...last.values()][0]).toBe([...seen[1]!.values()][0]);
  });
});
