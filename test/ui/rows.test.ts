// Row keys are identities (pid and start time): tags, the selection and collapsed sessions never
// pass to the process that gets a pid next.
import { describe, expect, it } from 'vitest';
import type { Model, Session } from '../../src/model/types.js';
import { liveTags, processKey, sessionKey, toRows, type RowOptions } from '../../src/ui/view/rows.js';
import { initialState, toggleCollapse } from '../../src/ui/state.js';
import { fakeModel } from '../support/fake-model.js';

const opts = (o: Partial<RowOptions> = {}): RowOptions => ({ view: 'tree', filter: '', user: undefined, idleOnly: false, sort: 'user', inverted: false, collapsed: new Set(), cpu: new Map(), ...o });

/** alice's session (pid 200) ended and a new one got the same pids, later */
function reused(model: Model): Model {
  const shift = (s: Session): Session => ({ ...s, startTicks: s.startTicks + 7000, processes: s.processes.map((p) => ({ ...p, startTicks: p.startTicks + 7000 })) });
  return { ...model, sessions: model.sessions.map((s) => (s.pid === 200 ? shift(s) : s)) };
}

describe('row keys across pid reuse', () => {
  const before = fakeModel();
  const after = reused(before);
  const keysOf = (m: Model, pid: number) => toRows(m, opts()).filter((r) => r.pid === pid).map((r) => r.key);

  it.each([200, 201, 202, 203])('pid %i: the same pid with another start time is another key', (pid) => {
    const [old] = keysOf(before, pid);
    const [now] = keysOf(after, pid);
    expect(old).toBeDefined();
    expect(now).toBeDefined();
    expect(now).not.toBe(old);
  });

  it('every row key is unique and carries the start time', () => {
    const rows = toRows(before, opts());
    expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
    const alice = before.sessions.find((s) => s.pid === 200) as Session;
    expect(rows.find((r) => r.kind === 'session' && r.pid === 200)?.key).toBe(sessionKey(200, alice.startTicks));
    expect(rows.find((r) => r.kind === 'listener')?.key).toMatch(/^l:100:\d+$/);
  });

  it.each([
    ['tags of ended processes', (m: Model) => [sessionKey(200, (m.sessions.find((s) => s.pid === 200) as Session).startTicks)], fakeModel(), reused(fakeModel()), 0],
    ['a tag of a live session', (m: Model) => [sessionKey(300, (m.sessions.find((s) => s.pid === 300) as Session).startTicks)], fakeModel(), reused(fakeModel()), 1],
    ['a tag of a live process', (m: Model) => [processKey(302, (m.sessions.find((s) => s.pid === 300) as Session).processes[2]!.startTicks)], fakeModel(), fakeModel(), 1],
    ['a bare pid is never a tag', () => ['s:200', 'p:202'], fakeModel(), fakeModel(), 0],
  ])('liveTags: %s', (_what, tagsOf, tagged, now, count) => {
    expect(liveTags(now, new Set(tagsOf(tagged))).size).toBe(count);
  });

  it('a collapsed session is collapsed by identity: the reused pid shows its processes', () => {
    const alice = before.sessions.find((s) => s.pid === 200) as Session;
    const state = toggleCollapse(initialState({ sort: 'user' }), sessionKey(200, alice.startTicks));
    expect(keysOf(before, 201)).toHaveLength(1);
    expect(toRows(before, opts({ collapsed: state.collapsed })).some((r) => r.pid === 201)).toBe(false);
    expect(toRows(after, opts({ collapsed: state.collapsed })).some((r) => r.pid === 201)).toBe(true);
  });
});
