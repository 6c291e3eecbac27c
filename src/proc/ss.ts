// Runs `ss -tinHe` (iproute2) for TCP_INFO figures /proc/net/tcp lacks: last send/receive/ack
// times, byte counters, RTT. Optional: without ss, sshtop works from /proc alone.
import { parseSs, type SsInfo } from './parse-ss.js';
import { runBounded } from './run-bounded.js';

/** what ss printed for every established TCP socket; null without ss, or when it failed */
export async function runSs(timeoutMs = 1500): Promise<string | null> {
  // bounded like every child: a machine with very many connections must not stall or bloat a tick
  const run = await runBounded('ss', ['-tinHe', 'state', 'established'], { timeoutMs, maxBytes: 32 * 1024 * 1024 });
  return run.ok ? run.stdout : null;
}

/**
 * The figures of the sockets in `inodes` (the sessions' connections) from runSs's text. Parsed
 * when they are wanted: a one-shot starts ss before its read, which tells which sockets count.
 */
export function ssFigures(text: string | null, inodes: ReadonlySet<number>): Map<number, SsInfo> | null {
  if (text === null) return null;
  const out = new Map<number, SsInfo>();
  for (const s of parseSs(text, inodes)) out.set(s.inode, s);
  return out;
}
