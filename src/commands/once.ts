// `sshtop --once` (and the default mode without a terminal): one read, printed as a table.
import type { CommonOptions } from '../cli/args.js';
import { createCollector } from '../collect/collector.js';
import type { SnapshotSource } from '../proc/source.js';
import type { OnceOptions } from '../report/once.js';
import { writeOut } from './stdout.js';

export async function runOnce(o: CommonOptions, source: SnapshotSource, out: OnceOptions): Promise<number> {
  const [{ formatOnce }, { model }] = await Promise.all([import('../report/once.js'), createCollector(source, o).take()]);
  // Ink is loaded only where the plain table could differ from what it draws (report/once.ts)
  writeOut(await formatOnce(model, out));
  return 0;
}
