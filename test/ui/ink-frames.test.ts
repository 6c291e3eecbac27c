// patches/ink+6.8.0.patch makes a frame cost what changed: with incrementalRendering, a screen as
// tall as the terminal is redrawn in place (only its changed lines written), not cleared and
// written whole; and a row written as in an earlier frame is not rebuilt cell by cell.
import { EventEmitter } from 'node:events';
import { createElement as h } from 'react';
import { describe, expect, it } from 'vitest';
import { sleep, waitFor } from '../support/wait.js';

// Ink reads CI once, when it loads, and under CI draws nothing until it unmounts (`npm test`
// runs with CI=true there): it is loaded here with CI unset, as the CLI does (cli/main.ts).
const saved = { CI: process.env.CI, CONTINUOUS_INTEGRATION: process.env.CONTINUOUS_INTEGRATION };
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;
const { Box, render, Text } = await import('ink');
// not exported by Ink's package.json: imported by path, as the bundle sees it
const { default: Output } = await import('../../node_modules/ink/build/output.js');
for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;

class Tty extends EventEmitter {
  readonly isTTY = true;
  readonly columns = 30;
  readonly rows = 4;
  writes: string[] = [];
  write = (s: string) => {
    this.writes.push(s);
    return true;
  };
}

const screen = (lines: string[]) => h(Box, { flexDirection: 'column', height: 4 }, ...lines.map((l, i) => h(Text, { key: i, wrap: 'truncate' }, l)));

describe("Ink's frames (patched)", () => {
  it('redraws a full screen in place: one changed line is the only text written', async () => {
    const stdout = new Tty();
    const stdin = Object.assign(new EventEmitter(), { isTTY: false, setRawMode() {}, setEncoding() {}, resume() {}, pause() {}, ref() {}, unref() {}, read: () => null });
    const lines = ['alpha', 'bravo', 'charlie', 'delta'];
    const app = render(screen(lines), { stdout: stdout as never, stdin: stdin as never, stderr: stdout as never, patchConsole: false, exitOnCtrlC: false, incrementalRendering: true });
    // no fixed sleeps (a loaded CI machine missed one): wait for what is written, then for quiet
    const quiet = async () => {
      for (let n = -1, i = 0; n !== stdout.writes.length && i < 100; i++) {
        n = stdout.writes.length;
        await sleep(60);
      }
    };
    await waitFor('the first frame', () => stdout.writes.join('').includes('delta'), 5000, 10);
    app.rerender(screen(lines));
    await quiet();
    stdout.writes.length = 0;
    app.rerender(screen(['alpha', 'bravo', 'CHANGED', 'delta']));
    await waitFor('the changed line', () => stdout.writes.join('').includes('CHANGED'), 5000, 10);
    await quiet();
    const written = stdout.writes.join('');
    app.unmount();
    expect(written).toContain('CHANGED');
    for (const same of ['alpha', 'bravo', 'delta']) expect(written).not.toContain(same);
    // no clear of the terminal
    expect(written).not.toContain('\u001b[2J');
  });

  it('gives a row written as before the same text, across frames (rows are cached, not rebuilt)', () => {
    const frame = (third: string) => {
      const o = new Output({ width: 20, height: 3 });
      o.write(0, 0, '\u001b[31mred\u001b[39m 日本', { transformers: [] });
      o.write(2, 1, 'two\nthree', { transformers: [(l: string, i: number) => `${l}${i}`] });
      o.write(0, 2, third, { transformers: [] });
      return o.get();
    };
    const a = frame('x');
    const b = frame('y');
    expect(a.height).toBe(3);
    expect(a.output.split('\n')[0]).toContain('red');
    expect(a.output.split('\n').slice(0, 2)).toEqual(b.output.split('\n').slice(0, 2));
    expect(a.output.split('\n')[1]).toBe('  two0');
    // the third row: the second write's second line, then the third write over its first cell
    expect(b.output.split('\n')[2]).toBe('y three1');
  });

  it('builds a plain row (SGR codes around one-cell text) exactly as it builds one cell by cell', () => {
    const o = new Output({ width: 40, height: 1 }) as unknown as { buildRow(w: unknown[]): string; buildRowByCells(w: unknown[]): string };
    const rows = ['\u001b[1m\u001b[90m   201 alice   │  └─ sshd: alice@pts/1\u001b[39m\u001b[22m', '\u001b[7m> ~ 300 bob      idle  ├─ -bash      \u001b[27m', 'plain text with trailing spaces   ', '\u001b[31m\u001b[39m', '\u001b[1m' + 'x'.repeat(50) + '…\u001b[22m', ''];
    for (const line of rows) expect(o.buildRow([0, line]), JSON.stringify(line)).toBe(o.buildRowByCells([0, line]));
  });
});
