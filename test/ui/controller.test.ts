// The UI's state machine, without Ink: a key (or a chunk of them) in, the next state and the
// effects out, per mode. The App only runs the effects; the Ink tests cover that wiring.
import { describe, expect, it } from 'vitest';
import type { Model, Session } from '../../src/model/types.js';
import type { Pinned } from '../../src/act/signal.js';
import type { StoreState } from '../../src/store/poll-store.js';
import { afterSend, openMenu, step, type Effect, type View } from '../../src/ui/controller.js';
import { splitKeys } from '../../src/ui/keys.js';
import { initialState, select, settleSelection, toggleTag, type Dialog, type UiState } from '../../src/ui/state.js';
import { sessionUsers, type Row } from '../../src/ui/view/rows.js';
import { screenOf } from '../../src/ui/view/screen.js';
import { fakeModel } from '../support/fake-model.js';

const SIZE = { columns: 140, rows: 30 };
const storeOf = (model: Model): StoreState => ({ model, error: null, paused: false, cpu: new Map(), polls: 1 });

function viewOf(s: UiState, model: Model, o: Partial<View> = {}): View {
  const { rows, selected } = screenOf(storeOf(model), s, SIZE);
  return { rows, selected, termRows: SIZE.rows, users: sessionUsers(model), model, readOnly: false, ...o };
}

/** keys as the terminal sends them, one step each; an open-menu effect pins with fake pins */
function press(s: UiState, keys: string, o: { model?: Model; view?: Partial<View> } = {}) {
  const model = o.model ?? fakeModel();
  const effects: Effect[] = [];
  for (const k of splitKeys(keys)) {
    const r = step(s, k, viewOf(s, model, o.view));
    effects.push(...r.effects);
    s = r.state;
    for (const e of r.effects) if (e.type === 'pin-and-open-menu') s = openMenu(s, e.targets.map((t) => ({ ...t, pins: t.targets.map((x) => ({ target: x, fd: 1 }) as Pinned) })));
  }
  return { s, effects, types: effects.map((e) => e.type), view: viewOf(s, model, o.view) };
}

const base = (o: Partial<UiState> = {}): UiState => ({ ...initialState({ sort: 'user' }), ...o });
const rowsOf = (s: UiState, model = fakeModel()) => screenOf(storeOf(model), s, SIZE).rows;
/** the state with the selection on the first row that matches */
function on(pred: (r: Row) => boolean, s = base(), model = fakeModel()): UiState {
  const rows = rowsOf(s, model);
  const i = rows.findIndex(pred);
  if (i < 0) throw new Error('no such row');
  return select(s, rows, i);
}
const sessionRow = (pid: number) => (r: Row) => r.kind === 'session' && r.pid === pid;
const selectedRow = (r: { s: UiState; view: View }) => r.view.rows[r.view.selected];
const ESC = '\u001b';
const UP = '\u001b[A';
const DOWN = '\u001b[B';

describe('main', () => {
  it.each([
    ['j', (f: number) => f + 1],
    [DOWN, (f: number) => f + 1],
    ['jjk', (f: number) => f + 1],
    ['G', (_f: number, last: number) => last],
    ['Gg', () => 0],
    // a page is the terminal's rows less 8
    ['\u001b[6~', (f: number, last: number) => Math.min(last, f + 22)],
    ['\u001b[6~\u001b[5~', (f: number, last: number) => Math.max(0, Math.min(last, f + 22) - 22)],
  ])('%j moves the selection', (keys, where) => {
    const start = settleSelection(base(), rowsOf(base()));
    const rows = rowsOf(start);
    const r = press(start, keys);
    expect(r.view.selected).toBe(where(start.selectedIndex, rows.length - 1));
    expect(r.s.selectedKey).toBe(rows[r.view.selected]?.key);
    expect(r.effects).toEqual([]);
  });

  it('keys are identities: the selection follows the key, the last index when it is gone', () => {
    const s = on(sessionRow(300));
    const reversed = { ...fakeModel(), sessions: [...fakeModel().sessions].reverse() };
    expect(selectedRow(press(s, '', { model: reversed }))?.pid).toBe(300);
    const gone = { ...fakeModel(), sessions: fakeModel().sessions.filter((x) => x.pid !== 300) };
    expect(viewOf(s, gone).selected).toBe(s.selectedIndex);
  });

  it.each([
    ['p', 'pause'],
    ['Z', 'pause'],
    ['q', 'quit'],
    ['\u001b[21~', 'quit'],
    ['\u0003', 'quit'],
  ])('%j is the effect %s, the state unchanged', (key, effect) => {
    const s = base();
    const r = press(s, key);
    expect(r.types).toEqual([effect]);
    expect(r.s).toBe(s);
  });

  it.each([
    ['?', 'help'],
    ['\u001bOP', 'help'],
    ['\\', 'filter'],
    ['\u001b[14~', 'filter'],
    ['/', 'search'],
    ['u', 'user-picker'],
    ['\u001b[17~', 'sort-picker'],
    ['\r', 'detail'],
    ['\u001b[C', 'detail'],
  ])('%j opens %s', (key, mode) => {
    expect(press(base({ status: 'old' }), key).s).toMatchObject({ mode, status: null });
  });

  it('Esc clears the filter and the search; / starts a new search; F3 without one opens the prompt', () => {
    expect(press(base({ filter: 'bob', search: 'x' }), ESC).s).toMatchObject({ filter: '', search: '', refiltered: true, mode: 'main' });
    expect(press(base({ search: 'old' }), '/').s).toMatchObject({ mode: 'search', search: '' });
    expect(press(base(), '\u001bOR').s.mode).toBe('search');
  });

  it('F6 opens the sort picker on the current column; < > step and I inverts', () => {
    expect(press(base({ sort: 'idle' }), '\u001b[17~').s.picker).toBeGreaterThan(0);
    expect(press(base(), '>').s.sort).toBe('tty');
    expect(press(base(), '><').s.sort).toBe('user');
    expect(press(base(), 'II').s.inverted).toBe(false);
    expect(press(base(), 't').s.view).toBe('flat');
  });

  it('Space tags the row and moves on; U untags all; c collapses the owner by identity', () => {
    const r = press(on(sessionRow(200)), ' ');
    expect([...r.s.tagged]).toEqual([rowsOf(base()).find(sessionRow(200))?.key]);
    expect(r.s.selectedIndex).toBe(on(sessionRow(200)).selectedIndex + 1);
    expect(press(r.s, 'U').s.tagged.size).toBe(0);
    const c = press(on((x) => x.kind === 'process' && x.pid === 203), 'c');
    const alice = fakeModel().sessions.find((x) => x.pid === 200) as Session;
    expect([...c.s.collapsed]).toEqual([`s:200:${alice.startTicks}`]);
  });

  it('Enter on an empty list stays on the list', () => {
    const empty = { ...fakeModel(), sessions: [], listeners: [] };
    expect(press(base(), '\r', { model: empty }).s.mode).toBe('main');
  });
});

describe('signal menu', () => {
  it.each(['x', 'K', '\u001b[20~'])('%j pins the selected session and opens the menu', (key) => {
    const r = press(on(sessionRow(200)), key);
    expect(r.types).toEqual(['pin-and-open-menu']);
    const [e] = r.effects as [Extract<Effect, { type: 'pin-and-open-menu' }>];
    // every process of the session, the user's deepest first, the connection process last
    expect(e.targets.map((t) => [t.targets.map((x) => x.pid), t.kind, t.needsYes])).toEqual([[[203, 202, 201, 200], 'session', false]]);
    expect(e.targets[0]?.text).toBe('End alice@pts/1 from 203.0.113.7 (4 processes: bash, vim)');
    expect(r.s).toMatchObject({ mode: 'dialog', dialog: { stage: 'menu', signal: 'TERM', choice: 0 } });
  });

  it.each([
    ['the own session', sessionRow(500), 'This ends YOUR OWN connection.'],
    ['its login shell', (r: Row) => r.kind === 'process' && r.pid === 502, 'This ends YOUR OWN connection.'],
    ['sshtop itself', (r: Row) => r.kind === 'process' && r.pid === 990, 'This ends sshtop itself.'],
    ['a listener', (r: Row) => r.kind === 'listener', 'This is a LISTENER: ending it stops new logins.'],
  ])('%s needs yes typed', (_what, pred, why) => {
    const [e] = press(on(pred), 'x').effects as [Extract<Effect, { type: 'pin-and-open-menu' }>];
    expect(e.targets.map((t) => [t.needsYes, t.why])).toEqual([[true, why]]);
  });

  it('watch mode (or no Signaller): no signal key does anything', () => {
    for (const key of ['x', 'K', '\u001b[20~']) {
      const s = on(sessionRow(200));
      const r = press(s, `${key}y`, { view: { readOnly: true } });
      expect(r.effects).toEqual([]);
      expect(r.s.mode).toBe('main');
      expect(r.s.dialog).toBeNull();
    }
  });

  it('tagged rows are the targets; tags of ended processes clear with a status and pin nothing', () => {
    const tagged = press(on(sessionRow(300), toggleTag(base(), rowsOf(base()).find(sessionRow(200))?.key as string)), 'x');
    const [e] = tagged.effects as [Extract<Effect, { type: 'pin-and-open-menu' }>];
    // the tags, not the selected row
    expect(e.targets.map((t) => t.targets.at(-1)?.pid)).toEqual([200]);
    const ended = press(on(sessionRow(300), toggleTag(base(), 's:200:1')), 'x');
    expect(ended.effects).toEqual([]);
    expect(ended.s).toMatchObject({ mode: 'main', status: 'the tagged rows have ended: nothing to signal (tags cleared)' });
    expect(ended.s.tagged.size).toBe(0);
  });

  it('a partial session is refused by name; a row with nothing to signal says so', () => {
    const partial = { ...(fakeModel().sessions[0] as Session), partial: true };
    const row: Row = { key: 's:200:1', kind: 'session', pid: 200, depth: 1, cells: { pid: '200', user: 'alice', tty: '', from: '', login: '', idle: '', cpu: '', state: '', command: '' }, session: partial, owner: partial };
    const r = press(base(), 'x', { view: { rows: [row], selected: 0 } });
    expect(r.effects).toEqual([]);
    expect(r.s.status).toMatch(/^nothing sent: the sshd of alice@pts\/1 .* is hidden by hidepid/);
    const group: Row = { ...row, key: 'g:1', kind: 'group', session: undefined, owner: undefined };
    expect(press(base(), 'x', { view: { rows: [group], selected: 0 } }).s.status).toBe('nothing to signal on this row');
  });
});

describe('filter and search prompts', () => {
  it('typing filters; the selection lands on the first matching session, not on a listener', () => {
    const model = fakeModel({ dave: true, secondListener: true });
    const s = on((r) => r.kind === 'listener' && r.pid === 100, base(), model);
    const r = press(s, '\\dave', { model });
    expect(r.s).toMatchObject({ mode: 'filter', filter: 'dave', refiltered: true });
    expect(selectedRow(r)).toMatchObject({ kind: 'session', pid: 700 });
    // once settled (the App does this at render), the selection stays where the user puts it
    const settled = settleSelection(r.s, r.view.rows);
    expect(settled).toMatchObject({ refiltered: false, selectedKey: selectedRow(r)?.key });
    expect(settleSelection(settled, r.view.rows)).toBe(settled);
  });

  it('Backspace erases, Enter keeps, Esc clears and leaves', () => {
    expect(press(base(), '\\bobx\u007f').s.filter).toBe('bob');
    expect(press(base(), '\\bob\r').s).toMatchObject({ mode: 'main', filter: 'bob' });
    expect(press(base(), '\\bob\u001b').s).toMatchObject({ mode: 'main', filter: '' });
    expect(press(base(), '\\a b').s.filter).toBe('a b');
  });

  it('search jumps while typing, F3 goes to the next match, no match says so', () => {
    const r = press(base(), '/pts/2');
    expect(selectedRow(r)).toMatchObject({ kind: 'session', pid: 300 });
    expect(r.s.search).toBe('pts/2');
    const next = press(r.s, '\u001bOR');
    expect(selectedRow(next)?.pid).not.toBe(300);
    const none = press(base(), '/zzz\r');
    expect(none.s).toMatchObject({ mode: 'main', status: 'no match for "zzz"' });
    // F3 in the list goes on from the selection too
    expect(selectedRow(press(r.s, '\r\u001bOR'))?.pid).toBe(selectedRow(next)?.pid);
  });
});

describe('pickers', () => {
  it('j k ↑ ↓ move within the items, Enter picks a user, Esc goes back', () => {
    const users = sessionUsers(fakeModel());
    expect(press(base(), 'ukkk').s.picker).toBe(0);
    expect(press(base(), `u${'j'.repeat(20)}`).s.picker).toBe(users.length);
    const r = press(base(), `u${DOWN}${DOWN}${UP}j\r`);
    expect(r.s).toMatchObject({ mode: 'main', user: users[1], refiltered: true });
    expect(press(base({ user: 'bob' }), 'u\r').s.user).toBeUndefined();
    expect(press(base(), 'uj\u001b').s).toMatchObject({ mode: 'main', user: undefined, picker: 0 });
  });

  it('the sort picker sets the column', () => {
    expect(press(base(), '\u001b[17~j\r').s).toMatchObject({ mode: 'main', sort: 'tty' });
  });
});

describe('dialog', () => {
  const menu = (pred = sessionRow(200)) => press(on(pred), 'x').s;
  const dialogOf = (s: UiState) => s.dialog as Dialog;

  it('menu: ↓ ↑ choose, Enter takes the choice, a digit picks directly', () => {
    expect(dialogOf(press(menu(), `${DOWN}${DOWN}${UP}`).s).choice).toBe(1);
    expect(dialogOf(press(menu(), `${DOWN}\r`).s)).toMatchObject({ stage: 'confirm', signal: 'HUP' });
    expect(dialogOf(press(menu(), '4').s)).toMatchObject({ stage: 'confirm', signal: 'KILL' });
    expect(dialogOf(press(menu(), '9').s).stage).toBe('menu');
    expect(dialogOf(press(menu(), UP).s).choice).toBe(0);
  });

  it.each([ESC, '\u0003'])('%j in the menu cancels and releases the pins', (key) => {
    const s = menu();
    const r = press(s, key);
    expect(r.effects).toEqual([{ type: 'release', dialog: s.dialog }]);
    expect(r.s).toMatchObject({ mode: 'main', dialog: null, status: 'cancelled: nothing sent' });
  });

  it('[y/N]: y or Y sends; anything else cancels', () => {
    for (const y of ['y', 'Y']) {
      const s = press(menu(), '\r').s;
      const r = press(s, y);
      expect(r.effects).toEqual([{ type: 'send', dialog: s.dialog }]);
      expect(r.s).toMatchObject({ mode: 'main', dialog: null });
    }
    for (const no of ['N', '\r', ESC, 'x', DOWN]) {
      const r = press(press(menu(), '\r').s, no);
      expect(r.types).toEqual(['release']);
      expect(r.s.status).toBe('cancelled: nothing sent');
    }
  });

  it('the own session: a bare y is not enough, the word yes is', () => {
    const s = press(menu(sessionRow(500)), '\r').s;
    const bare = press(s, 'y\r');
    expect(bare.types).toEqual(['release']);
    expect(bare.s.status).toBe('not confirmed (type yes): nothing sent');
    const yes = press(s, 'yex\u007fs\r');
    expect(yes.types).toEqual(['send']);
    expect(dialogOf(press(s, 'yesyesyesyes').s).typed).toBe('yesyesye');
    expect(press(s, ESC).s.status).toBe('cancelled: nothing sent');
  });

  it('after sending: tags cleared, the result in the status line', () => {
    const s = toggleTag(base(), 'p:1:1');
    const one = afterSend(s, [{ pid: 1, signal: 'TERM', outcome: 'sent', message: 'sent SIGTERM to x' }]);
    expect(one).toMatchObject({ status: 'sent SIGTERM to x' });
    expect(one.tagged.size).toBe(0);
    const two = afterSend(s, [
      { pid: 1, signal: 'TERM', outcome: 'sent', message: 'sent', auditWarning: 'audit log unwritable' },
      { pid: 2, signal: 'TERM', outcome: 'gone', message: 'pid 2 is gone' },
    ]);
    // a process that went before its turn (with its parent) is counted, not named
    expect(two.status).toBe('1 of 2 processes signalled; audit log unwritable; 1 had already exited');
  });

  it('watch mode: even an open dialog sends nothing', () => {
    const s = press(menu(), '\r').s;
    expect(press(s, 'y', { view: { readOnly: true } }).effects).toEqual([]);
  });
});

describe('detail and help', () => {
  it.each([ESC, '\u001b[D', '\r', 'q'])('%j leaves the detail pane', (key) => {
    expect(press(base({ mode: 'detail' }), key).s.mode).toBe('main');
  });

  it('other keys stay in the detail pane; any key leaves help', () => {
    expect(press(base({ mode: 'detail' }), 'j').s.mode).toBe('detail');
    for (const key of ['x', ESC, '\u001b[20~', 'q']) {
      const r = press(base({ mode: 'help' }), key);
      expect(r.s.mode).toBe('main');
      expect(r.effects).toEqual([]);
    }
  });
});
