// The caller's own sessions when /proc hidepid hides every SSH daemon (their own user child too),
// rebuilt from the channel tops the reader found (ProcSnapshot.hiddenSessionTops). Pure.
import { parseSshConnection } from '../proc/parse.js';
import type { Endpoint, Flag, HiddenSessionTop, ProcSnapshot, Session, SessionProcess } from './types.js';

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
  const procs: SessionProcess[] = [];
  const walk = (pid: number, depth: number): void => {
    const p = snap.procs.get(pid);
    if (!p || procs.some((x) => x.pid === pid)) return;
    procs.push({
      pid,
      ppid: p.ppid,
      uid: p.uid,
      user: p.uid === null ? null : (snap.users.get(p.uid) ?? String(p.uid)),
      state: p.state,
      tty: p.tty,
      role: 'process',
      command: p.cmdline || `[${p.comm}]`,
      comm: p.comm,
      startedAt: ticksToMs(snap, p.startTicks),
      startTicks: p.startTicks,
      cpuTicks: p.cpuTicks,
      depth,
    });
    for (const c of [...(children.get(pid) ?? [])].sort((a, b) => a - b)) walk(c, depth + 1);
  };
  // depth 1: the session row stands for the hidden parent, the tops are its children
  for (const t of tops) walk(t.pid, 1);

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

  let idleSeconds: number | null = null;
  const atimes = ttys.map((t) => snap.ttyAtimes.get(t)).filter((a): a is number => a !== undefined);
  if (atimes.length > 0) idleSeconds = Math.max(0, Math.floor((snap.takenAt - Math.max(...atimes)) / 1000));

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
    cpuSeconds: Math.round((procs.reduce((n, p) => n + p.cpuTicks, 0) / snap.clkTck) * 100) / 100,
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

function ticksToMs(snap: ProcSnapshot, ticks: number): number {
  return Math.round((snap.btime + ticks / snap.clkTck) * 1000);
}

/** as `w` does: per tty, the newest process of the foreground process group; notty: the newest */
function currentCommand(procs: SessionProcess[], ttys: string[], snap: ProcSnapshot): string | null {
  if (procs.length === 0) return null;
  const fg = procs.filter((p) => {
    const e = snap.procs.get(p.pid);
    return e !== undefined && p.tty !== null && ttys.includes(p.tty) && e.pgrp === e.tpgid;
  });
  const pool = fg.length > 0 ? fg : procs;
  return pool.reduce((a, b) => (b.startTicks > a.startTicks || (b.startTicks === a.startTicks && b.pid > a.pid) ? b : a)).command;
}
