// How a command's stdout copes with its reader: one that went away before anything was written,
// and a non-blocking 4 KiB pipe read only after half a second (nonblocking-pipe.py). Shared by
// the CLI's tests (Node) and the release executable's.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const REPO = new URL('../..', import.meta.url).pathname;

/** argv run with its stdout closed before it writes: its exit code and what it said on stderr */
export async function withClosedStdout(argv: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  // closed before it writes: its write fails with EPIPE
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return { code, stderr };
}

/** argv run with its stdout on a full non-blocking pipe (its writes meet EAGAIN) */
export function throughNonblockingPipe(argv: readonly string[]): { code: number; stderr: string; out: string } {
  const r = spawnSync('python3', [join(REPO, 'test', 'support', 'nonblocking-pipe.py'), ...argv], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`nonblocking-pipe.py: ${r.stderr}`);
  return JSON.parse(r.stdout) as { code: number; stderr: string; out: string };
}
