#!/usr/bin/env node
// The last step of `npm test`: what users run is what is tested. The real-daemon suites run again
// against the release executable (SSHTOP_UNDER_TEST). An executable older than the sources is
// built again first (`npm run release`, x64 only here: the arm64 one cannot run on this machine).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { executablePath, ROOT } from './release.mjs';

/** newest modification time below dir (the sources the executable is built from) */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const exe = executablePath('x64');
const sources = Math.max(newest(join(ROOT, 'src')), statSync(join(ROOT, 'package.json')).mtimeMs);
if (!existsSync(exe) || statSync(exe).mtimeMs < sources) {
  console.error(`test-artifact: building ${exe} (missing or older than src/)`);
  const r = spawnSync('node', [join(ROOT, 'scripts', 'release.mjs')], { stdio: 'inherit', env: { ...process.env, SSHTOP_RELEASE_ARCH: 'x64' } });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
console.error(`test-artifact: the e2e suites against ${exe}`);
// one suite at a time: this pass is about the executable, not about how the suites share 2 cores
const r = spawnSync('npx', ['vitest', 'run', '--project', 'e2e', '--no-file-parallelism'], { stdio: 'inherit', cwd: ROOT, env: { ...process.env, SSHTOP_UNDER_TEST: exe } });
process.exit(r.status ?? 1);
