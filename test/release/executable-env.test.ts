// The release executable does not run under runtime options from the environment: Bun reads
// BUN_OPTIONS (--preload, --inspect, …), BUN_INSPECT* and BUN_JSC_* in a compiled executable too,
// and sshtop runs as root (docs/packaging.md). It refuses with one line and exit 2 before any of
// its modules runs; an empty BUN_OPTIONS changes nothing and is accepted; NODE_OPTIONS is not read
// by Bun at all. Its stdout, written to fd 1 directly, answers a closed pipe and a full one as
// Node's does. The executable is built first when dist/release has none (npm run release, x64).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executablePath } from '../../scripts/release.mjs';
import { throughNonblockingPipe, withClosedStdout } from '../support/stdout-checks.js';

const REPO = new URL('../..', import.meta.url).pathname;
const CI = process.env.CI === 'true';
const reason = process.arch === 'x64' ? undefined : `the executable is built and run here for x64 only, not ${process.arch}`;
if (reason && CI) throw new Error(reason);
const exe = executablePath('x64');
const tmp = mkdtempSync(join(tmpdir(), 'sshtop-exe-env-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** the executable with exactly this environment besides PATH */
function run(env: Record<string, string>, args = ['--version']) {
  return spawnSync(exe, args, { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, timeout: 20_000 });
}

describe.skipIf(reason !== undefined)('the release executable and the environment', () => {
  beforeAll(() => {
    if (existsSync(exe)) return;
    const b = spawnSync(process.execPath, ['scripts/release.mjs'], { cwd: REPO, encoding: 'utf8', env: { ...process.env, SSHTOP_RELEASE_ARCH: 'x64' } });
    if (b.status !== 0) throw new Error(`npm run release: ${b.stderr}`);
  }, 300_000);

  it('runs with none of them set, and with an empty BUN_OPTIONS', () => {
    for (const env of [{}, { BUN_OPTIONS: '' }] as Record<string, string>[]) {
      const r = run(env);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^sshtop \d+\.\d+\.\d+\n$/);
    }
  });

  it.each([
    ['BUN_OPTIONS', { BUN_OPTIONS: '--smol' }],
    ['BUN_JSC_useJIT', { BUN_JSC_useJIT: 'true' }],
    ['BUN_INSPECT', { BUN_INSPECT: 'ws://127.0.0.1:9/sshtop-test' }],
  ])('refuses %s before doing anything (%j)', (name, env) => {
    for (const args of [['--version'], ['--json']]) {
      const r = run(env, args);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`sshtop: refusing to run: ${name} would change the Bun runtime compiled into sshtop (preload scripts, an inspector, JIT options); unset it (env -u NAME sshtop ...)\n`);
    }
  });

  it('stops after a preload, before sshtop prints or reads anything', () => {
    const marker = join(tmp, 'preloaded');
    const preload = join(tmp, 'preload.js');
    writeFileSync(preload, `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\n`);
    const r = run({ BUN_OPTIONS: `--preload=${preload}` }, ['--json']);
    // the preload ran (Bun runs it before the executable's code): what is refused is what follows
    expect(existsSync(marker)).toBe(true);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
  });

  // its stdout is written to fd 1 directly (src/commands/stdout.ts), as under Node
  it('its output: a reader that went away ends it quietly; a full non-blocking pipe gets all of it', async () => {
    expect(await withClosedStdout([exe, '--json'])).toEqual({ code: 0, stderr: '' });
    const fx = join(REPO, 'test', 'fixtures', 'openssh-9.2p1');
    const got = throughNonblockingPipe([exe, '--json', '--proc-root', `${fx}/proc`, '--dev-root', `${fx}/dev`, '--passwd', `${fx}/passwd`]);
    expect(got.stderr).toBe('');
    expect(got.code).toBe(0);
    // 30 KB through a 4 KiB pipe: the whole document, which parses
    expect(got.out.length).toBeGreaterThan(16 * 1024);
    expect((JSON.parse(got.out) as { schema: string }).schema).toBe('sshtop/1');
  });

  // ui.mjs is imported by a path computed at run time (scripts/release.mjs), which resolves against
  // the folder the executable was built in: a file planted there must not be what root's sshtop runs
  it('loads its own screen code, not a ui.mjs planted where it was built', () => {
    const stage = join(dirname(exe), '..', '.stage');
    const planted = join(stage, 'ui.mjs');
    const marker = join(tmp, 'planted-ran');
    mkdirSync(stage, { recursive: true });
    writeFileSync(planted, `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\nexport const loadTui = () => { throw new Error('planted'); };\nexport const loadOnceInk = loadTui;\n`);
    try {
      const fx = join(REPO, 'test', 'fixtures', 'openssh-9.2p1');
      // on a terminal, with colour, --once draws with Ink: the code in ui.mjs
      const cmd = [exe, '--once', '--proc-root', `${fx}/proc`, '--dev-root', `${fx}/dev`, '--passwd', `${fx}/passwd`].join(' ');
      const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm-256color' }, timeout: 20_000 });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain('\u001b[');
      expect(r.stdout).toMatch(/┌.*┐/);
      expect(r.stdout).not.toContain('planted');
      expect(existsSync(marker)).toBe(false);
    } finally {
      rmSync(stage, { recursive: true, force: true });
    }
  });

  it('does not read NODE_OPTIONS', () => {
    const marker = join(tmp, 'node-options');
    const script = join(tmp, 'node-options.cjs');
    writeFileSync(script, `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\n`);
    const r = run({ NODE_OPTIONS: `--require=${script}` });
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(marker)).toBe(false);
  });
});
