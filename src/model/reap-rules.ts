// Which sessions `sshtop reap` ends, and why. Pure: rules in, decisions out.
import { formatSeconds } from '../text/duration.js';
import { keptProcesses } from './end-plan.js';
import { holdsSelf } from './own.js';
import type { Model, Session, SessionProcess } from './types.js';

export interface ReapRules {
  idleSeconds?: number | undefined;
  maxAgeSeconds?: number | undefined;
  deadPeer?: boolean;
  /** sessions flagged hung: a login stuck in PAM or session setup, a process stuck in D (network.ts) */
  hung?: boolean;
  preauthOlderSeconds?: number | undefined;
  /** leftovers (what an ended login left running) whose login ended at least this long ago */
  leftoversOlderSeconds?: number | undefined;
  /** processes never signalled, nor anything below them (command or comm matches) */
  excludeCommands?: RegExp[];
  users?: string[];
  excludeUsers?: string[];
  /** only connections that came in on these local ports (which sshd: a public one, not the admins') */
  ports?: number[];
}

export interface ReapDecision {
  session: Session;
  /** why it matched (one line per rule) */
  reasons: string[];
  /** its processes --exclude-command spares (and what runs below them): never signalled */
  excluded?: SessionProcess[];
}

export interface ReapSelection {
  matched: ReapDecision[];
  /** sessions a rule matched but that reap never ends (the caller's own), with the reason */
  spared: ReapDecision[];
}

export function hasRule(r: ReapRules): boolean {
  return (
    r.idleSeconds !== undefined ||
    r.maxAgeSeconds !== undefined ||
    r.deadPeer === true ||
    r.hung === true ||
    r.preauthOlderSeconds !== undefined ||
    r.leftoversOlderSeconds !== undefined
  );
}

/**
 * A leftover's one rule: its login ended at least this long ago. When it ended is known only if
 * sshtop saw it end; otherwise only 0s matches (it has ended, but nobody can say how long ago).
 */
function leftoverReasons(s: Session, r: ReapRules, now: number, firstSeen: number | undefined): string[] {
  const limit = r.leftoversOlderSeconds;
  if (limit === undefined || !s.leftover) return [];
  const ended = s.leftover.endedAt;
  if (ended !== null) {
    const ago = Math.floor((now - ended) / 1000);
    return ago >= limit ? [`left over from a login that ended ${formatSeconds(ago)} ago >= ${formatSeconds(limit)}`] : [];
  }
  // an earlier reap saw it left over already: its login ended at least that long ago
  if (firstSeen !== undefined) {
    const ago = Math.floor((now - firstSeen) / 1000);
    return ago >= limit ? [`left over since at least ${formatSeconds(ago)} ago (an earlier reap saw it) >= ${formatSeconds(limit)}`] : [];
  }
  return limit === 0 ? ['left over from a login that has ended (when: unknown) >= 0s'] : [];
}

function reasonsFor(s: Session, r: ReapRules, now: number, firstSeen?: number): string[] {
  // what is left of an ended login has no idle, age or network of its own: only its rule applies
  if (s.kind === 'leftover') return leftoverReasons(s, r, now, firstSeen);
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

/**
 * `firstSeen`: when an earlier run first saw each leftover group (by its key, `leftoverKey`): a
 * one-shot cannot see a login end, but it can know how long what it left has been seen.
 */
export function selectForReap(model: Model, r: ReapRules, firstSeen?: (s: Session) => number | undefined): ReapSelection {
  const own = new Set(model.self.candidates);
  const matched: ReapDecision[] = [];
  const spared: ReapDecision[] = [];
  for (const s of model.sessions) {
    if (r.users && r.users.length > 0 && (s.user === null || !r.users.includes(s.user))) continue;
    if (r.excludeUsers && s.user !== null && r.excludeUsers.includes(s.user)) continue;
    // a connection whose port is unknown (not visible to this user) is not known to match
    if (r.ports && r.ports.length > 0 && (s.local === null || !r.ports.includes(s.local.port))) continue;
    const reasons = reasonsFor(s, r, model.takenAt, s.kind === 'leftover' ? firstSeen?.(s) : undefined);
    if (reasons.length === 0) continue;
    if (own.has(s.pid) || s.flags.includes('own')) spared.push({ session: s, reasons: [...reasons, 'spared: your own session'] });
    else if (holdsSelf(s, model.self.pid)) spared.push({ session: s, reasons: [...reasons, 'spared: sshtop runs inside it'] });
    // an impostor's title told us nothing true: no rule about sessions applies to it
    else if (s.flags.includes('untrusted')) spared.push({ session: s, reasons: [...reasons, `spared: not a real SSH session (${s.reasons.untrusted ?? 'untrusted'})`] });
    else if (s.partial) spared.push({ session: s, reasons: [...reasons, `spared: its sshd (pid ${s.pid}) is hidden by hidepid and cannot be verified`] });
    else {
      const excluded = excludedBy(s, r.excludeCommands ?? []);
      const d = excluded.length > 0 ? { session: s, reasons, excluded } : { session: s, reasons };
      const left = new Set([...excluded, ...keptProcesses(s)].map((p) => p.pid));
      if (excluded.length === s.processes.length) spared.push({ ...d, reasons: [...reasons, 'spared: every process matches --exclude-command'] });
      else if (s.processes.every((p) => left.has(p.pid))) spared.push({ ...d, reasons: [...reasons, 'spared: what is left runs as another user than the one who logged in'] });
      else matched.push(d);
    }
  }
  return { matched, spared };
}

/** the processes a pattern names (command or comm), and every process below them */
export function excludedBy(s: Session, patterns: readonly RegExp[]): SessionProcess[] {
  if (patterns.length === 0) return [];
  const out = new Set<number>();
  for (const p of s.processes) {
    if (out.has(p.ppid) || patterns.some((re) => re.test(p.command) || re.test(p.comm))) out.add(p.pid);
  }
  return s.processes.filter((p) => out.has(p.pid));
}
