// npm run build: compile src/ with tsc into dist/, then bundle dist/cli/main.js into dist/bundle/ with
// esbuild (cli.mjs plus lazily loaded chunks), which bin/sshtop imports. Plain .mjs so the build
// itself needs nothing compiled. The esbuild options are exported: scripts/release.mjs bundles the
// executable's single file with the same ones, so the npm bundle and the executable cannot drift.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const REPO = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

/** what every sshtop bundle is built with: the npm package's and the release executable's */
export const bundleOptions = {
  // relative paths below (entry, alias, outdir) are read from the repository root
  absWorkingDir: REPO,
  // one file plus chunks: startup reads no node_modules tree
  bundle: true,
  // Node built-ins stay imports (node:fs, node:child_process, …)
  platform: 'node',
  // ESM output: Ink, React 19 and the dynamic imports of each mode are ESM
  format: 'esm',
  // package.json's engines: node >= 20, so no down-levelling
  target: 'node20',
  // warnings and errors only, as the CLI's --log-level=warning
  logLevel: 'warning',
  // smaller files load faster; sshtop measures its own load time
  minify: true,
  // React's and Ink's production paths (no dev checks, no devtools hooks)
  define: { 'process.env.NODE_ENV': '"production"' },
  // no license comment blocks in the output
  legalComments: 'none',
  // Ink loads react-devtools-core only when DEV=true; the stub stands in for that optional dependency
  alias: { 'react-devtools-core': './src/ui/devtools-stub.ts' },
  // bundled CommonJS dependencies call require(); an ESM file has none, so make one
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
};

/** the npm package's bundle: split per mode, in dist/bundle/ */
export const npmBundleOptions = {
  ...bundleOptions,
  // named cli: the bundle stays dist/bundle/cli.mjs, which bin/sshtop imports
  entryPoints: { cli: 'dist/cli/main.js' },
  // each mode's dynamic import (cli.ts) becomes its own chunk, loaded only when that mode runs
  splitting: true,
  // chunks in their own folder, named by module and content hash
  chunkNames: 'chunks/[name]-[hash]',
  // .mjs: node treats the files as ESM wherever they are, without a package.json beside them
  outExtension: { '.js': '.mjs' },
  // dist/bundle/cli.mjs (bin/sshtop imports it) and dist/bundle/chunks/
  outdir: 'dist/bundle',
};

async function main() {
  // a stale file from a removed module must not survive in dist/
  rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
  // the type check and the ES2022 modules esbuild bundles (the bundle is built from dist/, not src/)
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: REPO, stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  await build(npmBundleOptions);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
