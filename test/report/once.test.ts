// --once prints plain text without loading Ink where that text is certain to be what Ink and
// ink-table draw (src/report/once.ts). Ink's own rendering (once-ink.tsx) is the oracle: over
// every captured tree and the fake model, at several widths, and over models whose strings are
// thrown at it at random (any Unicode, any length), formatOnce must print exactly Ink's text, and
// the plain path must really be taken for ordinary ASCII tables.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../src/model/sessions.js';
import type { Model, Session } from '../../src/model/types.js';
import { ProcReader } from '../../src/proc/reader.js';
import { formatOnceInk } from '../../src/report/once-ink.js';
import { formatOnce, plainOnce } from '../../src/report/once.js';
import { fakeModel } from '../support/fake-model.js';
import { FIXTURES, materialiseFixtures } from '../support/fixtures.js';
import { join } from 'node:path';

const built = materialiseFixtures();
afterAll(() => built.dispose());

function fixtureModel(name: string): Model {
  const dir = built.layout(name);
  const reader = new ProcReader({ procRoot: dir.proc, devRoot: dir.dev, passwdPath: dir.passwd });
  try {
    return buildModel(reader.read(), { idleSeconds: 600, selfPid: -1 });
  } finally {
    reader.close();
  }
}

/** the capture with leftovers (apart from the daemon layouts): its own table per ended login */
function leftoversModel(): Model {
  const root = join(FIXTURES, 'leftovers', 'openssh-9.2p1');
  const reader = new ProcReader({ procRoot: join(root, 'proc'), devRoot: join(root, 'dev'), passwdPath: join(root, 'passwd') });
  try {
    return buildModel(reader.read(), { idleSeconds: 600, selfPid: -1 });
  } finally {
    reader.close();
  }
}

const models: [string, Model][] = [
  ...built.names.map((n): [string, Model] => [n, fixtureModel(n)]),
  ['leftovers/openssh-9.2p1', leftoversModel()],
  ['fake', fakeModel({ selfPid: 402, dave: true, secondListener: true })],
  ['fake, no sessions', { ...fakeModel(), sessions: [] }],
  ['fake, nothing at all', { ...fakeModel(), sessions: [], listeners: [], notices: ['no /proc: ps-list gave what it could'] }],
];

describe('--once as plain text', () => {
  it.each(models)('%s: the same text as Ink draws, at every width', async (_name, model) => {
    for (const columns of [40, 90, 120, 200, 1000]) expect(await formatOnce(model, { color: false, columns })).toBe(formatOnceInk(model, { color: false, columns }));
    expect(await formatOnce(model, { color: true, columns: 200 })).toBe(formatOnceInk(model, { color: true, columns: 200 }));
  });

  it('is taken for ordinary tables: every captured tree at 200 columns needs no Ink', () => {
    for (const [name, model] of models) expect(plainOnce(model, { color: false, columns: 200 }), name).toBeDefined();
  });

  it('leaves colour, narrow terminals and wide characters to Ink', () => {
    const model = fakeModel({ selfPid: 402 });
    expect(plainOnce(model, { color: true, columns: 200 })).toBeUndefined();
    expect(plainOnce(model, { color: false, columns: 40 })).toBeUndefined();
    const wide = { ...model, sessions: model.sessions.map((s) => ({ ...s, command: 'vim 日本語.txt' })) };
    expect(plainOnce(wide, { color: false, columns: 200 })).toBeUndefined();
  });

  it('matches Ink at the edges: a line exactly as wide as the terminal or one wider, trailing spaces, a rule-like notice, empty cells', async () => {
    const base = fakeModel({ selfPid: 402, dave: true });
    const model: Model = {
      ...base,
      notices: ['├ looks like a rule', 'ends in spaces   '],
      listeners: base.listeners.map((l) => ({ ...l, command: `${l.command}   ` })),
      sessions: base.sessions.map((s, i) => (i === 0 ? { ...s, user: '', command: '' } : s)),
    };
    const widest = Math.max(...(plainOnce(model, { color: false, columns: 1000 }) ?? '').split('\n').map((l) => l.length));
    for (const columns of [widest - 1, widest, widest + 1]) {
      expect(await formatOnce(model, { color: false, columns })).toBe(formatOnceInk(model, { color: false, columns }));
    }
    expect(plainOnce(model, { color: false, columns: widest })).toBeDefined();
    expect(plainOnce(model, { color: false, columns: widest - 1 })).toBeUndefined();
  });

  it('matches Ink for any strings in any field, at any width', async () => {
    const base = fakeModel({ selfPid: 402, dave: true, secondListener: true });
    const text = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'grapheme', maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 }));
    const ascii = fc.string({ unit: fc.constantFrom(...' abcdefghijklmnopqrstuvwxyz0123456789-_./:@[],*├┌│'.split('')), maxLength: 80 });
    const field = fc.oneof(text, ascii);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ user: field, command: field, remoteHost: field, tty: field }), { minLength: base.sessions.length, maxLength: base.sessions.length }),
        fc.array(field, { maxLength: 3 }),
        field,
        fc.integer({ min: 20, max: 260 }),
        async (cells, notices, listenerCommand, columns) => {
          const sessions: Session[] = base.sessions.map((s, i) => {
            const c = cells[i] as { user: string; command: string; remoteHost: string; tty: string };
            return { ...s, user: c.user, command: c.command, remote: null, remoteHost: c.remoteHost, ttys: c.tty === '' ? [] : [c.tty] };
          });
          const listeners = base.listeners.map((l, i) => (i === 0 ? { ...l, command: listenerCommand } : l));
          const model: Model = { ...base, sessions, listeners, notices: [...new Set(notices)] };
          expect(await formatOnce(model, { color: false, columns })).toBe(formatOnceInk(model, { color: false, columns }));
        },
      ),
      { numRuns: 60 },
    );
  });
});
