// The screen reads before it draws, as htop does: the terminal is left as it is until the first
// poll is in, and the first frame drawn already has the sessions (src/commands/tui.tsx). Drawing
// a header first and the sessions a poll later cost a whole cold render before the read.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SSHTOP } from './support/lab.js';

const FIXTURE = new URL('./fixtures/openssh-9.2p1', import.meta.url).pathname;
const CAPTURED = ['--proc-root', `${FIXTURE}/proc`, '--dev-root', `${FIXTURE}/dev`, '--passwd', `${FIXTURE}/passwd`];
const ENTER = '\u001b[?1049h';
/** Ink wraps each frame in a synchronized update */
const FRAME = '\u001b[?2026h';

describe('the first frame', () => {
  it('comes after the first poll: nothing is written before the screen is entered, and its first frame has the sessions', () => {
    // script(1) gives a real pty; SIGINT after 4 s ends the screen (it restores the terminal)
    const cmd = `exec timeout -s INT 4 ${process.execPath} ${SSHTOP} --watch ${CAPTURED.join(' ')}`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, TERM: 'xterm-256color' } });
    const raw = r.stdout;
    const enter = raw.indexOf(ENTER);
    expect(enter, raw.slice(0, 300)).toBe(0);
    const frames = raw.slice(enter).split(FRAME).slice(1);
    expect(frames.length).toBeGreaterThan(0);
    // the captured tree's sessions (the user of its tty session, its listener) in the very first frame
    expect(frames[0]).toContain('sshtop-t1');
    expect(frames[0]).toContain('listener 27355');
  }, 40_000);
});

describe('V8 flags', () => {
  // a preload that records every flag the program gives V8 at run time (node:v8's export patched
  // and synced into its ESM bindings before the program loads)
  const flagsSet = (args: string[], onPty: boolean): string[] => {
    const dir = mkdtempSync(join(tmpdir(), 'sshtop-flags-'));
    try {
      const log = join(dir, 'flags');
      const preload = join(dir, 'record.cjs');
      writeFileSync(log, '');
      writeFileSync(
        preload,
        `const v8 = require('node:v8'); const fs = require('node:fs'); const set = v8.setFlagsFromString;
         v8.setFlagsFromString = (f) => { fs.appendFileSync(${JSON.stringify(log)}, f + '\\n'); set(f); };
         require('node:module').syncBuiltinESMExports();`,
      );
      const node = `${process.execPath} --require ${preload} ${SSHTOP} ${args.join(' ')}`;
      const r = onPty
        ? spawnSync('script', ['-qec', `exec timeout -s INT 3 ${node}`, '/dev/null'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, TERM: 'xterm-256color' } })
        : spawnSync('sh', ['-c', node], { encoding: 'utf8', timeout: 30_000 });
      expect(r.error).toBeUndefined();
      return readFileSync(log, 'utf8').split('\n').filter(Boolean);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('the screen raises the interrupt budget (tiering.ts) and takes V8 gc for its collections (heap.ts); a one-shot leaves V8 as it is', () => {
    // gc is exposed only for the one context that hands it out, then the flag is cleared again
    expect(flagsSet(['--watch', ...CAPTURED], true)).toEqual(['--interrupt-budget=270336', '--expose-gc', '--no-expose-gc']);
    expect(flagsSet(['--once', ...CAPTURED], false)).toEqual([]);
    expect(flagsSet(['--json', ...CAPTURED], false)).toEqual([]);
  }, 40_000);
});
