// `sshtop --json`: one read, printed as the sshtop/1 schema. The output context (host, source,
// the system's policy) is assembled here, not by the collector.
import { hostname } from 'node:os';
import type { CommonOptions } from '../cli/args.js';
import { createCollector, type Collected } from '../collect/collector.js';
import type { SnapshotSource } from '../proc/source.js';
import { formatJson, type JsonContext } from '../report/json.js';
import { writeOut } from './stdout.js';

/** what a JSON document says besides the model: where it was read, from what, under which policy */
export function jsonContextOf(c: Collected): JsonContext {
  return { host: hostname(), source: c.snap.source, missing: c.snap.missing, policy: c.policy };
}

export async function runJson(o: CommonOptions, source: SnapshotSource): Promise<number> {
  const collected = await createCollector(source, o).take();
  writeOut(formatJson(collected.model, jsonContextOf(collected)));
  return 0;
}
