// Parser for `ss -tinHe` output (iproute2): per-socket TCP_INFO figures, keyed by socket inode.
export interface SsInfo {
  inode: number;
  local: string;
  peer: string;
  sendQ: number;
  recvQ: number;
  rttMs: number | null;
  rtoMs: number | null;
  /** `backoff:` times the RTO was doubled (ss prints it only when not 0) */
  backoff: number;
  /** second figure of `rtt:srtt/rttvar` */
  rttVarMs: number | null;
  /** ms since the last data was sent / received / acked */
  lastSndMs: number | null;
  lastRcvMs: number | null;
  lastAckMs: number | null;
  bytesSent: number | null;
  bytesAcked: number | null;
  bytesReceived: number | null;
  /** `retrans:current/total` */
  retransCurrent: number | null;
  retransTotal: number | null;
  /** `timer:(name,time,retransmits)` */
  timer: string | null;
}

function rttVar(v: string | undefined): number | null {
  const text = v?.split('/')[1] ?? '';
  const n = Number(text);
  return /^\d/.test(text) && Number.isFinite(n) ? n : null;
}

const STATE_WORD = /^[A-Z][A-Z0-9-]*$/;

/** the number after the record's first ` ino:` (-1 when it has none): looked at before anything is split */
function inodeOf(record: string): number {
  const at = record.indexOf(' ino:');
  if (at < 0) return -1;
  let n = 0;
  let i = at + 5;
  for (let c = record.charCodeAt(i); c >= 48 && c <= 57; c = record.charCodeAt(++i)) n = n * 10 + (c - 48);
  return i === at + 5 ? -1 : n;
}

/**
 * ss prints one socket on a line and its TCP_INFO on an indented continuation line. With `only`,
 * just the sockets whose inode is in it, and the others skipped before their line is split: on a
 * busy server ss lists every connection of the machine, of which sshtop wants its sessions' few.
 */
export function parseSs(text: string, only?: ReadonlySet<number>): SsInfo[] {
  const joined: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (/^\s/.test(line) && joined.length > 0) joined[joined.length - 1] += ' ' + line.trim();
    else joined.push(line.trim());
  }
  const out: SsInfo[] = [];
  for (const line of joined) {
    if (only && !only.has(inodeOf(line))) continue;
    const f = line.split(/\s+/);
    if (STATE_WORD.test(f[0] ?? '')) f.shift();
    const [recvQ, sendQ, local, peer] = f;
    const kv = new Map<string, string>();
    for (const tok of f.slice(4)) {
      const i = tok.indexOf(':');
      if (i > 0 && !kv.has(tok.slice(0, i))) kv.set(tok.slice(0, i), tok.slice(i + 1));
    }
    const inode = Number(kv.get('ino'));
    if (!Number.isInteger(inode) || inode <= 0 || local === undefined || peer === undefined || (only && !only.has(inode))) continue;
    const num = (k: string): number | null => {
      const v = kv.get(k);
      if (v === undefined) return null;
      const n = Number(v.split('/')[0]);
      return Number.isFinite(n) ? n : null;
    };
    const retrans = kv.get('retrans')?.split('/');
    // a garbled count reads as 0, never NaN or Infinity
    const count = (v: string | undefined): number => (Number.isFinite(Number(v)) ? Number(v) : 0);
    out.push({
      inode,
      local,
      peer,
      sendQ: count(sendQ),
      recvQ: count(recvQ),
      rttMs: num('rtt'),
      rtoMs: num('rto'),
      backoff: num('backoff') ?? 0,
      rttVarMs: rttVar(kv.get('rtt')),
      lastSndMs: num('lastsnd'),
      lastRcvMs: num('lastrcv'),
      lastAckMs: num('lastack'),
      bytesSent: num('bytes_sent'),
      bytesAcked: num('bytes_acked'),
      bytesReceived: num('bytes_received'),
      retransCurrent: retrans ? count(retrans[0]) : null,
      retransTotal: retrans ? count(retrans[1] ?? retrans[0]) : null,
      timer: /^\(([^)]*)\)$/.exec(kv.get('timer') ?? '')?.[1] ?? null,
    });
  }
  return out;
}
