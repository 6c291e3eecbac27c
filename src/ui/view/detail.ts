// The detail pane's text: a session's tree, its connection, every idle source and why it is
// flagged; or a listener's startups and keepalive policy. Pure.
import { formatEndpoint, leftoverEnded, processUser } from '../../model/columns.js';
import { describeDrop } from '../../model/policy.js';
import { sanitize } from '../../text/sanitize.js';
import { formatSeconds } from '../../text/duration.js';
import type { Listener, Session } from '../../model/types.js';
import { describeSession, type Row } from './rows.js';

export function detailLines(s: Session, now: number): string[] {
  const lines: string[] = [];
  const ago = (ms: number) => `${formatSeconds(Math.max(0, Math.floor((now - ms) / 1000)))} ago`;
  lines.push(`${s.kind ?? 'session'} ${s.pid}: ${describeSession(s)}  (${s.kind === undefined ? s.daemon : s.kind})`);
  if (s.leftover) {
    const f = s.leftover;
    lines.push(`  login ${f.loginAt === null ? 'time unknown (before sshtop looked)' : `${new Date(f.loginAt).toLocaleString()} (${ago(f.loginAt)})`}, ${leftoverEnded(f, now)}${f.ttys.length > 0 ? `, on ${f.ttys.join(',')}` : ''}`);
    lines.push(`  tied to its login by ${f.via}${f.sessionId !== null ? ` (audit session ${f.sessionId})` : ''}${f.partial ? ': partial, only what left while sshtop watched or carries SSH_CONNECTION' : ''}`);
  } else lines.push(`  ${s.kind === 'mosh' ? 'started' : 'logged in'} ${new Date(s.startedAt).toLocaleString()} (${ago(s.startedAt)}), listener ${s.listenerPid ?? 'none'}`);
  if (s.loginId && s.kind !== 'leftover') lines.push(`  login: audit session ${s.loginId.sessionId ?? 'unset'}${s.loginId.scope !== null ? `, logind session ${s.loginId.scope}` : ''}`);
  if (s.mosh) lines.push(`  mosh: UDP port ${s.mosh.udpPorts.join(', ') || '?'} (the client roams; the address is the SSH login's that started it)`);
  const from = s.remote || !s.remoteHost ? formatEndpoint(s.remote) : `${sanitize(s.remoteHost)} (from ${s.sources?.remoteHost ?? 'utmp'})`;
  lines.push(`  connection ${from} → ${formatEndpoint(s.local)}${s.socketInode ? `  socket ${s.socketInode}` : ''}`);
  if (s.login) {
    const l = s.login;
    lines.push(`  login record from ${l.source}: ${sanitize(l.line)} ${sanitize(l.user)} from ${sanitize(l.address ?? l.host)}${l.address && l.host !== l.address ? ` (${sanitize(l.host)})` : ''} at ${new Date(l.at).toLocaleString()}, sshd pid ${l.pid}`);
  }
  if (s.net) {
    const n = s.net;
    const ms = (v: number | null) => (v === null ? '?' : `${formatSeconds(Math.floor(v / 1000))} ago`);
    lines.push(`  tcp: unacked ${n.txQueue} B, timer ${n.timer}, retransmits ${n.retransmits}, probes ${n.probes}${n.rttMs !== null ? `, rtt ${n.rttMs} ms` : ''}  [${n.source}]`);
    if (n.lastSendMs !== null) lines.push(`  last data sent ${ms(n.lastSendMs)}, received ${ms(n.lastReceiveMs)}, acked ${ms(n.lastAckMs)}; ${n.bytesSent ?? '?'} B out, ${n.bytesReceived ?? '?'} B in`);
  } else lines.push('  tcp: socket not visible (run as root to see it)');
  const src = s.idleSources;
  lines.push(`  idle: tty ${src.tty === null ? 'n/a' : formatSeconds(src.tty)}, traffic ${src.traffic === null ? 'n/a' : formatSeconds(src.traffic)}  → shown: ${s.idleSeconds === null ? 'unknown' : formatSeconds(s.idleSeconds)} (${s.idleSource ?? 'no source'})`);
  lines.push('why:');
  if (s.flags.length === 0) lines.push('  active: nothing unusual');
  for (const f of s.flags) lines.push(`  ${f}: ${sanitize(s.reasons[f] ?? '')}`);
  if (s.timeouts.length > 0) {
    lines.push('what would end it:');
    for (const t of s.timeouts) lines.push(`  ${t}`);
  }
  lines.push('processes:');
  for (const p of s.processes) {
    const mem = p.rssBytes === undefined ? '' : ` ${Math.round(p.rssBytes / 1024)}K`;
    lines.push(`  ${'  '.repeat(p.depth)}${p.pid} ${processUser(p)} ${p.state}${mem} ${p.tty ?? '-'} [${p.role}${p.outside ? ', outside the sshd tree' : ''}] ${sanitize(p.command)}`);
  }
  return lines;
}

export function listenerLines(l: Listener): string[] {
  const lines = [`listener ${l.pid}: ${sanitize(l.command)}`];
  if (l.startups) lines.push(`  ${l.startups.active} pre-auth connections; MaxStartups ${l.startups.start}:${l.startups.rate ?? '?'}:${l.startups.full}`);
  if (l.policy) {
    const p = l.policy;
    lines.push(`  policy from ${p.source}${p.configFile ? ` (${p.configFile})` : ''}`);
    lines.push(`  ClientAliveInterval ${p.clientAliveInterval ?? '?'}, ClientAliveCountMax ${p.clientAliveCountMax ?? '?'}, TCPKeepAlive ${p.tcpKeepAlive ?? '?'}, LoginGraceTime ${p.loginGraceTime ?? '?'}`);
    lines.push(`  ChannelTimeout ${p.channelTimeout ?? '?'}, UnusedConnectionTimeout ${p.unusedConnectionTimeout === 0 ? 'none' : (p.unusedConnectionTimeout ?? '?')}`);
    lines.push(`  ${describeDrop(p)}`);
    lines.push('  (ClientAlive* detects a dead client, not an idle person)');
  }
  return lines;
}

/** what the detail pane shows for a row */
export function rowDetail(row: Row, now: number): string[] {
  return row.owner ? detailLines(row.owner, now) : row.listener ? listenerLines(row.listener) : ['no details'];
}
