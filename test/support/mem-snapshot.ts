// In-memory ProcSnapshot builder for model tests that need no files.
import type { ProcEntry, ProcSnapshot, TcpSocket } from '../../src/model/types.js';

export const BTIME = 1_764_000_000;

export function proc(pid: number, ppid: number, title: string, extra: Partial<ProcEntry> = {}): ProcEntry {
  const comm = extra.comm ?? (title.startsWith('sshd-session:') ? 'sshd-session' : title.startsWith('sshd') ? 'sshd' : (title.split(' ')[0] ?? 'x'));
  return {
    pid,
    ppid,
    comm,
    argv: [title],
    cmdline: title,
    state: 'S',
    pgrp: pid,
    sid: pid,
    ttyNr: 0,
    tty: null,
    tpgid: -1,
    cpuTicks: 0,
    startTicks: 1000 + pid,
    uid: 0,
    sockets: [],
    netns: null,
    cgroup: null,
    ...extra,
  };
}

export function snapshot(procs: ProcEntry[], extra: Partial<ProcSnapshot> = {}): ProcSnapshot {
  return {
    takenAt: (BTIME + 100_000) * 1000,
    btime: BTIME,
    clkTck: 100,
    procs: new Map(procs.map((p) => [p.pid, p])),
    sockets: new Map<number, TcpSocket>(),
    ttyAtimes: new Map(),
    users: new Map([
      [0, 'root'],
      [1000, 'alice'],
      [1001, 'bob'],
    ]),
    sshConnection: new Map(),
    source: 'proc',
    missing: [],
    notices: [],
    tmuxClientTtys: null,
    ...extra,
  };
}
