// One grouping for the screen and --once: every listener, then hidden, mosh, leftovers and the
// sessions with no listener; each session in exactly one group, the first that takes it.
import { describe, expect, it } from 'vitest';
import { groupSessions, NO_LISTENER_GROUP_TITLE } from '../../src/model/session-groups.js';
import type { Model, Session } from '../../src/model/types.js';
import { groupByListener } from '../../src/report/once-rows.js';
import { toRows } from '../../src/ui/view/rows.js';
import { fakeModel } from '../support/fake-model.js';

describe('groupSessions', () => {
  const model = fakeModel({ secondListener: true });
  const [base] = model.sessions as [Session];
  const listenerPid = model.listeners[0]?.pid as number;
  const variant = (pid: number, o: Partial<Session>): Session => ({ ...base, pid, ...o });
  const sessions: Session[] = [
    ...model.sessions,
    // partial and under a listener it names: the listener takes it first
    variant(901, { partial: true, listenerPid }),
    variant(902, { partial: true, listenerPid: null }),
    variant(903, { kind: 'mosh', listenerPid: null }),
    variant(904, { kind: 'leftover', listenerPid: null }),
    // a listener sshtop does not show (gone, or restarted): no listener
    variant(905, { listenerPid: 99999 }),
    variant(906, { listenerPid: null }),
  ];
  const groups = groupSessions(model.listeners, sessions);

  it('every listener first, in order, even without sessions; then hidden, mosh, leftover, none', () => {
    expect(groups.map((g) => (g.kind === 'listener' ? `listener ${g.listener.pid}` : g.kind))).toEqual([
      ...model.listeners.map((l) => `listener ${l.pid}`),
      'hidden',
      'mosh',
      'leftover',
      'none',
    ]);
    const byKind = (k: string) => groups.find((g) => g.kind === k)?.sessions.map((s) => s.pid);
    expect(byKind('hidden')).toEqual([902]);
    expect(byKind('mosh')).toEqual([903]);
    expect(byKind('leftover')).toEqual([904]);
    expect(byKind('none')).toEqual([905, 906]);
    expect(groups.find((g) => g.kind === 'listener' && g.listener.pid === listenerPid)?.sessions.map((s) => s.pid)).toContain(901);
  });

  it('each session exactly once', () => {
    const placed = groups.flatMap((g) => g.sessions.map((s) => s.pid));
    expect([...placed].sort()).toEqual(sessions.map((s) => s.pid).sort());
  });

  it('the screen and --once show the same groups in the same order', () => {
    const m: Model = { ...model, sessions };
    const once = groupByListener(m).map((g) => g.sessions.map((s) => s.pid));
    const screen: number[][] = [];
    for (const r of toRows(m, { view: 'tree', filter: '', user: undefined, idleOnly: false, sort: 'login', inverted: false, collapsed: new Set(), cpu: new Map() })) {
      if (r.kind === 'listener' || r.kind === 'group') screen.push([]);
      else if (r.kind === 'session') screen.at(-1)?.push(r.pid as number);
    }
    expect(screen.map((g) => [...g].sort())).toEqual(once.map((g) => [...g].sort()));
    expect(groupByListener(m).at(-1)?.title).toBe(NO_LISTENER_GROUP_TITLE);
  });
});
