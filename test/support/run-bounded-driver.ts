// Runs one runBounded case in the runtime that runs this file, and prints its result as JSON: how
// test/proc/run-bounded.test.ts checks the release executable's runtime (Bun, which runs
// TypeScript as it is) against the same cases as Node's.
//   bun test/support/run-bounded-driver.ts '{"file":"sleep","args":["300"],"bounds":{...}}'
import { runBounded, type Bounds } from '../../src/proc/run-bounded.js';

const c = JSON.parse(process.argv[2] ?? '{}') as { file: string; args: string[]; bounds: Bounds };
const runtime = (globalThis as { Bun?: unknown }).Bun ? 'bun' : 'node';
const result = await runBounded(c.file, c.args, c.bounds);
process.stdout.write(JSON.stringify({ runtime, result }) + '\n');
