// Entry point: parse arguments, pick the mode, map failures to exit codes (0 ok, 1 runtime, 2 usage).
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setUpLocalTimeAside } from '../commands/local-time.js';
import { stdoutTerminal, writeOut } from '../commands/stdout.js';
import { outputColumns, parseCommandLine, quote, UsageError, USAGE, type CommonOptions } from './args.js';

// Each mode imports only what it needs (Ink alone costs ~150 ms to load): bad usage and --json
// answer fast, and the bundle is split per mode.

function version(): string {
  // dist/cli/main.js (tsc) and dist/bundle/cli.mjs (the shipped bundle) both sit two below the package
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name?: string; version: string };
  if (pkg.name !== 'sshtop') throw new Error('package.json not found');
  return pkg.version;
}

/**
 * Ink's layout engine (yoga) loads its inlined wasm through fetch() when fetch exists, which loads
 * Node's whole fetch implementation (undici) on start: ~40 ms before the first frame. Without
 * fetch it decodes the same bytes itself. sshtop never uses fetch; it is put back at once.
 */
async function loadUi(): Promise<typeof import('../commands/tui.js')> {
  const g = globalThis as { fetch?: typeof fetch };
  const saved = Object.getOwnPropertyDescriptor(g, 'fetch');
  try {
    if (saved?.configurable) delete g.fetch;
    return await import('../commands/tui.js');
  } finally {
    if (saved?.configurable) Object.defineProperty(g, 'fetch', saved);
  }
}

/**
 * The testing options name a captured tree: a --proc-root that is not one would fall back to the
 * live process list (ps-list) and show live processes as if they were the capture.
 */
function checkCapturedTree(o: CommonOptions): void {
  const kind = (path: string) => {
    try {
      const st = statSync(path);
      return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
    } catch {
      return 'none';
    }
  };
  if (o.procRoot !== undefined && kind(join(o.procRoot, 'stat')) !== 'file')
    throw new UsageError(`--proc-root: ${quote(o.procRoot)} is not a /proc tree (it has no stat file)`);
  if (o.devRoot !== undefined && kind(o.devRoot) !== 'dir') throw new UsageError(`--dev-root: ${quote(o.devRoot)} is not a directory`);
  if (o.passwd !== undefined && kind(o.passwd) !== 'file') throw new UsageError(`--passwd: ${quote(o.passwd)} is not a file`);
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseCommandLine(argv, process.env);
  if (parsed.kind === 'help') {
    writeOut((parsed.topic === 'reap' ? (await import('./reap-args.js')).REAP_USAGE : USAGE) + '\n');
    return 0;
  }
  if (parsed.kind === 'version') {
    writeOut(`sshtop ${version()}\n`);
    return 0;
  }
  const o = parsed.options;
  checkCapturedTree(o);
  let mode = o.mode;
  // no terminal to draw on: the default mode prints the table instead of failing
  if ((mode === 'tui' || mode === 'watch') && !stdoutTerminal().isTTY) mode = 'once';
  if (mode === 'reap') {
    const { parseReapArgs, REAP_USAGE } = await import('./reap-args.js');
    const reap = parseReapArgs(o.rest, o);
    if (reap.help) {
      writeOut(REAP_USAGE + '\n');
      return 0;
    }
    const { runReap } = await import('../commands/reap.js');
    return runReap(o, reap);
  }
  // local times are shown by --once and the screen: their time zone is set up while /proc is read
  if (mode !== 'json') setUpLocalTimeAside();
  const { sourceFor } = await import('../collect/collector.js');
  const source = sourceFor(o);
  if (mode === 'json') return (await import('../commands/json.js')).runJson(o, source);
  if (mode === 'once') {
    const { runOnce } = await import('../commands/once.js');
    const term = stdoutTerminal();
    return runOnce(o, source, { color: o.color && term.isTTY, columns: outputColumns(term.columns, process.env) });
  }
  // Ink draws nothing live while CI or CONTINUOUS_INTEGRATION is set (it waits for unmount), and
  // reads them once, when it loads. sshtop only gets here with a terminal on stdout: it draws.
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  const { runTui } = await loadUi();
  return runTui(o, source, mode === 'watch');
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      // one line, whatever slipped into a message unquoted
      process.stderr.write(`sshtop: ${err.message.replace(/[\r\n]+/g, ' ')} (see sshtop --help)\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`sshtop: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
