// `sshtop --once` (and the default mode without a terminal): one read, printed as a table.
import type { CommonOptions } from '../cli/args.js';
import { createCollector } from '../collect/collector.js';
import type { SnapshotSource } from '../proc/source.js';
import type { OnceOptions } from '../report/once.js';

export async function runOnce(o: CommonOptions, source: SnapshotSource, out: OnceOptions): Promise<number> {
  // Ink's table loads while /proc is read
  const [{ formatOnce }, { model }] = await Promise.all([import('../report/once.js'), createCollector(source, o).take()]);
  process.stdout.write(formatOnce(model, out));
  return 0;
}
