#!/usr/bin/env node
// `npm run release`: the self-contained executables (Linux x86_64 and arm64) and their tarballs,
// from the sources and pinned inputs only:
//
//   src/cli/main.ts ──esbuild (this package's pinned version, scripts/build.mjs's options)──▶ one ESM file
//             ──bun build --compile --bytecode (Bun from the npm registry, packaging/pins.json:
//               exact version + integrity hash)──▶ dist/release/sshtop-<v>-linux-<arch>/sshtop
//
// Reproducible: the same inputs give the same bytes (no timestamps: file times in the tarballs
// are SOURCE_DATE_EPOCH, default the last commit's time; gzip without a name or time). Offline
// once the pinned runtimes are in the cache (SSHTOP_RELEASE_CACHE, default ~/.cache/sshtop-release)
// or in npm's own cache (`npm pack --prefer-offline`). Why Bun: docs/packaging.md.
//
// Options (environment): SSHTOP_RELEASE_ARCH=x64,arm64 (default both), SSHTOP_RELEASE_CACHE.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { bundleOptions } from './build.mjs';

export const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
export const RELEASE_DIR = join(ROOT, 'dist', 'release');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const pins = JSON.parse(readFileSync(join(ROOT, 'packaging', 'pins.json'), 'utf8'));
export const VERSION = pkg.version;
/** Debian's and Node's names for the architectures */
export const DEB_ARCH = { x64: 'amd64', arm64: 'arm64' };
export const ELF_MACHINE = { x64: 'x86-64', arm64: 'ARM aarch64' };

export const artifactName = (arch) => `sshtop-${VERSION}-linux-${arch}`;
export const executablePath = (arch) => join(RELEASE_DIR, artifactName(arch), 'sshtop');

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${(r.stderr || r.stdout || '').trim().slice(-2000)}`);
  return r.stdout;
}

export function sourceDateEpoch() {
  if (/^\d+$/.test(process.env.SOURCE_DATE_EPOCH ?? '')) return Number(process.env.SOURCE_DATE_EPOCH);
  const r = spawnSync('git', ['log', '-1', '--format=%ct'], { cwd: ROOT, encoding: 'utf8' });
  return r.status === 0 && /^\d+\s*$/.test(r.stdout) ? Number(r.stdout) : 0;
}

/** the pinned runtime's tarball, from the cache or the registry, refused unless its hash is the pin's */
export function fetchPinned(pin) {
  const cache = process.env.SSHTOP_RELEASE_CACHE ?? join(homedir(), '.cache', 'sshtop-release');
  mkdirSync(cache, { recursive: true });
  const file = join(cache, `${pin.package.replace(/^@/, '').replace('/', '-')}-${pin.version}.tgz`);
  const [algo, want] = pin.integrity.split(/-(.*)/s);
  const ok = (f) => existsSync(f) && createHash(algo).update(readFileSync(f)).digest('base64') === want;
  if (!ok(file)) {
    // packed into a folder of this process's own, then renamed into place: two test files (or
    // two builds) fetching at once never see each other's half-written tarball
    const own = mkdtempSync(join(cache, '.fetch-'));
    try {
      // npm's own cache answers first: offline once it has been fetched anywhere on this machine
      run('npm', ['pack', '--prefer-offline', '--silent', '--pack-destination', own, `${pin.package}@${pin.version}`], { cwd: own });
      const packed = join(own, basename(file));
      if (!ok(packed)) throw new Error(`${pin.package}@${pin.version}: the tarball does not match the integrity hash pinned in packaging/pins.json`);
      renameSync(packed, file);
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  }
  return file;
}

/** the pinned Bun for `arch`, unpacked next to its tarball */
export function pinnedBun(arch) {
  const pin = pins.bun[arch];
  if (!pin) throw new Error(`no pinned Bun for ${arch} in packaging/pins.json`);
  const tgz = fetchPinned(pin);
  const dir = tgz.replace(/\.tgz$/, '');
  const bin = join(dir, 'package', 'bin', 'bun');
  if (!existsSync(bin)) {
    // unpacked beside, then renamed into place whole (see fetchPinned); whoever renames first wins
    const own = mkdtempSync(`${dir}.unpack-`);
    try {
      run('tar', ['-xzf', tgz, '-C', own]);
      chmodSync(join(own, 'package', 'bin', 'bun'), 0o755);
      try {
        renameSync(own, dir);
      } catch {
        // another process's unpacking is already in place; a stale half one is replaced
        if (!existsSync(bin)) {
          rmSync(dir, { recursive: true, force: true });
          renameSync(own, dir);
        }
      }
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  }
  return bin;
}

/**
 * The version is read by src/cli/main.ts from `../../package.json` next to its own URL. Inside the
 * executable every module lives at /$bunfs/root/<name>; the embedded package.json is at
 * /$bunfs/root/package.json. So main.ts alone is told it sits two folders below that.
 */
const embeddedUrl = {
  name: 'sshtop-embedded-url',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]cli[\\/]main\.ts$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replaceAll('import.meta.url', JSON.stringify('file:///$bunfs/root/lib/cli/main.js')),
      loader: 'ts',
    }));
  },
};

/**
 * Runs first in the executable, before any module of sshtop: the Bun runtime compiled into it
 * takes options from the environment (BUN_OPTIONS: --preload, --inspect, …; BUN_INSPECT*; the
 * JIT's BUN_JSC_*). sshtop runs as root and signals sessions, so it does not run under options it
 * was not built with (docs/packaging.md). A preload has run by now; an inspector would stay open.
 */
export const RUNTIME_GUARD =
  // the staged bundle run by a plain bun (to profile it) says false; anything else is guarded
  "if(globalThis.Bun?.isStandaloneExecutable!==false){const n=Object.keys(process.env).filter(k=>process.env[k]!==''&&(k==='BUN_OPTIONS'||k.startsWith('BUN_INSPECT')||k.startsWith('BUN_JSC_'))).sort();" +
  "if(n.length>0||process.execArgv.length>0){process.stderr.write('sshtop: refusing to run: '+(n.join(', ')||'runtime options')+' would change the Bun runtime compiled into sshtop (preload scripts, an inspector, JIT options); unset '+(n.length>1?'them':'it')+' (env -u NAME sshtop ...)\\n');process.exit(2)}}";

/**
 * The screen's side (Ink, React, yoga: nine tenths of the code) is a second embedded file, which
 * the CLI loads only when it draws with Ink: a one-shot (--json, --once, reap) then loads a tenth
 * of the code at start-up (4-5 against 8-11 ms from exec to the first line, measured). Bun compiles
 * an import of a literal path into the importing file, so the CLI's imports of the screen are
 * given a path Bun cannot read ahead of time; at run time it resolves to the embedded ui.mjs.
 */
const UI_FILE = 'ui.mjs';
/**
 * What ui.mjs exports: a loader per module the CLI imports. Loaders, not the modules: yoga-layout
 * awaits its wasm at the top level, which Bun's bytecode allows only inside esbuild's lazy wrapper.
 */
const UI_MODULES = { '../commands/tui.js': ['loadTui', './src/commands/tui.tsx'], './once-ink.js': ['loadOnceInk', './src/report/once-ink.tsx'] };
const UI_ENTRY = Object.values(UI_MODULES).map(([name, path]) => `export const ${name} = () => import('${path}');\n`).join('');
const uiApart = {
  name: 'sshtop-ui-apart',
  setup(b) {
    // the CLI's (main.ts) and --once's Ink fallback (once.ts), each marked by its loader's name
    const specifiers = Object.keys(UI_MODULES).map((k) => k.replace(/[./]/g, '\\$&'));
    b.onResolve({ filter: new RegExp(`^(${specifiers.join('|')})$`) }, (args) =>
      args.kind === 'dynamic-import' ? { path: `sshtop-ui:${UI_MODULES[args.path][0]}`, external: true } : undefined,
    );
  },
};

/** the CLI's file, ui.mjs, and the licences of what went into them */
export async function bundle(stage) {
  mkdirSync(stage, { recursive: true });
  // the npm bundle's options (scripts/build.mjs), from src/ and as two files: Bun embeds each whole
  const cli = await build({
    ...bundleOptions,
    banner: { js: bundleOptions.banner.js + RUNTIME_GUARD },
    entryPoints: ['src/cli/main.ts'],
    outfile: join(stage, 'sshtop.mjs'),
    metafile: true,
    plugins: [embeddedUrl, uiApart],
  });
  const ui = await build({
    ...bundleOptions,
    stdin: { contents: UI_ENTRY, resolveDir: ROOT, sourcefile: 'ui-entry.ts', loader: 'ts' },
    outfile: join(stage, UI_FILE),
    metafile: true,
  });
  const text = readFileSync(join(stage, 'sshtop.mjs'), 'utf8');
  if (!text.includes('$bunfs/root/lib/cli/main.js')) throw new Error('the version lookup in src/cli/main.ts was not redirected');
  let found = 0;
  const split = text.replace(/import\("sshtop-ui:(\w+)"\)/g, (_, name) => {
    found++;
    return `import(globalThis.String("./${UI_FILE}")).then((m)=>m.${name}())`;
  });
  if (found !== Object.keys(UI_MODULES).length) throw new Error(`expected the CLI to import the screen in ${Object.keys(UI_MODULES).length} places, found ${found}`);
  writeFileSync(join(stage, 'sshtop.mjs'), split);
  writeFileSync(join(stage, 'package.json'), JSON.stringify({ name: pkg.name, version: pkg.version }) + '\n');
  writeFileSync(join(stage, 'THIRD-PARTY-LICENSES.txt'), licences([cli.metafile, ui.metafile]));
}

/** the licence texts of every package bundled into the executable, and of the runtime */
function licences(metafiles) {
  const dirs = new Set();
  for (const input of metafiles.flatMap((m) => Object.keys(m.inputs))) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) dirs.add(m[1]);
  }
  const parts = [];
  for (const rel of [...dirs].sort()) {
    const dir = join(ROOT, rel);
    const p = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const file = readdirSync(dir).filter((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f)).sort()[0];
    const text = file ? readFileSync(join(dir, file), 'utf8').trim() : `(no licence file in the package; package.json says ${p.license})`;
    parts.push(`${p.name} ${p.version} (${p.license})\n\n${text}`);
  }
  const bun = pins.bun.x64;
  parts.push(
    `Bun ${bun.version} (MIT), the runtime compiled into the executable: https://bun.sh/docs/project/licensing\n\n` +
      'Bun statically links JavaScriptCore and WebKit code (LGPL-2.0), and other libraries whose\n' +
      "licences are listed on that page. Its source: https://github.com/oven-sh/bun at tag bun-v" + bun.version + '.',
  );
  return `sshtop ${pkg.version} bundles the following packages. Each one's licence follows.\n\n` + parts.join('\n\n' + '-'.repeat(72) + '\n\n') + '\n';
}

/** compile the bundle for `arch` with the pinned Bun (the host's Bun compiles, the target's is embedded) */
export function compile(stage, arch, outDir) {
  const hostArch = process.arch === 'arm64' ? 'arm64' : 'x64';
  const bun = pinnedBun(hostArch);
  const target = pinnedBun(arch);
  mkdirSync(outDir, { recursive: true });
  // the executable's name is embedded in it (/$bunfs/root/<name>): always the same name, built in
  // the stage, so the bytes depend on nothing else
  const out = join(stage, 'sshtop');
  rmSync(out, { force: true });
  run(
    bun,
    [
      'build', '--compile', '--bytecode', `--target=bun-linux-${arch === 'x64' ? 'x64' : 'arm64'}`,
      `--compile-executable-path=${target}`,
      // a .env or bunfig.toml in the directory sshtop is started from must not change it (it runs as root)
      '--no-compile-autoload-dotenv', '--no-compile-autoload-bunfig',
      '--asset=package.json', 'sshtop.mjs', UI_FILE, '--outfile', 'sshtop',
    ],
    { cwd: stage, env: { ...process.env, BUN_INSTALL_CACHE_DIR: join(stage, '.bun-cache'), DO_NOT_TRACK: '1' } },
  );
  copyFileSync(out, join(outDir, 'sshtop'));
  chmodSync(join(outDir, 'sshtop'), 0o755);
}

/** a tarball whose bytes depend only on its files' contents */
export function reproducibleTar(parent, name, tgz, epoch) {
  run('sh', ['-c', 'tar --sort=name --mtime="@$1" --owner=0 --group=0 --numeric-owner --mode="u+rw,go+r,go-w" --format=gnu -cf - "$2" | gzip -9n > "$3"', 'tar', String(epoch), name, tgz], { cwd: parent });
}

export function sha256(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

async function main() {
  const arches = (process.env.SSHTOP_RELEASE_ARCH ?? 'x64,arm64').split(',').filter(Boolean);
  for (const a of arches) if (!(a in DEB_ARCH)) throw new Error(`unknown architecture ${a} (x64 or arm64)`);
  const epoch = sourceDateEpoch();
  const stage = join(RELEASE_DIR, '.stage');
  rmSync(RELEASE_DIR, { recursive: true, force: true });
  await bundle(stage);
  const sums = [];
  for (const arch of arches) {
    const name = artifactName(arch);
    const dir = join(RELEASE_DIR, name);
    compile(stage, arch, dir);
    const desc = run('file', ['-b', join(dir, 'sshtop')]);
    if (!desc.includes(`ELF 64-bit LSB executable, ${ELF_MACHINE[arch]}`)) throw new Error(`${name}/sshtop is not an ${ELF_MACHINE[arch]} executable: ${desc}`);
    if (arch === (process.arch === 'arm64' ? 'arm64' : 'x64')) {
      const v = run(join(dir, 'sshtop'), ['--version']).trim();
      if (v !== `sshtop ${VERSION}`) throw new Error(`${name}/sshtop --version printed ${JSON.stringify(v)}`);
    }
    // what goes beside the executable: man pages, completions, licences, the reaper's units
    for (const [from, to] of [
      ['man/sshtop.1', 'man/sshtop.1'],
      ['man/sshtop-reap.1', 'man/sshtop-reap.1'],
      ['completions/sshtop.bash', 'completions/sshtop.bash'],
      ['completions/_sshtop', 'completions/_sshtop'],
      ['packaging/systemd/sshtop-reap.service', 'systemd/sshtop-reap.service'],
      ['packaging/systemd/sshtop-reap.timer', 'systemd/sshtop-reap.timer'],
      ['packaging/default/sshtop', 'systemd/sshtop.default'],
      ['packaging/README.tarball', 'README'],
    ]) {
      mkdirSync(dirname(join(dir, to)), { recursive: true });
      copyFileSync(join(ROOT, from), join(dir, to));
    }
    copyFileSync(join(stage, 'THIRD-PARTY-LICENSES.txt'), join(dir, 'THIRD-PARTY-LICENSES.txt'));
    const tgz = join(RELEASE_DIR, `${name}.tar.gz`);
    reproducibleTar(RELEASE_DIR, name, tgz, epoch);
    sums.push(`${sha256(join(dir, 'sshtop'))}  ${name}/sshtop`, `${sha256(tgz)}  ${name}.tar.gz`);
    console.log(`release: ${name}.tar.gz (${(statSync(tgz).size / 1e6).toFixed(1)} MB; sshtop ${(statSync(join(dir, 'sshtop')).size / 1e6).toFixed(1)} MB)`);
  }
  writeFileSync(join(RELEASE_DIR, 'SHA256SUMS'), sums.join('\n') + '\n');
  rmSync(stage, { recursive: true, force: true });
  console.log(readFileSync(join(RELEASE_DIR, 'SHA256SUMS'), 'utf8').trimEnd());
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`release: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
