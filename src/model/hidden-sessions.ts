// The caller's own sessions when /proc hidepid hides every SSH daemon (their own user child too),
// rebuilt from the channel tops the reader found (ProcSnapshot.hiddenSessionTops). Pure.
import { parseSshConnection } from '../proc/parse.js';
import { cpuSecondsOf, currentCommand, processTree, ttyIdleSeconds } from './session-tree.js';
import type { Classified, Endpoint, Flag, HiddenSessionTop, ProcSnapshot, Session } from './types.js';

/** every visible process here is the user's own: none is classed as a daemon */
const NO_CLASSES: ReadonlyMap<number, Classified> = new Map();

export interface HiddenSessionHelpers {
  idleSeconds: number;
  addFlag: (s: Session, flag: Flag, reason: string) => void;
  formatSeconds: (s: number) => string;
}

/** the group the UI and --once list these sessions in: they are neither orphaned nor socket-activated */
export const HIDDEN_GROUP_TITLE = 'listener hidden (/proc hidepid): your own sessions, partial';

/** never a real starttime: the signaller's identity check can never pass for a hidden pid */
export const UNVERIFIABLE_START = -1;

/**
 * One session per hidden parent: the channels of one ControlMaster connection are children of one
 * sshd user child. Only what is seen is filled in: the user (uid of the processes), the ttys (of
 * the processes), the addresses (SSH_CONNECTION), idle (tty atime); everything else stays null.
 */
export function buildHiddenSessions(snap: ProcSnapshot, h: HiddenSessionHelpers): Session[] {
  const byParent = new Map<number, HiddenSessionTop[]>();
  for (const t of snap.hiddenSessionTops?.values() ?? []) {
    if (!snap.procs.has(t.pid)) continue;
    byParent.set(t.parent, [...(byParent.get(t.parent) ?? []), t]);
  }
  const children = new Map<number, number[]>();
  for (const p of snap.procs.values()) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const out: Session[] = [];
  for (const [parent, tops] of byParent) out.push(buildOne(parent, tops.sort((a, b) => a.pid - b.pid), snap, children, h));
  return out;
}

function buildOne(parent: number, tops: HiddenSessionTop[], snap: ProcSnapshot, children: Map<number, number[]>, h: HiddenSessionHelpers): Session {
  // depth 1: the session row stands for the hidden parent, the tops are its children
  const seen = new Set<number>();
  const procs = tops.flatMap((t) => processTree(t.pid, snap, { classes: NO_CLASSES, children, depth: 1, seen }));

  const topProcs = procs.filter((p) => p.depth === 1);
  const users = new Set(topProcs.map((p) => p.user));
  const user = users.size === 1 ? ([...users][0] ?? null) : null;
  const ttys: string[] = [];
  for (const t of tops) if (t.sshTty !== null && !ttys.includes(t.sshTty)) ttys.push(t.sshTty);
  // as for a visible session: completed by the terminals its processes run on
  for (const p of procs) if (p.tty && !ttys.includes(p.tty) && p.tty.startsWith('pts/')) ttys.push(p.tty);
  // channels of one connection share its addresses; if they disagree, neither is claimed
  const connections = new Set(tops.map((t) => t.sshConnection));
  const parsed = connections.size === 1 ? parseSshConnection([...connections][0] as string) : undefined;
  const remote: Endpoint | null = parsed?.remote ?? null;
  const local: Endpoint | null = parsed?.local ?? null;

  const idleSeconds = ttyIdleSeconds(ttys, snap);

  const session: Session = {
    pid: parent,
    startTicks: UNVERIFIABLE_START,
    listenerPid: null,
    user,
    ttys,
    remote,
    local,
    // the login is hidden with the sshd: the oldest visible channel started right after it
    startedAt: Math.min(...topProcs.map((p) => p.startedAt)),
    idleSeconds,
    idleSource: idleSeconds === null ? null : 'tty',
    flags: [],
    reasons: {},
    command: currentCommand(procs, ttys, snap),
    cpuSeconds: cpuSecondsOf(procs, snap),
    processes: procs,
    // which daemon is hidden too
    daemon: 'other',
    socketInode: null,
    net: null,
    idleSources: { tty: idleSeconds, traffic: null },
    timeouts: [],
    partial: true,
  };

  h.addFlag(
    session,
    'partial',
    `its SSH daemon processes are hidden (/proc hidepid): rebuilt from your own processes; pid ${parent} (their hidden parent) cannot be verified, so only the processes below can be signalled`,
  );
  if (ttys.length === 0) h.addFlag(session, 'notty', 'no terminal: a remote command, sftp or scp');
  if (procs.some((p) => p.comm === 'sftp-server')) h.addFlag(session, 'sftp', 'runs an sftp subsystem');
  if (tops.length > 1 || ttys.length > 1)
    h.addFlag(session, 'multiplexed', `one connection carries ${Math.max(tops.length, ttys.length)} sessions (ControlMaster)`);
  if (idleSeconds !== null && idleSeconds >= h.idleSeconds)
    h.addFlag(session, 'idle', `no terminal input or output for ${h.formatSeconds(idleSeconds)} (threshold ${h.formatSeconds(h.idleSeconds)})`);
  return session;
}
