// The built CLI's own behaviour, without a lab: version, help, and a reader that goes away.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ensureBuilt, REPO, SSHTOP } from './support/lab.js';
import { throughNonblockingPipe, withClosedStdout } from './support/stdout-checks.js';

ensureBuilt();
const run = (args: string[]) => spawnSync(process.execPath, [SSHTOP, ...args], { encoding: 'utf8', timeout: 30_000 });

describe('the sshtop command', () => {
  it('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(`${REPO}/package.json`, 'utf8')) as { version: string };
    const r = run(['--version']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`sshtop ${version}\n`);
  });

  it('--help prints the usage, reap --help the reaper usage', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: sshtop/);
    const reap = run(['reap', '--help']);
    expect(reap.status).toBe(0);
    expect(reap.stdout).toMatch(/^usage: sshtop \[--proc-root <dir> …\] reap /);
    // help before the subcommand is the subcommand's help
    expect(run(['--help', 'reap']).stdout).toBe(reap.stdout);
  });

  it('an option before reap that reap does not take there is refused, not ignored (it would widen what is ended)', () => {
    const r = run(['--user', 'alice', 'reap', '--idle', '1m', '--yes']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("sshtop: --user goes after 'reap': sshtop reap --user alice … (see sshtop --help)\n");
    const filter = run(['--filter', 'alice', 'reap', '--idle', '1m']);
    expect(filter.status).toBe(2);
    expect(filter.stderr).toMatch(/^sshtop: reap takes no --filter/);
  });

  it('the subcommand is the first positional argument: --filter reap filters for "reap"', () => {
    const fx = `${REPO}/test/fixtures/openssh-9.2p1`;
    const r = run(['--proc-root', `${fx}/proc`, '--dev-root', `${fx}/dev`, '--passwd', `${fx}/passwd`, '--filter', 'reap']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^listener 27355/);
    expect(r.stdout).not.toMatch(/would end|sshtop-t1/);
    expect(run(['bogus']).stderr).toBe("sshtop: unknown command 'bogus' (the only command is reap) (see sshtop --help)\n");
  });

  it('a reader that closes the pipe early (sshtop --json | head) ends it quietly, exit 0', async () => {
    expect(await withClosedStdout([process.execPath, SSHTOP, '--json'])).toEqual({ code: 0, stderr: '' });
  });

  it('a non-blocking pipe that fills (EAGAIN) still gets all of the output', () => {
    const fx = `${REPO}/test/fixtures/openssh-9.2p1`;
    const args = ['--json', '--proc-root', `${fx}/proc`, '--dev-root', `${fx}/dev`, '--passwd', `${fx}/passwd`];
    const whole = run(args).stdout;
    // 30 KB through a 4 KiB pipe nobody reads for half a second
    expect(whole.length).toBeGreaterThan(16 * 1024);
    const got = throughNonblockingPipe([process.execPath, SSHTOP, ...args]);
    expect(got.stderr).toBe('');
    expect(got.code).toBe(0);
    // the same document, whole: only when it was taken, by which pid, and the ages it measured
    // against the clock differ between the two runs
    const strip = (t: string) =>
      t
        .replace(/"takenAt": "[^"]*"/, '')
        .replace(/"self": \{\n    "pid": \d+/, '')
        .replace(/("[a-zA-Z]*(Seconds|Ms)"|"tty"|"traffic"): \d+/g, '$1: 0');
    expect(strip(got.out)).toBe(strip(whole));
  });
});
