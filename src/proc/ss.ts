// Runs `ss -tinHe` (iproute2) for TCP_INFO figures /proc/net/tcp lacks: last send/receive/ack
// times, byte counters, RTT. Optional: without ss, sshtop works from /proc alone.
import { parseSs, type SsInfo } from './parse-ss.js';
import { runBounded } from './run-bounded.js';

export async function readSs(timeoutMs = 1500): Promise<Map<number, SsInfo> | null> {
  // bounded like every child: a machine with very many connections must not stall or bloat a tick
  const run = await runBounded('ss', ['-tinHe', 'state', 'established'], { timeoutMs, maxBytes: 32 * 1024 * 1024 });
  if (!run.ok) return null;
  const out = new Map<number, SsInfo>();
  for (const s of parseSs(run.stdout)) out.set(s.inode, s);
  return out;
}
