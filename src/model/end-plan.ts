// What ending a session signals, and in which order (docs/safety.md, "Ending a session"). Every
// process of the session at that moment: the user's processes first, deepest first (leaves
// before their parents, so nothing is reparented while the signals go out), those outside the
// sshd tree among them; then its SSH daemon processes, the connection process last. A leftover
// group or a mosh session has no daemon: all of its processes, deepest first. A partial
// session's daemons are hidden (hidepid): only its visible processes. Pure.
import { sanitize } from '../text/sanitize.js';
import { formatEndpoint } from './columns.js';
import type { Session, SessionProcess } from './types.js';

/** a process to signal, as the operator chose it (act/signal.ts pins and sends it) */
export interface Target {
  pid: number;
  /** starttime (clock ticks since boot) in the snapshot the operator acted on */
  startTicks: number;
  /** what the operator was shown, for messages and the audit trail */
  label: string;
  /** extra facts for the audit record (session user, remote address, ttys) */
  audit?: AuditFacts;
}

export interface AuditFacts {
  sessionUser: string | null;
  remote: string | null;
  ttys: string[];
  kind: 'session' | 'process' | 'listener' | 'leftover' | 'mosh';
  /** the action may end sshtop itself (its own session): the intent is audited before the kill */
  endsSelf?: boolean;
  /** the session (its connection process) this process was ended as part of */
  sessionPid?: number;
  /** the login's kernel audit session: what ties a later leftover to this record */
  loginSession?: number | null;
}

export interface EndStep {
  pid: number;
  startTicks: number;
  comm: string;
  /** an SSH daemon process of the connection (signalled after the user's processes) */
  daemon: boolean;
  /** outside the sshd tree (reparented), tied to the session by its login */
  outside: boolean;
}

/** the uid that logged in: the kernel's loginuid, else the uid the login's user side runs as */
function loginUidOf(s: Session): number | null {
  if (s.loginId?.loginUid != null) return s.loginId.loginUid;
  const side = s.processes.find((p) => p.role === 'user' || p.role === 'connection') ?? s.processes.find((p) => p.role === 'process' && !p.outside);
  return side?.uid ?? null;
}

/**
 * Processes of the login that ending it leaves alone: outside the sshd tree (or in a leftover
 * group), running as another user than the one who logged in. A `sudo service foo start` on a
 * host without systemd leaves a root daemon carrying the admin's audit session; ending an idle
 * login must not take the service down. Each can still be signalled on its own row.
 */
export function keptProcesses(s: Session): SessionProcess[] {
  const uid = loginUidOf(s);
  const loose = s.kind !== undefined;
  return s.processes.filter((p) => (loose || p.outside) && p.role === 'process' && (uid === null || p.uid !== uid));
}

/** the processes ending `s` signals, in order */
export function endPlan(s: Session): EndStep[] {
  const step = (p: SessionProcess): EndStep => ({ pid: p.pid, startTicks: p.startTicks, comm: p.comm, daemon: p.role !== 'process', outside: p.outside === true });
  const kept = new Set(keptProcesses(s).map((p) => p.pid));
  // depth first listing, reversed: every child comes before its parent
  const procs = [...s.processes].reverse().filter((p) => !kept.has(p.pid));
  const users = procs.filter((p) => p.role === 'process');
  const daemons = s.partial ? [] : procs.filter((p) => p.role !== 'process' && p.pid !== s.pid);
  const root = s.partial ? [] : s.processes.filter((p) => p.pid === s.pid && p.role !== 'process');
  return [...users, ...daemons, ...root].map(step);
}

/** "alice@pts/3 from 203.0.113.7"; a leftover "alice (login ended) from …"; a mosh session "alice@pts/5 (mosh) from …" */
export function describeSession(s: Session): string {
  const from = ` from ${s.remote ? formatEndpoint(s.remote).replace(/:\d+$/, '') : '?'}`;
  const user = sanitize(s.user ?? 'unauthenticated');
  if (s.kind === 'leftover') return `${user} (login ended)${from}`;
  const where = s.ttys.length > 0 ? `@${s.ttys.join(',')}` : s.flags.includes('forward-only') ? ' (forward)' : '@notty';
  return `${user}${where}${s.kind === 'mosh' ? ' (mosh)' : ''}${from}`;
}

/** what kind of thing ending `s` ends, for the audit trail */
const kindOf = (s: Session): AuditFacts['kind'] => s.kind ?? 'session';

/**
 * The targets that end `s` (endPlan's order), each labelled and audited as part of the session.
 * `endsSelf`: the session is the operator's own (its intent is recorded before each kill).
 */
export function sessionTargets(s: Session, endsSelf = false): Target[] {
  const label = describeSession(s);
  const audit: AuditFacts = {
    sessionUser: s.user,
    remote: s.remote ? formatEndpoint(s.remote) : null,
    ttys: s.ttys,
    kind: kindOf(s),
    sessionPid: s.pid,
    loginSession: s.loginId?.sessionId ?? null,
    ...(endsSelf ? { endsSelf } : {}),
  };
  return endPlan(s).map((p) => ({
    pid: p.pid,
    startTicks: p.startTicks,
    label: p.pid === s.pid && p.daemon ? label : `pid ${p.pid} (${sanitize(p.comm)}) of ${label}`,
    audit,
  }));
}

/** the processes outside the sshd tree that ending `s` ends too, as `comm (pid N)` */
export function outsideNames(s: Session): string[] {
  const kept = new Set(keptProcesses(s).map((p) => p.pid));
  return s.processes.filter((p) => p.outside && !kept.has(p.pid)).map((p) => `${sanitize(p.comm)} (pid ${p.pid})`);
}

/** a target as the process alone (`pid 5 (sleep)`), without the session it belongs to */
export function processLabel(t: Target): string {
  return t.label.replace(/ of .*$/, '');
}
