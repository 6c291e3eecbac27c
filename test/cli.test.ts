// The built CLI's own behaviour, without a lab: version, help, and a reader that goes away.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ensureBuilt, REPO, SSHTOP } from './e2e/lab.js';

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
    expect(reap.stdout).toMatch(/^usage: sshtop reap/);
  });

  it('a reader that closes the pipe early (sshtop --json | head) ends it quietly, exit 0', async () => {
    const child = spawn(process.execPath, [SSHTOP, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    // closed before sshtop writes: its write fails with EPIPE
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
