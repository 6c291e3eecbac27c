// `npm pack` must give a package that works through npx / npm i -g: only bin/sshtop, the bundle,
// package.json and README in it; installed into an empty prefix, its sshtop runs with no
// dependency installed beside it (the bundle holds Ink, React and ps-list).
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REPO = new URL('../..', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'sshtop-npm-pack-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('npm pack', () => {
  it('packs only bin/sshtop and the bundle, and the packed tarball installs and runs from an empty prefix', () => {
    expect(existsSync(join(REPO, 'dist/bundle/cli.mjs')), 'dist/bundle is built by npm run build').toBe(true);
    const pack = spawnSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], { cwd: REPO, encoding: 'utf8' });
    expect(pack.status, pack.stderr).toBe(0);
    const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    const paths = info!.files.map((f) => f.path);
    for (const p of paths) expect(p).toMatch(/^(README\.md|LICENSE|package\.json|bin\/sshtop|dist\/bundle\/(cli\.mjs|chunks\/[\w-]+\.mjs))$/);
    expect(paths).toContain('dist/bundle/cli.mjs');

    const prefix = join(tmp, 'prefix');
    const install = spawnSync('npm', ['i', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(tmp, info!.filename)], { encoding: 'utf8', timeout: 240_000 });
    expect(install.status, install.stderr).toBe(0);
    // nothing but sshtop itself: no runtime dependency declared, none installed
    const installed = join(prefix, 'lib', 'node_modules');
    expect(readdirSync(installed)).toEqual(['sshtop']);
    expect(existsSync(join(installed, 'sshtop', 'node_modules')), 'a dependency was installed beside the bundle').toBe(false);
    const manifest = JSON.parse(readFileSync(join(installed, 'sshtop', 'package.json'), 'utf8')) as Record<string, unknown>;
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies', 'bundleDependencies']) expect(manifest[field], field).toBeUndefined();
    const sshtop = join(prefix, 'bin', 'sshtop');
    const version = spawnSync(sshtop, ['--version'], { encoding: 'utf8' });
    expect(version.stdout).toMatch(/^sshtop \d+\.\d+\.\d+/);
    const json = spawnSync(sshtop, ['--json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(json.status, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout).schema).toBe('sshtop/1');
  }, 300_000);
});
