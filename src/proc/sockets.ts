// TCP sockets of the session processes, per network namespace (read through a process living in
// it). The tables are costly to generate, so they are re-read only every netRefreshMs or when a
// socket appears that they do not hold yet, and tcp6 only when tcp lacks one.
import { join } from 'node:path';
import { parseNetTcp } from './parse.js';
import type { ProcFiles } from './proc-files.js';
import type { ProcEntry, TcpSocket } from './types.js';

/**
 * How often the TCP tables are re-read for the connections' state (queues, timers: a dead peer).
 * The kernel formats every TCP socket of the namespace for each read (~4.5 ms here with 200), so
 * the cost follows the machine's connections, not its sessions; a new socket is looked up at once.
 */
export const NET_REFRESH_MS = 10_000;
/** inodes in neither TCP table are looked for again every this many net refreshes */
const NON_TCP_RECHECK = 10;

interface NetCache {
  at: number;
  sockets: Map<number, TcpSocket>;
  /** inodes seen in fd dirs that are in neither table (unix sockets) */
  nonTcp: Set<number>;
  /** when the nonTcp inodes were last looked for in both tables */
  nonTcpAt: number;
  /** the process the tables were read through; kept while it lives, so one pair of held descriptors serves */
  via: number;
}

export class TcpTables {
  private netCache = new Map<string, NetCache>();

  constructor(
    private readonly files: ProcFiles,
    private readonly refreshMs = NET_REFRESH_MS,
  ) {}

  /** the TCP sockets among the inodes `procs` hold, by inode */
  read(procs: ReadonlyMap<number, ProcEntry>, now: number): Map<number, TcpSocket> {
    const byNs = new Map<string, { pid: number; inodes: Set<number> }>();
    for (const p of procs.values()) {
      if (!p.sockets || p.sockets.length === 0) continue;
      const key = p.netns ?? '';
      const group = byNs.get(key) ?? { pid: p.pid, inodes: new Set<number>() };
      if (this.netCache.get(key)?.via === p.pid) group.pid = p.pid;
      for (const i of p.sockets) group.inodes.add(i);
      byNs.set(key, group);
    }
    const out = new Map<number, TcpSocket>();
    const refresh = this.refreshMs;
    for (const [key, { pid, inodes }] of byNs) {
      let cache = this.netCache.get(key);
      const unknown = (c: NetCache) => [...inodes].some((i) => !c.sockets.has(i) && !c.nonTcp.has(i));
      if (!cache || now - cache.at >= refresh || unknown(cache)) {
        // unix sockets stay out of both tables: looking for them in tcp6 on every refresh would
        // read the costlier table for nothing, so they are looked for again only now and then
        const keep = cache && now - cache.nonTcpAt < refresh * NON_TCP_RECHECK ? cache : undefined;
        const next: NetCache = { at: now, sockets: new Map(), nonTcp: new Set(), nonTcpAt: keep ? keep.nonTcpAt : now, via: pid };
        if (keep) for (const i of keep.nonTcp) if (inodes.has(i)) next.nonTcp.add(i);
        for (const file of ['tcp', 'tcp6']) {
          if (file === 'tcp6' && !unknown(next)) break;
          const text = this.readNetTable(pid, file);
          for (const s of text === undefined ? [] : parseNetTcp(text)) {
            if (!inodes.has(s.inode)) continue;
            next.sockets.set(s.inode, s);
            next.nonTcp.delete(s.inode);
          }
        }
        for (const i of inodes) if (!next.sockets.has(i)) next.nonTcp.add(i);
        cache = next;
        this.netCache.set(key, cache);
      }
      for (const [i, s] of cache.sockets) out.set(i, s);
    }
    for (const k of this.netCache.keys()) if (!byNs.has(k)) this.netCache.delete(k);
    return out;
  }

  /** /proc/<pid>/net/tcp{,6} through a held descriptor (the tables are re-read every few seconds) */
  private readNetTable(pid: number, file: string): string | undefined {
    try {
      return this.files.held.read(pid, `net/${file}`, 'latin1');
    } catch (e) {
      this.files.noteIfDenied(e);
      return this.files.readText(join(this.files.procRoot, 'net', file));
    }
  }
}

/** the local ports of a process's UDP sockets (`inodes`), from the tables of its own namespace */
export function udpPortsOf(files: ProcFiles, pid: number, inodes: readonly number[]): number[] {
  const wanted = new Set(inodes);
  const ports = new Set<number>();
  for (const file of ['udp', 'udp6']) {
    const text = files.readText(join(files.dir(pid), 'net', file));
    // the UDP tables have the TCP tables' columns
    for (const s of text === undefined ? [] : parseNetTcp(text)) if (wanted.has(s.inode)) ports.add(s.local.port);
  }
  return [...ports].sort((a, b) => a - b);
}
