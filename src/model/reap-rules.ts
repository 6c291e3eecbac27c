// Which sessions `sshtop reap` ends, and why. Pure: rules in, decisions out.
import { formatSeconds } from '../text/duration.js';
import type { Model, Session } from './types.js';

export interface ReapRules {
  idleSeconds?: number | undefined;
  maxAgeSeconds?: number | undefined;
  deadPeer?: boolean;
  /** sessions flagged hung: a login stuck in PAM or session setup, a process stuck in D (network.ts) */
  hung?: boolean;
  preauthOlderSeconds?: number | undefined;
  users?: string[];
  excludeUsers?: string[];
  /** only connections that came in on these local ports (which sshd: a public one, not the admins') */
  ports?: number[];
}

export interface ReapDecision {
  session: Session;
  /** why it matched (one line per rule) */
  reasons: string[];
}

export interface ReapSelection {
  matched: ReapDecision[];
  /** sessions a rule matched but that reap never ends (the caller's own), with the reason */
  spared: ReapDecision[];
}

export function hasRule(r: ReapRules): boolean {
  return r.idleSeconds !== undefined || r.maxAgeSeconds !== undefined || r.deadPeer === true || r.hung === true || r.preauthOlderSeconds !== undefined;
}

function reasonsFor(s: Session, r: ReapRules, now: number): string[] {
  const out: string[] = [];
  const preauth = s.flags.includes('preauth');
  const age = Math.floor((now - s.startedAt) / 1000);
  if (!preauth && r.idleSeconds !== undefined && s.idleSeconds !== null && s.idleSeconds >= r.idleSeconds)
    out.push(`idle ${formatSeconds(s.idleSeconds)} (${s.idleSource}) >= ${formatSeconds(r.idleSeconds)}`);
  if (!preauth && r.maxAgeSeconds !== undefined && age >= r.maxAgeSeconds) out.push(`logged in ${formatSeconds(age)} ago >= ${formatSeconds(r.maxAgeSeconds)}`);
  if (r.deadPeer && s.flags.includes('dead-peer')) out.push(s.reasons['dead-peer'] ?? 'dead peer');
  if (r.hung && s.flags.includes('hung')) out.push(s.reasons.hung ?? 'hung');
  if (preauth && r.preauthOlderSeconds !== undefined && age >= r.preauthOlderSeconds)
    out.push(`not authenticated after ${formatSeconds(age)} >= ${formatSeconds(r.preauthOlderSeconds)}`);
  return out;
}

export function selectForReap(model: Model, r: ReapRules): ReapSelection {
  const own = new Set(model.self.candidates);
  const matched: ReapDecision[] = [];
  const spared: ReapDecision[] = [];
  for (const s of model.sessions) {
    if (r.users && r.users.length > 0 && (s.user === null || !r.users.includes(s.user))) continue;
    if (r.excludeUsers && s.user !== null && r.excludeUsers.includes(s.user)) continue;
    // a connection whose port is unknown (not visible to this user) is not known to match
    if (r.ports && r.ports.length > 0 && (s.local === null || !r.ports.includes(s.local.port))) continue;
    const reasons = reasonsFor(s, r, model.takenAt);
    if (reasons.length === 0) continue;
    if (own.has(s.pid) || s.flags.includes('own')) spared.push({ session: s, reasons: [...reasons, 'spared: your own session'] });
    // an impostor's title told us nothing true: no rule about sessions applies to it
    else if (s.flags.includes('untrusted')) spared.push({ session: s, reasons: [...reasons, `spared: not a real SSH session (${s.reasons.untrusted ?? 'untrusted'})`] });
    else if (s.partial) spared.push({ session: s, reasons: [...reasons, `spared: its sshd (pid ${s.pid}) is hidden by hidepid and cannot be verified`] });
    else matched.push({ session: s, reasons });
  }
  return { matched, spared };
}
