// The bounds on every command sshtop runs, with real children: each case below would hang sshtop,
// fill its memory, or leave a process running if its bound were gone. Every case runs twice: in
// Node (node:child_process) and in the pinned Bun the release executable is built with (Bun.spawn),
// through test/support/run-bounded-driver.ts.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pinnedBun } from '../../scripts/release.mjs';
import { runBounded, type Bounds, type RunResult } from '../../src/proc/run-bounded.js';
import { waitFor } from '../support/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'sshtop-run-bounded-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const DRIVER = new URL('../support/run-bounded-driver.ts', import.meta.url).pathname;

type Run = (file: string, args: string[], bounds: Bounds) => Promise<RunResult>;
let bun = '';
const viaBun: Run = async (file, args, bounds) => {
  const r = spawnSync(bun, [DRIVER, JSON.stringify({ file, args, bounds })], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout) as { runtime: string; result: RunResult };
  // Bun's own spawn was what ran, not its node:child_process
  expect(out.runtime).toBe('bun');
  return out.result;
};

/** the pid a shell wrote before it exec'd the program under test (that program keeps the pid) */
function pidFrom(file: string): number {
  return Number(readFileSync(file, 'utf8').trim());
}

/** gone or a zombie no one waits for: not running */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'latin1'));
  } catch {
    return false;
  }
}

describe.each<[string, Run]>([
  ['Node', runBounded],
  ['Bun, the release executable runtime', viaBun],
])('runBounded in %s', (name, runBounded) => {
  beforeAll(() => {
    // fetched from the npm registry once (packaging/pins.json), as npm run release does
    if (name.startsWith('Bun')) bun = pinnedBun(process.arch === 'arm64' ? 'arm64' : 'x64');
  }, 120_000);

  it('returns what a command printed when it exits 0', async () => {
    const r = await runBounded('printf', ['%s\\n', 'one', 'two'], { timeoutMs: 10_000, maxBytes: 1024 });
    expect(r).toMatchObject({ ok: true, stdout: 'one\ntwo\n' });
  });

  it('a non-zero exit is a failure, with nothing of its output', async () => {
    const r = await runBounded('sh', ['-c', 'echo partial; exit 3'], { timeoutMs: 10_000, maxBytes: 1024 });
    expect(r).toMatchObject({ ok: false, why: 'exit' });
  });

  it('a missing binary is a failure, not an exception', async () => {
    const r = await runBounded(join(dir, 'no-such-binary'), [], { timeoutMs: 10_000, maxBytes: 1024 });
    expect(r).toMatchObject({ ok: false, why: 'spawn' });
  });

  it('stdin is /dev/null: a command that reads it ends at once', async () => {
    // with stdin inherited or left a pipe, cat would wait for input until the time bound
    const r = await runBounded('cat', [], { timeoutMs: 30_000, maxBytes: 1024 });
    expect(r).toMatchObject({ ok: true, stdout: '' });
  });

  it('past the time bound the command is ended and the run is a timeout', async () => {
    const r = await runBounded('sleep', ['300'], { timeoutMs: 300, maxBytes: 1024 });
    expect(r).toMatchObject({ ok: false, why: 'timeout' });
    await waitFor('the sleeper ended', () => !running(r.pid as number));
  });

  it('a command that ignores SIGTERM is killed', async () => {
    const flag = join(dir, 'stubborn.started');
    // an ignored signal stays ignored across exec: this sleep outlives SIGTERM (the flag tells the
    // shell got as far as ignoring it, so the kill below is what ended it, whatever the load)
    const r = await runBounded('sh', ['-c', `trap '' TERM; touch ${flag}; exec sleep 300`], { timeoutMs: 3000, maxBytes: 1024, killAfterMs: 200 });
    expect(r).toMatchObject({ ok: false, why: 'timeout' });
    expect(existsSync(flag)).toBe(true);
    await waitFor('the stubborn sleeper killed', () => !running(r.pid as number));
  });

  it('output past the byte bound ends the command, and keeps at most the bound', async () => {
    const r = await runBounded('yes', [], { timeoutMs: 60_000, maxBytes: 64 * 1024 });
    expect(r).toMatchObject({ ok: false, why: 'too-big' });
    await waitFor('yes ended', () => !running(r.pid as number));
  });

  it('a grandchild holding stdout open cannot hold the run up past its bounds', async () => {
    const pidFile = join(dir, 'grandchild.pid');
    // the shell exits at once; its background sleep keeps the pipe's write end
    const r = await runBounded('sh', ['-c', `sleep 300 & echo $! > ${pidFile}; echo done`], { timeoutMs: 300, maxBytes: 1024, killAfterMs: 100 });
    expect(r).toMatchObject({ ok: false, why: 'timeout' });
    // the shell writes the file before it prints; killed before that, it started no sleep
    if (existsSync(pidFile)) process.kill(pidFrom(pidFile), 'SIGKILL');
  });
});
