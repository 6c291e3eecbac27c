// What the command line must never do, proven on the built CLI: signal a live process over a
// captured /proc tree, offer signals in the TUI over one, or print --once one character per line
// on a terminal that reports zero columns.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DEFAULT_COLUMNS, MAX_COLUMNS, MIN_COLUMNS, outputColumns, parseCommandLine } from '../src/cli/args.js';
import { alive, ensureBuilt, SSHTOP, startTicksOf } from './support/lab.js';
import { startTmux } from './support/tmux.js';
import { FakeProcRoot } from './support/fake-proc.js';
import { waitFor } from './support/wait.js';

ensureBuilt();
const FIXTURE = new URL('./fixtures/openssh-9.2p1', import.meta.url).pathname;
const CAPTURED = ['--proc-root', `${FIXTURE}/proc`, '--dev-root', `${FIXTURE}/dev`, '--passwd', `${FIXTURE}/passwd`];
const run = (argv: string[]) => spawnSync(process.execPath, [SSHTOP, ...argv], { encoding: 'utf8', timeout: 20_000 });
const ptsNr = (n: number): number => (n & 0xff) | (136 << 8) | ((n & ~0xff) << 12);

describe('a captured /proc tree is never acted on', () => {
  it('reap --yes over a tree whose session has the pid and start time of a live process: exit 2, the process lives', async () => {
    const sleeper: ChildProcess = spawn('sleep', ['300'], { stdio: 'ignore' });
    const fake = new FakeProcRoot();
    try {
      const pid = sleeper.pid as number;
      const start = await waitFor('the sleep to start', () => startTicksOf(pid));
      // pids above any pid_max for the rest of the tree: none of them is a live process either
      const now = Date.now();
      fake.add({ pid: 4_900_100, ppid: 1, comm: 'sshd', argv: ['sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups'], uid: 0, startTicks: 5 });
      fake.add({ pid, ppid: 4_900_100, comm: 'sshd', cmdlineRaw: 'sshd: alice [priv]\0', uid: 0, startTicks: start, fds: { 3: 'socket:[5001]' } });
      fake.add({ pid: 4_900_201, ppid: pid, comm: 'sshd', cmdlineRaw: 'sshd: alice@pts/3\0', uid: 1000, startTicks: start + 1, fds: { 3: 'socket:[5001]', 9: '/dev/ptmx' } });
      fake.add({ pid: 4_900_202, ppid: 4_900_201, comm: 'bash', argv: ['-bash'], uid: 1000, startTicks: start + 2, ttyNr: ptsNr(3), tpgid: 4_900_202, environ: { SSH_CONNECTION: '127.0.0.1 50000 127.0.0.1 22', SSH_TTY: '/dev/pts/3' } });
      fake.addPts(3, now - 7_200_000);
      fake.setPasswd('root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n');
      const tree = ['--proc-root', fake.procRoot, '--dev-root', fake.devRoot, '--passwd', fake.passwdPath];

      // the tree is right: without --yes the reaper picks exactly the live sleep's pid
      const dry = run([...tree, 'reap', '--idle', '1s', '--json']);
      expect(dry.status, dry.stderr).toBe(0);
      expect((JSON.parse(dry.stdout) as { matched: { pid: number }[] }).matched.map((m) => m.pid)).toEqual([pid]);

      for (const rules of [['--idle', '0s'], ['--idle', '1s'], ['--max-age', '1s', '--signal', 'KILL']]) {
        const r = run([...tree, 'reap', ...rules, '--yes']);
        expect(r.status, r.stderr).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr).toMatch(/^sshtop: reap --yes signals live processes: not with --proc-root .* \(see sshtop --help\)\n$/);
      }
      // only --dev-root or --passwd captured (with a captured /proc): refused the same way
      expect(run(['--proc-root', fake.procRoot, '--passwd', fake.passwdPath, 'reap', '--idle', '1s', '--yes']).status).toBe(2);
      await new Promise((r) => setTimeout(r, 200));
      expect(alive(pid)).toBe(true);
      expect(sleeper.exitCode).toBeNull();
      expect(sleeper.signalCode).toBeNull();
    } finally {
      // only the pid this test started
      if (sleeper.pid !== undefined && sleeper.exitCode === null) process.kill(sleeper.pid, 'SIGKILL');
      fake.dispose();
    }
  }, 30_000);

  it('the TUI over a captured tree is read-only, as --watch', async () => {
    const p = parseCommandLine(CAPTURED, {});
    expect(p).toMatchObject({ kind: 'run', options: { mode: 'watch' } });
    expect(parseCommandLine(['--proc-root', `${FIXTURE}/proc`], {})).toMatchObject({ kind: 'run', options: { mode: 'watch' } });
    expect(parseCommandLine([], {})).toMatchObject({ kind: 'run', options: { mode: 'tui' } });

    const tmux = startTmux({ width: 160, height: 30 });
    try {
      tmux.type(`${process.execPath} ${SSHTOP} ${CAPTURED.join(' ')}`);
      tmux.send('Enter');
      const screen = await tmux.waitFor('the header', (s) => s.includes('READ-ONLY') && s.includes('sshtop-t1'));
      expect(screen).toContain('READ-ONLY');
      tmux.send('q');
      await tmux.waitFor('the shell back', (s) => !s.includes('READ-ONLY'));
    } finally {
      tmux.kill();
    }
  }, 30_000);
});

describe('the width of --once', () => {
  it('a terminal that reports 0 columns: the table is laid out at the default width, each session on one line', () => {
    // script(1) gives a real pty; stty makes it report 0 columns, as a script's `ssh -tt` does
    const cmd = `stty cols 0 rows 40; exec ${process.execPath} ${SSHTOP} --once --no-color ${CAPTURED.join(' ')}`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, COLUMNS: '' } });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.split(/\r?\n/);
    // a session's user, tty and address on one line, and the listener's title whole
    expect(lines.some((l) => /│ 27515 +│ sshtop-t1 +│ pts\/40 +│ 127\.0\.0\.1:55068 /.test(l)), r.stdout.slice(0, 400)).toBe(true);
    expect(lines.some((l) => /^listener 27355 {2}sshd: /.test(l))).toBe(true);
    expect(lines.filter((l) => l.trim().length === 1)).toEqual([]);
  }, 30_000);

  it('falls back to a positive integer $COLUMNS, else the default; clamps to a sensible range', () => {
    expect(outputColumns(undefined, {})).toBe(DEFAULT_COLUMNS);
    expect(outputColumns(0, {})).toBe(DEFAULT_COLUMNS);
    expect(outputColumns(0, { COLUMNS: '150' })).toBe(150);
    expect(outputColumns(undefined, { COLUMNS: '150' })).toBe(150);
    expect(outputColumns(180, { COLUMNS: '150' })).toBe(180);
    for (const bad of ['0', '-5', 'abc', '', ' 150', '1.5', '1e3']) expect(outputColumns(0, { COLUMNS: bad }), bad).toBe(DEFAULT_COLUMNS);
    expect(outputColumns(1, {})).toBe(MIN_COLUMNS);
    expect(outputColumns(40, {})).toBe(MIN_COLUMNS);
    expect(outputColumns(0, { COLUMNS: '10' })).toBe(MIN_COLUMNS);
    expect(outputColumns(65535, {})).toBe(MAX_COLUMNS);
    expect(outputColumns(0, { COLUMNS: '99999999999' })).toBe(MAX_COLUMNS);
    expect(outputColumns(Number.NaN, {})).toBe(DEFAULT_COLUMNS);
    expect(MIN_COLUMNS).toBeLessThanOrEqual(DEFAULT_COLUMNS);
  });
});
