// Key press to frame on a big model: the App in ink-testing-library, a key written to its stdin,
// the clock stopped when the frame differs from the one before.
import { hostname } from 'node:os';
import type { Model } from '../../src/model/types.js';
import { mark, since, sleep, summarize, type Summary } from './stats.js';

export interface KeyRun {
  wall: Summary;
  cpu: Summary;
  /** keys whose frame never changed within the timeout */
  unchanged: string[];
  /** lines in the last frame, against the terminal's rows: only visible rows are drawn */
  frameLines: number;
}

const KEYS: [string, string][] = [
  ...Array.from({ length: 12 }, () => ['j', 'j'] as [string, string]),
  ...Array.from({ length: 2 }, () => ['Up', '\u001b[A'] as [string, string]),
  // vim's k moves up (htop's kill key is K)
  ...Array.from({ length: 2 }, () => ['k', 'k'] as [string, string]),
  ['PgDn', '\u001b[6~'],
  ['PgDn', '\u001b[6~'],
  ['PgUp', '\u001b[5~'],
  ['G', 'G'],
  ['g', 'g'],
  ['t (flat)', 't'],
  ['j', 'j'],
  ['t (tree)', 't'],
  ['i (idle only)', 'i'],
  ['i (all)', 'i'],
];

export async function measureKeys(model: Model, size = { columns: 200, rows: 50 }, timeoutMs = 2000): Promise<KeyRun> {
  delete process.env.CI;
  const [{ render }, React, { App }, { createStaticStore }] = await Promise.all([
    import('ink-testing-library'),
    import('react'),
    import('../../src/ui/App.js'),
    import('../../test/support/static-store.js'),
  ]);
  const store = createStaticStore({ model, error: null, paused: false, cpu: new Map(), polls: 1 });
  const app = render(React.createElement(App, { store, readOnly: true, host: hostname(), color: true, sort: 'login', size }));
  // the keyboard is live once raw mode is on: the footer then shows the key hints
  for (let i = 0; i < 200 && !(app.lastFrame() ?? '').includes('q quit'); i++) await sleep(5);
  const wall: number[] = [];
  const cpu: number[] = [];
  const unchanged: string[] = [];
  for (const [name, seq] of KEYS) {
    const before = app.lastFrame();
    const a = mark();
    app.stdin.write(seq);
    let changed = app.lastFrame() !== before;
    while (!changed && since(a).wall < timeoutMs) {
      await new Promise((r) => setImmediate(r));
      changed = app.lastFrame() !== before;
    }
    const c = since(a);
    if (!changed) unchanged.push(name);
    else {
      wall.push(c.wall);
      cpu.push(c.cpu);
    }
    await sleep(40);
  }
  const frameLines = (app.lastFrame() ?? '').split('\n').length;
  app.unmount();
  return { wall: summarize(wall), cpu: summarize(cpu), unchanged, frameLines };
}
