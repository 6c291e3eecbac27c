// The screen reads before it draws, as htop does: the terminal is left as it is until the first
// poll is in, and the first frame drawn already has the sessions (src/commands/tui.tsx). Drawing
// a header first and the sessions a poll later cost a whole cold render before the read.
import { spawnSync } from 'node:child_process';
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
