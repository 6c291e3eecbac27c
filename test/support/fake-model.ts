// A realistic Model for UI tests, built through the real model code from an in-memory snapshot.
import { buildModel } from '../../src/model/sessions.js';
import type { Model } from '../../src/model/types.js';
import type { Pinned, SignalName, SignalResult, Signaller, Target } from '../../src/act/signal.js';
import { createStaticStore } from './static-store.js';
import { proc, snapshot } from './mem-snapshot.js';

const NOW_TICKS = 100_000 * 100;

function session(pid: number, user: string, uid: number, tty: string, extra: { child?: string; port: number }) {
  const list = [
    proc(pid, 100, `sshd: ${user} [priv]`, { startTicks: NOW_TICKS - 3600 * 100, sockets: [pid * 10] }),
    proc(pid + 1, pid, `sshd: ${user}@${tty}`, { uid, startTicks: NOW_TICKS - 3600 * 100 }),
    proc(pid + 2, pid + 1, '-bash', { comm: 'bash', uid, tty, pgrp: pid + 2, tpgid: pid + 3, startTicks: NOW_TICKS - 3600 * 100 }),
  ];
  if (extra.child) list.push(proc(pid + 3, pid + 2, extra.child, { comm: extra.child.split(' ')[0], uid, tty, pgrp: pid + 3, tpgid: pid + 3, startTicks: NOW_TICKS - 60 * 100 }));
  return list;
}

/**
 * alice (fresh, vim), bob (idle 2 h), carol (dead peer… no: an ssh client inside), root (own);
 * dave: a fifth session with pids of its own (700…), under a second listener (150) if there is one
 */
export function fakeModel(opts: { selfPid?: number; secondsLater?: number; dave?: boolean; secondListener?: boolean } = {}): Model {
  const dave = opts.dave ? session(700, 'dave', 1003, 'pts/9', { port: 50007 }) : [];
  // dave's connection was forked by the second listener
  if (opts.secondListener && dave[0]) dave[0] = { ...dave[0], ppid: 150 };
  const procs = [
    proc(100, 1, 'sshd: /usr/sbin/sshd -D [listener] 1 of 10-100 startups', { startTicks: 500 }),
    ...(opts.secondListener ? [proc(150, 1, 'sshd: /usr/sbin/sshd -D -p 2222 [listener] 0 of 10-100 startups', { startTicks: 600 })] : []),
    ...session(200, 'alice', 1000, 'pts/1', { child: 'vim notes.txt', port: 50001 }),
    ...session(300, 'bob', 1001, 'pts/2', { port: 50002 }),
    ...session(400, 'carol', 1002, 'pts/3', { child: 'ssh backup-host', port: 50003 }),
    ...session(500, 'root', 0, 'pts/4', { port: 50004 }),
    proc(600, 100, 'sshd: unknown [priv]', { startTicks: NOW_TICKS - 30 * 100 }),
    proc(990, 502, 'node sshtop', { comm: 'node', tty: 'pts/4' }),
    ...dave,
  ];
  const snap = snapshot(procs, {
    users: new Map([
      [0, 'root'],
      [1000, 'alice'],
      [1001, 'bob'],
      [1002, 'carol'],
      [1003, 'dave'],
    ]),
  });
  const sock = (pid: number, port: number) =>
    [pid * 10, { inode: pid * 10, local: { address: '10.0.0.1', port: 22 }, remote: { address: '203.0.113.7', port }, state: 1, txQueue: 0, rxQueue: 0, timer: 2, timerJiffies: 0, retransmits: 0, uid: 0, probes: 0 }] as const;
  const sockets = new Map([sock(200, 50001), sock(300, 50002), sock(400, 50003), sock(500, 50004), sock(700, 50007)]);
  const ago = (s: number) => snap.takenAt - s * 1000;
  const ttyAtimes = new Map([
    ['pts/1', ago(5)],
    ['pts/2', ago(7200)],
    ['pts/3', ago(30)],
    ['pts/4', ago(2)],
    ['pts/9', ago(3)],
  ]);
  // the same machine polled again later: every idle figure grows, nothing else happened
  const takenAt = snap.takenAt + (opts.secondsLater ?? 0) * 1000;
  return buildModel({ ...snap, takenAt, sockets, ttyAtimes }, { idleSeconds: 600, selfPid: opts.selfPid ?? 990 });
}

export function fakeStore(model: Model = fakeModel()) {
  return createStaticStore({ model, error: null, paused: false, cpu: new Map(), polls: 1 });
}

export interface FakeSignaller extends Signaller {
  sent: { pid: number; startTicks: number; signal: SignalName }[];
  pinned: Target[];
  released: number;
  /** whether a pinned process still runs after its signal (the survivors' check) */
  survive: boolean;
}

export function fakeSignaller(outcome: SignalResult['outcome'] = 'sent'): FakeSignaller {
  const s: FakeSignaller = {
    sent: [],
    pinned: [],
    released: 0,
    survive: false,
    pin(target: Target): Pinned {
      s.pinned.push(target);
      return { target, fd: 1 };
    },
    send(p: Pinned, signal: SignalName): SignalResult {
      s.sent.push({ pid: p.target.pid, startTicks: p.target.startTicks, signal });
      return { pid: p.target.pid, signal, outcome, message: `${outcome} SIG${signal} to ${p.target.label}` };
    },
    // what was signalled has exited unless a test says it survives
    alive: () => s.survive,
    release() {
      s.released++;
    },
  };
  return s;
}
