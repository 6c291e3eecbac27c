// The view-model: the model, the UI's filters and sort, turned into display rows. Pure.
import { processUser, sessionCells, type SessionCells } from '../../model/columns.js';
import { filterSessions, sortSessions, type SortColumn } from '../../model/filter.js';
import { groupSessions } from '../../model/session-groups.js';
import { ownRisksOf, type OwnRisk } from '../../model/own.js';
import { describeSession } from '../../model/end-plan.js';
import { sanitize } from '../../text/sanitize.js';

export { describeSession };
import type { Listener, Model, Session, SessionProcess } from '../../model/types.js';

export type RowKind = 'listener' | 'group' | 'session' | 'process';

export interface Row {
  /** stable across refreshes: the selection follows it */
  key: string;
  kind: RowKind;
  pid: number | null;
  depth: number;
  cells: SessionCells;
  session?: Session;
  process?: SessionProcess;
  listener?: Listener;
  /** the session this row belongs to (for process rows too) */
  owner?: Session;
  /** a process row whose signal ends the operator's own connection or sshtop itself */
  endsOwn?: OwnRisk;
  /** a session row whose processes include sshtop (its tmux server): ending it ends sshtop */
  holdsSelf?: boolean;
}

export interface RowOptions {
  view: 'tree' | 'flat';
  filter: string;
  user: string | undefined;
  idleOnly: boolean;
  sort: SortColumn;
  inverted: boolean;
  /** session keys (pid and start time), never bare pids */
  collapsed: ReadonlySet<string>;
  cpu: ReadonlyMap<string, number>;
}

// keys are identities (pid and start time): a tag, the selection or a collapsed session never
// passes to the process that gets the pid next
export const sessionKey = (pid: number, startTicks: number) => `s:${pid}:${startTicks}`;
export const processKey = (pid: number, startTicks: number) => `p:${pid}:${startTicks}`;

/** the tags whose process is still in the model (a tag of an ended process never matches again) */
export function liveTags(model: Model | null, tagged: ReadonlySet<string>): Set<string> {
  const live = new Set<string>();
  if (!model || tagged.size === 0) return live;
  for (const s of model.sessions) {
    if (tagged.has(sessionKey(s.pid, s.startTicks))) live.add(sessionKey(s.pid, s.startTicks));
    for (const p of s.processes) if (tagged.has(processKey(p.pid, p.startTicks))) live.add(processKey(p.pid, p.startTicks));
  }
  return live;
}

const blank = (): SessionCells => ({ pid: '', user: '', tty: '', from: '', login: '', idle: '', cpu: '', state: '', command: '' });

/**
 * sshtop itself and what it runs (ss, sshd -T, logger), in the session it runs in. Its own CPU
 * would be the one figure changing on an idle screen, redrawn only to show the cost of drawing it;
 * so it gets no CPU figure, and its short-lived helpers no rows.
 */
type Observer = { self: number; helpers: Set<number> } | undefined;

function observer(s: Session, selfPid: number): Observer {
  const at = s.processes.findIndex((p) => p.pid === selfPid);
  if (at < 0) return undefined;
  const depth = (s.processes[at] as SessionProcess).depth;
  const helpers = new Set<number>();
  // processes are listed depth first: the helpers are the deeper ones right after sshtop
  for (let i = at + 1; i < s.processes.length && (s.processes[i] as SessionProcess).depth > depth; i++) helpers.add((s.processes[i] as SessionProcess).pid);
  return { self: selfPid, helpers };
}

function cpuOf(s: Session, cpu: ReadonlyMap<string, number>, obs: Observer): number | undefined {
  let sum: number | undefined;
  for (const p of s.processes) {
    if (obs && (p.pid === obs.self || obs.helpers.has(p.pid))) continue;
    const v = cpu.get(`${p.pid}:${p.startTicks}`);
    if (v !== undefined) sum = (sum ?? 0) + v;
  }
  return sum;
}

/** obs: the session's observer (sshtop in it), found once per session per poll */
function sessionRow(s: Session, now: number, cpu: ReadonlyMap<string, number>, depth: number, obs: Observer): Row {
  const cells = sessionCells(s, now);
  const pct = cpuOf(s, cpu, obs);
  if (pct !== undefined) cells.cpu = pct.toFixed(1);
  // sshtop among the session's processes: ending the session ends sshtop
  return { key: sessionKey(s.pid, s.startTicks), kind: 'session', pid: s.pid, depth, cells, session: s, owner: s, ...(obs ? { holdsSelf: true } : {}) };
}

function processRows(s: Session, cpu: ReadonlyMap<string, number>, depth: number, selfPid: number, obs: Observer): Row[] {
  const endsOwn = ownRisksOf(s, selfPid);
  // the connection process itself is the session row (a partial session's is hidden, a leftover
  // group's row is the login: all their processes are listed)
  return s.processes.slice(s.partial || s.kind === 'leftover' ? 0 : 1).filter((p) => !obs?.helpers.has(p.pid)).map((p) => {
    const pct = p.pid === obs?.self ? undefined : cpu.get(`${p.pid}:${p.startTicks}`);
    return {
      key: processKey(p.pid, p.startTicks),
      kind: 'process' as const,
      pid: p.pid,
      depth: depth + p.depth,
      cells: {
        ...blank(),
        pid: String(p.pid),
        user: processUser(p),
        tty: p.tty ?? '',
        state: p.state,
        cpu: pct === undefined ? '' : pct.toFixed(1),
        // left the sshd tree when its parent ended: still this login's (its audit session says so)
        command: `${p.outside ? '(reparented) ' : ''}${sanitize(p.command)}`,
      },
      process: p,
      owner: s,
      endsOwn: endsOwn(p),
    };
  });
}

export function visibleSessions(model: Model, o: Pick<RowOptions, 'filter' | 'user' | 'idleOnly' | 'sort' | 'inverted'>): Session[] {
  return sortSessions(filterSessions(model.sessions, { user: o.user, filter: o.filter || undefined, idleOnly: o.idleOnly }), o.sort, o.inverted);
}

export function toRows(model: Model, o: RowOptions): Row[] {
  const sessions = visibleSessions(model, o);
  const now = model.takenAt;
  const selfPid = model.self.pid;
  if (o.view === 'flat') return sessions.map((s) => sessionRow(s, now, o.cpu, 0, observer(s, selfPid)));
  const rows: Row[] = [];
  for (const g of groupSessions(model.listeners, sessions)) {
    if (g.kind === 'listener') {
      const l = g.listener;
      const startups = l.startups ? `${l.startups.active} of ${l.startups.start}-${l.startups.full} startups` : '';
      rows.push({
        key: `l:${l.pid}:${l.startTicks}`,
        kind: 'listener',
        pid: l.pid,
        depth: 0,
        cells: { ...blank(), pid: String(l.pid), user: 'root', state: 'listener', command: sanitize(`${l.command.replace(/ \[listener\].*$/, '')}${startups ? `  [${startups}]` : ''}`) },
        listener: l,
      });
    } else rows.push({ key: `g:${g.kind}`, kind: 'group', pid: null, depth: 0, cells: { ...blank(), command: g.title } });
    for (const s of g.sessions) {
      const obs = observer(s, selfPid);
      rows.push(sessionRow(s, now, o.cpu, 1, obs));
      if (!o.collapsed.has(sessionKey(s.pid, s.startTicks))) rows.push(...processRows(s, o.cpu, 1, selfPid, obs));
    }
  }
  return rows;
}

/** "7 processes: bash, vim, rsync…" (the user's processes, not sshd's) */
export function describeProcesses(s: Session): string {
  const names = s.processes.filter((p) => p.role === 'process').map((p) => sanitize(p.comm));
  const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? '…' : '');
  return `${s.processes.length} processes${shown ? `: ${shown}` : ''}`;
}

/** the users that have sessions, for the user picker */
export function sessionUsers(model: Model): string[] {
  return [...new Set(model.sessions.map((s) => s.user).filter((u): u is string => u !== null))].sort();
}
