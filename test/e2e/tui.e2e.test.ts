// The real TUI in tmux against the real sshd: end exactly one session with keys; watch mode ends
// nothing; the own session survives a bare y; the terminal works after q.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LAB_USERS, alive, ensureBuilt, requireLab, SSHTOP, ssConnections, startLab, type Client, type Lab, SSHTOP_SH } from '../support/lab.js';
import { startTmux, type Tmux } from '../support/tmux.js';
import { sleep } from '../support/wait.js';

const skipReason = requireLab();

describe.runIf(skipReason === undefined)('the TUI in tmux on a real sshd', () => {
  let lab: Lab;
  let tmux: Tmux | undefined;
  const [u1, u2, u3] = LAB_USERS as [string, string, string];

  const serverPid = (c: Client) => ssConnections().find((x) => x.localPort === lab.port && x.peerPort === c.localPort)?.pids[0];

  /** start sshtop in a fresh pane, filtered to one user, with that user's session selected */
  async function sshtopFor(user: string, extra = ''): Promise<Tmux> {
    const t = startTmux();
    tmux = t;
    t.type(`${SSHTOP_SH} ${extra}`);
    t.send('Enter');
    await t.waitFor('sshtop screen, keys live', (s) => s.includes('F1 help') && s.includes(u2));
    t.send('\\');
    t.type(user);
    t.send('Enter');
    await t.waitFor(`only ${user}`, (s) => s.includes(`filter "${user}"`) && !s.includes(` ${u2} `));
    return t;
  }

  beforeAll(async () => {
    ensureBuilt();
    lab = await startLab();
  });

  afterEach(() => {
    tmux?.kill();
    tmux = undefined;
  });

  afterAll(async () => {
    await lab?.stop();
  });

  it('x, Enter, y ends exactly the filtered session; the others and the listener live', async () => {
    const [a, b, c] = await Promise.all([lab.openTty(u1), lab.openTty(u2), lab.openTty(u3)]);
    const t = await sshtopFor(u1);
    // from the top, search the client's tty: its session row is the first match
    t.send('g');
    t.send('/');
    t.type(a.tty!);
    t.send('Enter');
    const screen = await t.waitFor('selected session', (s) => s.split('\n').some((l) => l.startsWith('>') && l.includes(u1) && l.includes('127.0.0.1')));
    expect(screen).not.toContain(u3);
    t.send('x');
    await t.waitFor('signal menu', (s) => s.includes('SIGTERM (default)'));
    t.send('Enter');
    const q = await t.waitFor('confirmation', (s) => s.includes('[y/N]'));
    expect(q).toContain(`End ${u1}@${a.tty} from 127.0.0.1`);
    t.send('y');
    // every process of the session (shell, user child, monitor) got its own signal, or had gone
    // with the one before it
    await t.waitFor('sent', (s) => /\d+ of 3 processes signalled/.test(s));
    await sleep(1500);
    expect(a.exited()).toBe(true);
    expect(b.exited()).toBe(false);
    expect(c.exited()).toBe(false);
    expect(alive(lab.sshdPid)).toBe(true);
    t.send('q');
    await Promise.all([b.close(), c.close()]);
  });

  it('watch mode: the same keys end nothing', async () => {
    const a = await lab.openTty(u1);
    const b = await lab.openTty(u2);
    const before = serverPid(a);
    const t = await sshtopFor(u1, '--watch');
    expect(t.capture()).toContain('READ-ONLY');
    for (const k of ['K', 'x', 'F9']) {
      t.send(k);
      await sleep(300);
      t.send('Enter');
      await sleep(300);
      t.send('y');
      await sleep(300);
      expect(t.capture()).not.toContain('SIGTERM');
      t.send('Escape');
    }
    await sleep(1000);
    expect(a.exited()).toBe(false);
    expect(serverPid(a)).toBe(before);
    expect(b.exited()).toBe(false);
    t.send('q');
    await Promise.all([a.close(), b.close()]);
  });

  it('inside an SSH session, a bare y does not end the own session', async () => {
    const t = startTmux();
    tmux = t;
    t.type(`ssh ${lab.sshArgs('root').join(' ')} -tt 127.0.0.1`);
    t.send('Enter');
    await t.waitFor('remote shell', (s) => /#\s*$/m.test(s));
    t.type('echo "MY""TTY=$(tty)"');
    t.send('Enter');
    const tty = /MYTTY=\/dev\/(pts\/\d+)/.exec(await t.waitFor('tty', (s) => /MYTTY=\/dev\/pts\/\d+/.test(s)))?.[1] as string;
    t.type(`${SSHTOP_SH}`);
    t.send('Enter');
    await t.waitFor('own session marked', (s) => s.includes('* you are here: session') && s.includes('F1 help'));
    // select the own session: from the top, search its tty; its row carries the * marker
    t.send('g');
    t.send('/');
    t.type(tty);
    t.send('Enter');
    await t.waitFor('own session selected', (s) => s.split('\n').some((l) => l.startsWith('> *') && l.includes(tty)));
    t.send('x');
    await t.waitFor('menu', (s) => s.includes('SIGTERM (default)'));
    t.send('Enter');
    await t.waitFor('typed confirmation', (s) => s.includes('YOUR OWN session') && s.includes('Type yes'));
    t.send('y');
    t.send('Enter');
    await t.waitFor('refused', (s) => s.includes('not confirmed'));
    await sleep(500);
    t.send('q');
    await t.waitFor('back in the remote shell', (s) => /#\s*$/m.test(s));
    t.type('echo still-$((40+2))');
    t.send('Enter');
    await t.waitFor('own session still alive', (s) => s.includes('still-42'));
  });

  it('frames drawn in place (only changed lines written) stay whole through changes and resizes', async () => {
    const a = await lab.openTty(u1);
    // a new process every second: rows come and go on every tick
    a.send('while :; do sleep 1; done\n');
    const t = startTmux();
    tmux = t;
    t.type(`${SSHTOP_SH} --watch`);
    t.send('Enter');
    await t.waitFor('sshtop screen', (s) => s.includes('F1 help') && s.includes(u1));
    // what reaches the terminal over a few ticks: frames, none of them a clear of the whole screen
    const bytes = join(lab.dir, 'pane-output');
    spawnSync('tmux', ['-S', t.socket, 'pipe-pane', '-t', '0', '-o', `cat > ${bytes}`]);
    await sleep(3500);
    spawnSync('tmux', ['-S', t.socket, 'pipe-pane', '-t', '0']);
    const written = readFileSync(bytes, 'latin1');
    expect(written).toContain('\u001b[?2026h');
    expect(written).not.toContain('\u001b[2J');
    for (const [w, h] of [[120, 30], [80, 24], [160, 40], [200, 50]] as const) {
      spawnSync('tmux', ['-S', t.socket, 'resize-window', '-t', '0', '-x', String(w), '-y', String(h)]);
      // a few changed ticks at this size
      await sleep(3500);
      const lines = t.capture().replace(/\n$/, '').split('\n');
      const at = `${w}x${h}:\n${lines.join('\n')}`;
      expect(lines.length, at).toBe(h);
      expect(lines[0], at).toMatch(/^sshtop /);
      expect(lines[h - 1], at).toContain('F1 help');
      expect(lines.filter((l) => l.includes('F1 help')).length, at).toBe(1);
      expect(lines.filter((l) => /^sshtop /.test(l)).length, at).toBe(1);
      expect(lines.filter((l) => /^\s+PID USER/.test(l)).length, at).toBe(1);
      expect(lines.every((l) => [...l].length <= w), at).toBe(true);
    }
    t.send('q');
    await a.close();
  });

  it('after q the shell in the pane echoes input normally', async () => {
    const t = startTmux();
    tmux = t;
    t.type(`${SSHTOP_SH}`);
    t.send('Enter');
    await t.waitFor('sshtop screen', (s) => s.includes('F1 help'));
    t.send('q');
    // the shell's prompt, not just the main screen: keys typed while sshtop exits are its own
    await t.waitFor('prompt back', (s) => !s.includes('F1 help') && /[#$] ?$/.test(s.trimEnd().split('\n').pop() ?? ''));
    t.type('stty -a | tr " " "\\n" | grep -xE -- "-?(icanon|echo)" | tr "\\n" " "; echo; echo typed-$((6*7))');
    t.send('Enter');
    const s = await t.waitFor('echo output', (x) => x.includes('typed-42'));
    expect(s).toContain('icanon echo');
    // the typed command line itself was echoed back by the terminal
    expect(s).toContain('echo typed-$((6*7))');
  });
});
