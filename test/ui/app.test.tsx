import { render } from 'ink-testing-library';
import { Profiler } from 'react';
import stringWidth from 'string-width';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../src/ui/App.js';
import { decodeKey, splitKeys } from '../../src/ui/keys.js';
import type { Model, Session, SessionProcess } from '../../src/model/types.js';
import { createStaticStore } from '../support/static-store.js';
import { fakeModel, fakeSignaller, fakeStore } from '../support/fake-model.js';
import { until } from '../support/wait.js';

const strip = (s: string | undefined) => (s ?? '').replace(/\u001b\[[0-9;]*m/g, '');

function setup(opts: { readOnly?: boolean; size?: { columns: number; rows: number }; signaller?: ReturnType<typeof fakeSignaller> | null; model?: Model } = {}) {
  const store = fakeStore(opts.model);
  const signaller = opts.signaller === null ? undefined : (opts.signaller ?? fakeSignaller());
  const app = render(
    <App store={store} signaller={opts.readOnly ? undefined : signaller} readOnly={opts.readOnly ?? false} host="web-1" color={false} sort="user" size={opts.size ?? { columns: 140, rows: 30 }} />,
  );
  const frame = () => strip(app.lastFrame());
  const press = async (keys: string, pred: (f: string) => boolean, what: string) => {
    app.stdin.write(keys);
    return until(app.lastFrame, pred, what);
  };
  const selectedLine = () => frame().split('\n').find((l) => l.startsWith('>')) ?? '';
  return { app, store, signaller, frame, press, selectedLine };
}

/** the line of a user's session row (process rows carry no address) */
const sessionOf = (user: string) => (l: string) => l.includes(` ${user} `) && l.includes('203.0.113.7');

/** type keys one at a time, each after the frame settled */
async function typeKeys(t: ReturnType<typeof setup>, keys: string[]) {
  for (const k of keys) {
    const before = t.frame();
    t.app.stdin.write(k);
    await until(t.app.lastFrame, (f) => f !== before, `a change after ${JSON.stringify(k)}`).catch(() => undefined);
  }
}

afterEach(() => vi.restoreAllMocks());

describe('screen', () => {
  it('shows header, listener, every session, own and idle markers as words and characters', async () => {
    const t = setup();
    const f = await until(t.app.lastFrame, (x) => x.includes('carol') && x.includes('F1 help'), 'sessions and live keys');
    expect(f).toContain('sshtop web-1');
    expect(f).toContain('listener 100: 1 of 10-100 startups');
    expect(f).toContain('* you are here: session 500');
    const line = (user: string) => f.split('\n').find((l) => l.includes(` ${user} `) && l.includes('203.0.113.7')) ?? '';
    expect(line('root')).toMatch(/^..\*/);
    expect(line('root')).toContain('own');
    expect(line('bob')).toMatch(/^..~/);
    expect(line('bob')).toContain('idle');
    expect(line('alice')).toContain('vim notes.txt');
    expect(f).toContain('preauth');
    expect(f).toContain('F9/x signal');
  });

  it('a status line with double-width text stays within the terminal', async () => {
    const t = setup({ size: { columns: 40, rows: 10 } });
    await until(t.app.lastFrame, (x) => x.includes('PID'), 'table');
    // a search that matches nothing echoes the (wide) text back in the status line
    await t.press('/', (x) => x.includes('search:'), 'search');
    // one write (a paste): each character is still a key of its own; the prompt is cut at 40 columns
    const text = '日本語の長い名前を探す検索語'.repeat(2);
    const prompt = await t.press(text, (x) => x.includes('search: 日本語の長い'), 'the typed search');
    for (const line of prompt.split('\n')) expect(stringWidth(line), line).toBeLessThanOrEqual(40);
    const f = await t.press('\r', (x) => x.includes('no match for "日本語の長い'), 'the status');
    for (const line of f.split('\n')) expect(stringWidth(line), line).toBeLessThanOrEqual(40);
  });

  it('fits 40x10 with the most important columns', async () => {
    const t = setup({ size: { columns: 40, rows: 10 } });
    const f = await until(t.app.lastFrame, (x) => x.includes('PID'), 'table');
    const lines = f.split('\n');
    expect(lines.length).toBeLessThanOrEqual(10);
    expect(lines.every((l) => [...l].length <= 40)).toBe(true);
    expect(f).toContain('USER');
    expect(f).not.toContain('FROM');
  });
});

describe('redrawing', () => {
  it('a poll that changes nothing visible is not rendered; one that does is', async () => {
    const errors = vi.spyOn(console, 'error');
    const store = fakeStore();
    let commits = 0;
    const app = render(
      <Profiler id="app" onRender={() => commits++}>
        <App store={store} readOnly={false} signaller={fakeSignaller()} host="web-1" color={false} sort="user" size={{ columns: 140, rows: 30 }} />
      </Profiler>,
    );
    await until(app.lastFrame, (x) => x.includes('carol') && x.includes('F1 help'), 'sessions');
    await new Promise((r) => setTimeout(r, 50));
    const settled = commits;
    // one second later every idle figure grew by a second: the screen shows minutes, so no frame
    for (let s = 1; s <= 3; s++) {
      store.set({ model: fakeModel({ secondsLater: s }), polls: 1 + s });
      await new Promise((r) => setTimeout(r, 30));
    }
    expect(commits).toBe(settled);
    // a new session appears: drawn
    store.set({ model: fakeModel({ secondsLater: 4, dave: true }), polls: 5 });
    await until(app.lastFrame, (x) => x.includes(' dave ') && x.includes('└─ -bash'), 'the new session');
    expect(commits).toBeGreaterThan(settled);
    // every row has a key of its own: no process is listed under two sessions
    expect(errors.mock.calls.filter((c) => String(c[0]).includes('same key'))).toEqual([]);
  });

  it("sshtop's own process shows no CPU figure and its helpers no rows", async () => {
    const model = fakeModel({ selfPid: 990 });
    const own = model.sessions.find((s) => s.pid === 500) as Session;
    const node = own.processes.find((p) => p.pid === 990) as SessionProcess;
    const ss: SessionProcess = { ...node, pid: 991, ppid: 990, depth: node.depth + 1, command: 'ss -tinHe state established', comm: 'ss' };
    own.processes.push(ss);
    const cpu = new Map([
      [`990:${node.startTicks}`, 3],
      [`991:${ss.startTicks}`, 2],
      [`502:${(own.processes.find((p) => p.pid === 502) as SessionProcess).startTicks}`, 1],
    ]);
    const store = createStaticStore({ model, error: null, paused: false, cpu, polls: 2 });
    const app = render(<App store={store} readOnly={true} host="web-1" color={false} sort="user" size={{ columns: 140, rows: 40 }} />);
    const f = await until(app.lastFrame, (x) => x.includes('node sshtop'), 'the own session expanded');
    expect(f).not.toContain('ss -tinHe');
    const line = (pred: (l: string) => boolean) => f.split('\n').find(pred) ?? '';
    // the session's CPU is its shell's 1 %, not sshtop's 3 % or ss's 2 %
    expect(line((l) => l.includes(' 500 ') && l.includes('203.0.113.7'))).toMatch(/ 1\.0 /);
    expect(line((l) => l.includes('node sshtop'))).not.toMatch(/\d\.\d/);
  });
});

describe('keys', () => {
  it('moves with j / arrows / G / g, and the selection follows the pid when rows move', async () => {
    const t = setup();
    await until(t.app.lastFrame, (x) => x.includes('carol') && x.includes('F1 help'), 'sessions');
    const first = t.selectedLine();
    await t.press('j', () => t.selectedLine() !== first, 'selection moved');
    await t.press('G', () => t.frame().split('\n').filter((l) => l.includes('203.0.113.7') || l.includes('└─')).pop()?.startsWith('>') === true, 'last row');
    await t.press('g', () => t.selectedLine().includes('listener'), 'first row');
    // select bob's session, then reorder the rows underneath: the selection stays on bob
    await t.press('/', (x) => x.includes('search:'), 'search prompt');
    await typeKeys(t, ['b', 'o', 'b']);
    await t.press('\r', () => t.selectedLine().includes(' bob ') && t.selectedLine().includes('203.0.113.7'), 'bob selected');
    t.store.set({ model: { ...fakeModel(), sessions: [...fakeModel().sessions].reverse() } });
    await t.press('t', (x) => !x.includes('listener 100  '), 'flat view');
    expect(t.selectedLine()).toContain(' bob ');
  });

  it('a filter, idle-only or user that leaves the selection on a listener selects the first matching session', async () => {
    const t = setup({ model: fakeModel({ dave: true, secondListener: true }) });
    await until(t.app.lastFrame, (x) => x.includes(' dave ') && x.includes('F1 help'), 'sessions');
    const listener100 = (l: string) => l.includes(' 100 ') && l.includes('listener');
    await t.press('g', () => listener100(t.selectedLine()), 'listener 100 selected');
    // dave's session is the one match, under the other listener (150)
    await t.press('\\', (x) => x.includes('filter:'), 'filter prompt');
    await t.press('dave', (x) => x.includes('filter: dave_') && !x.includes(' alice '), 'only dave');
    await until(t.app.lastFrame, () => sessionOf('dave')(t.selectedLine()), "dave's session selected");
    await t.press('\r', (x) => x.includes('filter "dave"'), 'filter kept');
    expect(t.selectedLine()).toSatisfy(sessionOf('dave'));
    // a listener chosen under an active filter stays chosen, and so it does when the filter is cleared
    await t.press('g', () => listener100(t.selectedLine()), 'listener 100 selected again');
    await t.press('\u001b', (x) => x.includes(' alice '), 'filter cleared');
    expect(t.selectedLine()).toSatisfy(listener100);
    // idle-only: bob's is the one idle session
    await t.press('i', (x) => x.includes('idle only') && !x.includes(' alice '), 'idle only');
    await until(t.app.lastFrame, () => sessionOf('bob')(t.selectedLine()), "bob's session selected");
    // the user picker: dave's is the one session shown
    await t.press('i', (x) => !x.includes('idle only'), 'all sessions');
    await t.press('g', () => listener100(t.selectedLine()), 'listener 100 selected once more');
    await t.press('u', (x) => x.includes('show sessions of'), 'user picker');
    await t.press('jjjj', (x) => x.includes('> dave'), 'dave in the picker');
    await t.press('\r', (x) => x.includes('user dave'), 'user dave');
    await until(t.app.lastFrame, () => sessionOf('dave')(t.selectedLine()), "dave's session selected by the user picker");
  });

  it('filters incrementally with \\ and clears with Esc', async () => {
    const t = setup();
    await until(t.app.lastFrame, (x) => x.includes('carol') && x.includes('F1 help'), 'sessions');
    await t.press('\\', (x) => x.includes('filter:'), 'filter prompt');
    await typeKeys(t, ['c', 'a', 'r']);
    const f = await until(t.app.lastFrame, (x) => !x.includes(' alice ') && x.includes('carol'), 'only carol');
    expect(f).not.toContain(' bob ');
    await t.press('\u001b', (x) => x.includes(' alice '), 'filter cleared');
  });

  it('user picker shows one user', async () => {
    const t = setup();
    await until(t.app.lastFrame, (x) => x.includes('carol') && x.includes('F1 help'), 'sessions');
    await t.press('u', (x) => x.includes('show sessions of'), 'picker');
    await typeKeys(t, ['\u001b[B', '\u001b[B']);
    const f = await t.press('\r', (x) => x.includes('user bob'), 'user bob');
    expect(f).not.toContain(' alice ');
  });

  it('sorts with > and inverts with I, and F6 opens the column picker', async () => {
    const t = setup();
    await until(t.app.lastFrame, (x) => x.includes('sort user'), 'sort user');
    await t.press('>', (x) => x.includes('sort tty'), 'next column');
    await t.press('<', (x) => x.includes('sort user'), 'previous column');
    await t.press('I', (x) => x.includes('sort user ▲'), 'inverted');
    await t.press('\u001b[17~', (x) => x.includes('sort by'), 'F6 picker');
  });

  it('toggles tree and flat, and collapses a session', async () => {
    const t = setup();
    await until(t.app.lastFrame, (x) => x.includes('└─ vim notes.txt'), 'tree with processes');
    await t.press('\u001b[15~', (x) => !x.includes('└─'), 'flat (F5)');
    await t.press('t', (x) => x.includes('└─'), 'tree again');
  });

  it('detail pane explains why a session is flagged', async () => {
    const t = setup();
    await until(t.app.lastFrame, (x) => x.includes('carol') && x.includes('F1 help'), 'sessions');
    await t.press('/', (x) => x.includes('search:'), 'search');
    await typeKeys(t, ['b', 'o', 'b', '\r']);
    const f = await t.press('\r', (x) => x.includes('why:'), 'detail pane');
    expect(f).toMatch(/idle: no terminal input or output for 2h00m/);
    expect(f).toContain('processes:');
    await t.press('\u001b', (x) => x.includes('F9/x signal'), 'back to the list');
  });

  it('help, pause and quit', async () => {
    const t = setup();
    await until(t.app.lastFrame, (x) => x.includes('carol') && x.includes('F1 help'), 'sessions');
    await t.press('?', (x) => x.includes('sshtop keys'), 'help');
    await t.press('x', (x) => !x.includes('sshtop keys'), 'help closed');
    await t.press('p', (x) => x.includes('[PAUSED]'), 'paused');
    expect(t.store.getSnapshot().paused).toBe(true);
    await t.press('Z', (x) => !x.includes('[PAUSED]'), 'resumed');
  });

  it('k moves up as in vim and never opens the signal menu; K, x and F9 open it', async () => {
    const sig = fakeSignaller();
    const t = setup({ signaller: sig });
    await until(t.app.lastFrame, (x) => x.includes('carol') && x.includes('F1 help'), 'sessions');
    const first = t.selectedLine();
    const second = await t.press('j', () => t.selectedLine() !== first, 'down one').then(t.selectedLine);
    await t.press('j', () => t.selectedLine() !== second, 'down two');
    await t.press('k', () => t.selectedLine() === second, 'k moved up one');
    await t.press('k', () => t.selectedLine() === first, 'k moved up again');
    expect(t.frame()).not.toContain('SIGTERM');
    expect(sig.pinned).toEqual([]);
    for (const [name, key] of [['K', 'K'], ['x', 'x'], ['F9', '\u001b[20~']]) {
      await t.press(key as string, (x) => x.includes('SIGTERM (default)'), `the menu (${name})`);
      await t.press('\u001b', (x) => x.includes('cancelled: nothing sent'), `cancelled (${name})`);
      expect(t.selectedLine()).toBe(first);
    }
    expect(sig.pinned).toHaveLength(3);
    expect(sig.sent).toEqual([]);
  });

  it('splits a read holding several keys, an Esc before a function key included', () => {
    const names = (raw: string) => splitKeys(raw).map((k) => k.name ?? k.text);
    expect(names('\u001b\u001bOP')).toEqual(['escape', 'f1']);
    expect(names('\u001b\u001b[20~')).toEqual(['escape', 'f9']);
    expect(names('\u001b\u001b[A')).toEqual(['escape', 'up']);
    expect(names('jjk')).toEqual(['j', 'j', 'k']);
    expect(names('\u001b')).toEqual(['escape']);
  });

  it('decodes function keys that Ink does not report', () => {
    expect(decodeKey('\u001b[20~').name).toBe('f9');
    expect(decodeKey('\u001bOP').name).toBe('f1');
    expect(decodeKey('\u001b[21~').name).toBe('f10');
    expect(decodeKey('\u001b[200~x').text).toBe('');
    expect(decodeKey('a\u0007b').text).toBe('ab');
  });
});

describe('signalling', () => {
  /** search for text, then check the selected line is the wanted row */
  async function selectUser(t: ReturnType<typeof setup>, text: string, row = (l: string) => l.includes(text)) {
    await until(t.app.lastFrame, (x) => x.includes('carol') && x.includes('F1 help'), 'sessions');
    await t.press('/', (x) => x.includes('search:'), 'search');
    await typeKeys(t, [...text, '\r']);
    await until(t.app.lastFrame, () => row(t.selectedLine()), `${text} selected`);
  }

  it('x, Enter, y ends exactly the selected session with SIGTERM, naming what ends', async () => {
    const sig = fakeSignaller();
    const t = setup({ signaller: sig });
    await selectUser(t, 'pts/1', sessionOf('alice'));
    await t.press('x', (x) => x.includes('SIGTERM (default)'), 'signal menu');
    const q = await t.press('\r', (x) => x.includes('[y/N]'), 'confirmation');
    expect(q).toContain('End alice@pts/1 from 203.0.113.7 (4 processes: bash, vim) with SIGTERM? [y/N]');
    // every process of the session, pinned when the menu opened: the user's first, sshd's last
    expect(sig.pinned.map((p) => p.pid)).toEqual([203, 202, 201, 200]);
    await t.press('y', (x) => x.includes('4 of 4 processes signalled'), 'result in the status line');
    expect(sig.sent).toEqual(sig.pinned.map((p) => ({ pid: p.pid, startTicks: p.startTicks, signal: 'TERM' })));
    // held until the survivors' check, then released; none survived, so nothing more is said
    await until(() => String(sig.released), (n) => n === '4', 'pins released after the check');
    expect(t.frame()).toContain('4 of 4 processes signalled');
  });

  it('what still runs a moment after the signal is named on the status line', async () => {
    const sig = fakeSignaller();
    sig.survive = true;
    const t = setup({ signaller: sig });
    await selectUser(t, 'pts/1', sessionOf('alice'));
    await t.press('x', (x) => x.includes('SIGTERM (default)'), 'signal menu');
    await t.press('\r', (x) => x.includes('[y/N]'), 'confirmation');
    await t.press('y', (x) => x.includes('4 of 4 processes signalled'), 'sent');
    const f = await until(t.app.lastFrame, (x) => x.includes('still running after SIGTERM'), 'survivors named');
    expect(f).toContain('4 processes still running after SIGTERM: pid 203 (vim)');
    expect(sig.released).toBe(4);
  });

  it('the list stays in view under the dialog, the target selected, the footer at the bottom', async () => {
    const t = setup({ size: { columns: 140, rows: 30 } });
    await selectUser(t, 'pts/1', sessionOf('alice'));
    await t.press('K', (x) => x.includes('SIGTERM (default)'), 'menu');
    const f = await t.press('\r', (x) => x.includes('[y/N]'), 'confirm');
    const lines = f.split('\n');
    const question = lines.findIndex((l) => l.includes('[y/N]'));
    const target = lines.findIndex((l) => sessionOf('alice')(l));
    expect(target).toBeGreaterThan(question);
    expect(lines[target]).toMatch(/^>/);
    expect(lines).toHaveLength(30);
    expect(lines[29]).toContain('F9/x signal');
  });

  it('N, Enter and Esc cancel without sending', async () => {
    const sig = fakeSignaller();
    const t = setup({ signaller: sig });
    await selectUser(t, 'pts/2', sessionOf('bob'));
    for (const cancel of ['N', '\r', '\u001b']) {
      await t.press('x', (x) => x.includes('SIGTERM (default)'), 'menu');
      await t.press('\r', (x) => x.includes('[y/N]'), 'confirm');
      await t.press(cancel, (x) => x.includes('cancelled: nothing sent'), `cancel with ${JSON.stringify(cancel)}`);
    }
    expect(sig.sent).toEqual([]);
    // every pin of each dialog is released when it closes
    expect(sig.released).toBe(sig.pinned.length);
  });

  it('the chosen signal is sent: 4 picks KILL, and a process row signals only that process', async () => {
    const sig = fakeSignaller();
    const t = setup({ signaller: sig });
    await selectUser(t, '403', (l) => l.includes('└─ ssh backup-host'));
    await t.press('\u001b[20~', (x) => x.includes('SIGKILL'), 'menu (F9)');
    const q = await t.press('4', (x) => x.includes('with SIGKILL?'), 'KILL chosen');
    expect(q).toContain('Signal only process 403 (ssh backup-host) of carol@pts/3');
    await t.press('y', (x) => x.includes('sent SIGKILL'), 'sent');
    expect(sig.sent.map((s) => [s.pid, s.signal])).toEqual([[403, 'KILL']]);
  });

  it('the own session needs the word yes: a bare y sends nothing', async () => {
    const sig = fakeSignaller();
    const t = setup({ signaller: sig });
    await selectUser(t, 'pts/4', sessionOf('root'));
    await t.press('x', (x) => x.includes('SIGTERM (default)'), 'menu');
    const q = await t.press('\r', (x) => x.includes('Type yes'), 'typed confirmation');
    expect(q).toContain('YOUR OWN session');
    await t.press('y', (x) => x.includes('> y'), 'typed y');
    await t.press('\r', (x) => x.includes('not confirmed'), 'refused');
    expect(sig.sent).toEqual([]);
    await t.press('K', (x) => x.includes('SIGTERM (default)'), 'menu again');
    await t.press('\r', (x) => x.includes('Type yes'), 'confirm again');
    await typeKeys(t, ['y', 'e', 's']);
    await t.press('\r', (x) => x.includes('processes signalled'), 'sent after yes');
    // the whole own session, its connection process last
    expect(sig.sent.map((s) => s.pid).at(-1)).toBe(500);
    expect(new Set(sig.sent.map((s) => s.pid))).toEqual(new Set(fakeModel().sessions.find((s) => s.pid === 500)?.processes.map((p) => p.pid)));
  });

  it.each([
    ['the login shell', '502', (l: string) => l.includes(' 502 ') && l.includes('-bash')],
    ["the session's sshd process", '501', (l: string) => l.includes(' 501 ') && l.includes('sshd: root@pts/4')],
  ])('a process row of the own session that ends the connection needs yes: %s', async (_what, pid, row) => {
    const sig = fakeSignaller();
    const t = setup({ signaller: sig });
    await selectUser(t, pid, row);
    await t.press('x', (x) => x.includes('SIGTERM (default)'), 'menu');
    const q = await t.press('4', (x) => x.includes('Type yes'), 'typed confirmation, even for KILL');
    expect(q).toContain('ends YOUR OWN connection');
    await t.press('y', (x) => x.includes('> y'), 'typed y');
    await t.press('\r', (x) => x.includes('not confirmed'), 'a bare y is refused');
    expect(sig.sent).toEqual([]);
    await t.press('K', (x) => x.includes('SIGTERM (default)'), 'menu again');
    await t.press('\r', (x) => x.includes('Type yes'), 'confirm again');
    await typeKeys(t, ['y', 'e', 's']);
    await t.press('\r', (x) => x.includes('sent SIGTERM'), 'sent after yes');
    expect(sig.sent.map((s) => s.pid)).toEqual([Number(pid)]);
  });

  it('an unrelated process of the own session needs no yes; sshtop itself does', async () => {
    const model = fakeModel({ selfPid: 990 });
    const own = model.sessions.find((s) => s.pid === 500) as Session;
    const node = own.processes.find((p) => p.pid === 990) as SessionProcess;
    // a runaway sleep in another pane: a sibling of sshtop, below the login shell
    own.processes.push({ ...node, pid: 995, command: 'sleep 9999', comm: 'sleep' });
    const sig = fakeSignaller();
    const t = setup({ signaller: sig, model });
    await selectUser(t, '995', (l) => l.includes('sleep 9999'));
    await t.press('x', (x) => x.includes('SIGTERM (default)'), 'menu');
    const q = await t.press('\r', (x) => x.includes('[y/N]'), 'a plain confirmation');
    expect(q).toContain('Signal only process 995 (sleep 9999) of root@pts/4');
    expect(q).not.toContain('YOUR OWN');
    await t.press('y', (x) => x.includes('sent SIGTERM'), 'sent with a bare y');
    expect(sig.sent.map((s) => s.pid)).toEqual([995]);
    // sshtop's own row: signalling it ends sshtop itself
    await selectUser(t, '990', (l) => l.includes('node sshtop'));
    await t.press('K', (x) => x.includes('SIGTERM (default)'), 'menu');
    const q2 = await t.press('\r', (x) => x.includes('Type yes'), 'typed confirmation');
    expect(q2).toContain('ends sshtop itself');
    await t.press('\u001b', (x) => x.includes('cancelled'), 'cancelled');
    expect(sig.sent).toHaveLength(1);
  });

  it('a listener needs the word yes too', async () => {
    const sig = fakeSignaller();
    const t = setup({ signaller: sig });
    await until(t.app.lastFrame, (x) => x.includes('carol') && x.includes('F1 help'), 'sessions');
    await t.press('g', () => t.selectedLine().includes('listener'), 'listener row');
    await t.press('x', (x) => x.includes('SIGTERM (default)'), 'menu');
    const q = await t.press('\r', (x) => x.includes('Type yes'), 'typed confirmation');
    expect(q).toContain('LISTENER');
    await t.press('y', (x) => x.includes('> y'), 'y');
    await t.press('\r', (x) => x.includes('not confirmed'), 'refused');
    expect(sig.sent).toEqual([]);
  });

  it('tagged rows are signalled together, each with its own pinned identity', async () => {
    const sig = fakeSignaller();
    const t = setup({ signaller: sig });
    await selectUser(t, 'pts/1', sessionOf('alice'));
    await t.press(' ', (x) => x.includes('1 tagged'), 'alice tagged');
    await selectUser(t, 'pts/2', sessionOf('bob'));
    await t.press(' ', (x) => x.includes('2 tagged'), 'bob tagged');
    await t.press('K', (x) => x.includes('Signal 2 tagged rows'), 'menu for both');
    const q = await t.press('\r', (x) => x.includes('[y/N]'), 'confirm');
    expect(q).toContain('2 targets: End alice@pts/1');
    await t.press('y', (x) => /\d+ of \d+ processes signalled/.test(x), 'both sent');
    const both = fakeModel().sessions.filter((s) => s.pid === 200 || s.pid === 300);
    expect(sig.sent.map((s) => s.pid).sort()).toEqual(both.flatMap((s) => s.processes.map((p) => p.pid)).sort());
    expect(t.frame()).not.toContain('tagged');
  });

  it('a tag is an identity: the session that reuses a tagged pid is not tagged, counted or signalled', async () => {
    const sig = fakeSignaller();
    const t = setup({ signaller: sig });
    await selectUser(t, 'pts/1', sessionOf('alice'));
    await t.press(' ', (x) => x.includes('1 tagged'), 'alice tagged');
    // alice's connection ends; a new one gets the same pids (another start time): dave's
    const later = fakeModel({ secondsLater: 5 });
    const reused = later.sessions.map((s) =>
      s.pid === 200 ? { ...s, user: 'dave', startTicks: s.startTicks + 7000, processes: s.processes.map((p) => ({ ...p, user: 'dave', startTicks: p.startTicks + 7000 })) } : s,
    );
    t.store.set({ model: { ...later, sessions: reused }, polls: 2 });
    const f = await until(t.app.lastFrame, (x) => x.includes(' dave ') && !x.includes(' alice '), 'dave on the reused pid');
    expect(f).not.toContain('tagged');
    expect(f.split('\n').filter((l) => l.slice(1, 2) === '+')).toEqual([]);
    await t.press('x', (x) => x.includes('tagged rows have ended'), 'refused: the tagged rows ended');
    expect(sig.pinned).toEqual([]);
    // the stale tags are dropped: the next K is about the selected row, named in the dialog
    await t.press('K', (x) => x.includes('SIGTERM (default)'), 'menu for the selected row');
    // the selected row is a process row (bob's sshd): that one process, named in the dialog
    expect(sig.pinned.map((p) => p.pid)).toEqual([301]);
    expect(t.frame()).toContain('Signal only process 301');
  });

  it('a refused signal (pid reused) is shown, never retried elsewhere', async () => {
    const sig = fakeSignaller('identity-changed');
    const t = setup({ signaller: sig });
    await selectUser(t, 'pts/2', sessionOf('bob'));
    await t.press('x', (x) => x.includes('SIGTERM (default)'), 'menu');
    await t.press('\r', (x) => x.includes('[y/N]'), 'confirm');
    await t.press('y', (x) => x.includes('identity-changed'), 'refusal in the status line');
    // each pinned process was tried once, none twice, nothing that was not pinned
    expect(sig.sent.map((s) => s.pid)).toEqual(sig.pinned.map((p) => p.pid));
  });

  it('watch mode says READ-ONLY on the first line even at 60 columns', async () => {
    const t = setup({ readOnly: true, size: { columns: 60, rows: 20 } });
    const f = await until(t.app.lastFrame, (x) => x.includes('F1 help'), 'sessions');
    expect(strip(f).split('\n')[0]).toMatch(/^sshtop +READ-ONLY /);
  });

  it('watch mode: every signal key sends nothing, and there is no signaller', async () => {
    const kill = vi.spyOn(process, 'kill');
    const t = setup({ readOnly: true });
    const f = await until(t.app.lastFrame, (x) => x.includes('carol') && x.includes('F1 help'), 'sessions');
    expect(f).toContain('READ-ONLY');
    expect(f).not.toContain('signal');
    // k is vim's up here too: it moves, as in normal mode
    const top = t.selectedLine();
    await t.press('j', () => t.selectedLine() !== top, 'moved down');
    await t.press('k', () => t.selectedLine() === top, 'k moved back up');
    for (const k of ['K', 'x', '\u001b[20~']) {
      t.app.stdin.write(k);
      await new Promise((r) => setTimeout(r, 30));
      t.app.stdin.write('y');
      await new Promise((r) => setTimeout(r, 30));
      expect(strip(t.app.lastFrame())).not.toContain('SIGTERM');
    }
    await t.press('?', (x) => x.includes('sshtop keys (read-only'), 'help');
    expect(t.frame()).not.toMatch(/F9|signal menu/);
    expect(kill).not.toHaveBeenCalled();
  });
});
