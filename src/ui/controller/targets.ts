// Which process a row's signal goes to, and what the dialog says about it: a session row ends the
// whole connection, a process row only that process. The own connection, sshtop itself and a
// listener need `yes` typed. Pure.
import { formatEndpoint } from '../../model/columns.js';
import { keptProcesses, outsideNames, sessionTargets, type Target } from '../../model/end-plan.js';
import { sanitize } from '../../text/sanitize.js';
import type { Session } from '../../model/types.js';
import type { DialogTarget } from '../state.js';
import { describeProcesses, describeSession, type Row } from '../view/rows.js';

/** why a partial session is not signalled, and what can be */
export function partialRefusal(s: Session): string {
  return `nothing sent: the sshd of ${describeSession(s)} (pid ${s.pid}) is hidden by hidepid and cannot be verified; signal its processes (the rows below) instead`;
}

const ENDS_OWN = 'This ends YOUR OWN connection.';

/** what the signal menu needs of a row before it is pinned: its processes, in the order they are signalled */
export type TargetSpec = Omit<DialogTarget, 'pins'> & { targets: Target[] };

/** what the dialog says ending a session ends: every process, those outside the sshd tree by name */
function sessionText(s: Session, own: boolean): string {
  const outside = outsideNames(s);
  const kept = keptProcesses(s).map((p) => `${sanitize(p.comm)} (pid ${p.pid}, ${sanitize(p.user ?? '?')})`);
  const list = (names: string[]) => `${names.slice(0, 6).join(', ')}${names.length > 6 ? '…' : ''}`;
  const also =
    (outside.length > 0 ? `; ${outside.length} outside the sshd tree: ${list(outside)}` : '') +
    (kept.length > 0 ? `; left running, another user's: ${list(kept)}` : '');
  if (s.kind === 'leftover') return `End what is left of ${describeSession(s)}, a login that has ended (${describeProcesses(s)}${also})`;
  if (s.kind === 'mosh') return `End ${own ? 'YOUR OWN ' : ''}mosh session ${describeSession(s)} (${describeProcesses(s)}${also})`;
  return `End ${own ? 'YOUR OWN session ' : ''}${describeSession(s)} (${describeProcesses(s)}${also})`;
}

/** the row as a target, or undefined when it cannot be signalled */
export function targetFor(row: Row): TargetSpec | undefined {
  if (row.kind === 'session' && row.session) {
    const s = row.session;
    // a partial session's pid is hidden (hidepid): it cannot be pinned, so it is never a target
    if (s.partial) return undefined;
    const own = s.flags.includes('own');
    // not the operator's connection, but it holds sshtop (the tmux server sshtop runs in)
    const holds = row.holdsSelf === true;
    return {
      targets: sessionTargets(s, own || holds),
      kind: s.kind ?? 'session',
      needsYes: own || holds,
      why: own && s.kind === undefined ? ENDS_OWN : own || holds ? 'This ends sshtop itself: it runs inside this session.' : undefined,
      text: sessionText(s, own),
    };
  }
  if (row.kind === 'process' && row.process && row.owner) {
    const p = row.process;
    const risk = row.endsOwn;
    const target: Target = {
      pid: p.pid,
      startTicks: p.startTicks,
      label: `pid ${p.pid} (${sanitize(p.comm)})`,
      audit: { sessionUser: row.owner.user, remote: row.owner.remote ? formatEndpoint(row.owner.remote) : null, ttys: row.owner.ttys, kind: 'process' },
    };
    return {
      targets: [target],
      kind: 'process',
      // a login shell or an sshd process of the own session: its signal ends the connection
      needsYes: risk !== undefined,
      why: risk === 'connection' ? ENDS_OWN : risk === 'sshtop' ? 'This ends sshtop itself.' : undefined,
      text:
        risk === 'connection'
          ? `Signal process ${p.pid} (${sanitize(p.command)}) of YOUR OWN session ${describeSession(row.owner)}`
          : `Signal only process ${p.pid} (${sanitize(p.command)}) of ${describeSession(row.owner)}`,
    };
  }
  if (row.kind === 'listener' && row.listener) {
    const l = row.listener;
    return {
      targets: [{ pid: l.pid, startTicks: l.startTicks, label: `listener ${l.pid}`, audit: { sessionUser: null, remote: null, ttys: [], kind: 'listener' } }],
      kind: 'listener',
      needsYes: true,
      why: 'This is a LISTENER: ending it stops new logins.',
      text: `Signal the LISTENER ${l.pid} (${sanitize(l.command)})`,
    };
  }
  return undefined;
}
