// Runs `ss -tinHe` (iproute2) for TCP_INFO figures /proc/net/tcp lacks: last send/receive/ack
// times, byte counters, RTT. Optional: without ss, sshtop works from /proc alone.
import { execa } from 'execa';
import { parseSs, type SsInfo } from './parse-ss.js';

export async function readSs(timeoutMs = 1500): Promise<Map<number, SsInfo> | null> {
  try {
    // bounded like every child: a machine with very many connections must not stall or bloat a tick
    const { stdout } = await execa('ss', ['-tinHe', 'state', 'established'], { timeout: timeoutMs, forceKillAfterDelay: 500, maxBuffer: 32 * 1024 * 1024, stdin: 'ignore', reject: true });
    const out = new Map<number, SsInfo>();
    for (const s of parseSs(stdout)) out.set(s.inode, s);
    return out;
  } catch {
    return null;
  }
}
