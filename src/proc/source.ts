// Where snapshots come from: /proc when it exists, else ps-list with the fields it can give.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcEntry, ProcSnapshot } from './types.js';
import { ProcReader, type ReadHooks, type ReaderOptions } from './reader.js';
import { familyOf } from './parse-ssh-title.js';

export interface SnapshotSource {
  /** one snapshot; the hooks are called while /proc is read (ps-list has none to call) */
  read(hooks?: ReadHooks): Promise<ProcSnapshot>;
  readonly kind: 'proc' | 'ps-list';
}

/** what ps-list cannot tell, listed in the snapshot so the output can say so */
export const PS_LIST_MISSING = ['tty', 'state', 'remote', 'local', 'idle', 'sockets', 'foreground command'];

export function createSource(opts: ReaderOptions = {}): SnapshotSource {
  const procRoot = opts.procRoot ?? '/proc';
  if (existsSync(join(procRoot, 'stat'))) {
    const reader = new ProcReader(opts);
    return { kind: 'proc', read: async (hooks) => reader.read(hooks) };
  }
  return { kind: 'ps-list', read: () => readWithPsList() };
}

async function readWithPsList(): Promise<ProcSnapshot> {
  const { default: psList } = await import('ps-list');
  const list = await psList({ all: true });
  const takenAt = Date.now();
  const procs = new Map<number, ProcEntry>();
  for (const p of list) {
    // ps joins argv with spaces: keep an OpenSSH title whole (it is one argv element)
    const cmd = p.cmd ?? p.name;
    const argv = familyOf(p.name, [cmd]) ? [cmd] : cmd.split(' ');
    const startMs = p.startTime ? p.startTime.getTime() : takenAt;
    procs.set(p.pid, {
      pid: p.pid,
      ppid: p.ppid,
      comm: p.name,
      argv,
      cmdline: cmd,
      state: '?',
      pgrp: 0,
      sid: 0,
      ttyNr: 0,
      tty: null,
      tpgid: -1,
      cpuTicks: 0,
      // btime is reported as 0 below, so ticks count from the epoch
      startTicks: Math.round(startMs / 10),
      uid: p.uid ?? null,
      sockets: null,
      netns: null,
      cgroup: null,
    });
  }
  return {
    takenAt,
    btime: 0,
    clkTck: 100,
    procs,
    sockets: new Map(),
    ttyAtimes: new Map(),
    users: new Map(),
    sshConnection: new Map(),
    source: 'ps-list',
    missing: PS_LIST_MISSING,
    notices: [`no /proc here: process list from ps-list; not available: ${PS_LIST_MISSING.join(', ')}`],
    tmuxClientTtys: null,
  };
}
