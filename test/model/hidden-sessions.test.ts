// Sessions rebuilt under hidepid from the caller's own channel tops (ProcSnapshot.hiddenSessionTops),
// over in-memory snapshots: grouping by the hidden parent, nothing invented, never signalled whole.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { selectForReap } from '../../src/model/reap-rules.js';
import { buildModel } from '../../src/model/sessions.js';
import type { HiddenSessionTop, ProcEntry } from '../../src/model/types.js';
import { createSignaller } from '../../src/act/signal.js';
import { BTIME, proc, snapshot } from '../support/mem-snapshot.js';

const ALICE = 1000;
const opts = { idleSeconds: 600, selfPid: 99_999 };

/** a process of alice's; tty given as `pts/N` (tty_nr 136:N) */
function mine(pid: number, ppid: number, title: string, tty: string | null, extra: Partial<ProcEntry> = {}): ProcEntry {
  const n = tty === null ? 0 : 136 * 256 + Number(tty.split('/')[1]);
  return proc(pid, ppid, title, { comm: title.replace(/^-/, '').split(' ')[0], uid: ALICE, tty, ttyNr: n, pgrp: pid, sid: pid, tpgid: tty === null ? -1 : pid, ...extra });
}

const top = (pid: number, parent: number, conn: string, tty: string | null): [number, HiddenSessionTop] => [pid, { pid, parent, sshConnection: conn, sshTty: tty }];
const CONN_A = '203.0.113.7 52414 198.51.100.2 22';
const CONN_B = '203.0.113.7 52999 198.51.100.2 22';

/** alice under hidepid: one ControlMaster connection (two ttys under hidden pid 500), one exec under 600 */
function aliceSnapshot(extra: { tops?: Map<number, HiddenSessionTop>; selfPid?: number } = {}) {
  const procs = [
    mine(501, 500, '-bash', 'pts/3'),
    mine(502, 500, '-bash', 'pts/4'),
    mine(510, 501, 'vim notes.txt', 'pts/3', { pgrp: 510, sid: 501 }),
    mine(601, 600, 'sleep 300', null),
    // sshtop itself, in the first channel
    mine(99_999, 501, 'node sshtop', 'pts/3', { pgrp: 99_999, sid: 501 }),
    // alice's tmux server: reparented to init, no channel top
    mine(700, 1, 'tmux', null),
  ];
  const tops = extra.tops ?? new Map([top(501, 500, CONN_A, 'pts/3'), top(502, 500, CONN_A, 'pts/4'), top(601, 600, CONN_B, null)]);
  // the kernel moved pts/3's atime 2 hours back; pts/4 just now
  const takenAt = (BTIME + 100_000) * 1000;
  return snapshot(procs, {
    hiddenSessionTops: tops,
    sshConnection: new Map([...tops.values()].map((t) => [t.pid, t.sshConnection])),
    ttyAtimes: new Map([
      ['pts/3', takenAt - 7_200_000],
      ['pts/4', takenAt - 30_000],
    ]),
  });
}

describe('sessions rebuilt under hidepid', () => {
  afterEach(() => vi.restoreAllMocks());

  it('one session per hidden parent: the ControlMaster channels together, the exec apart', () => {
    const model = buildModel(aliceSnapshot(), opts);
    expect(model.sessions.map((s) => s.pid).sort()).toEqual([500, 600]);
    const master = model.sessions.find((s) => s.pid === 500);
    expect(master?.ttys).toEqual(['pts/3', 'pts/4']);
    expect(master?.user).toBe('alice');
    expect(master?.remote).toEqual({ address: '203.0.113.7', port: 52414 });
    expect(master?.local).toEqual({ address: '198.51.100.2', port: 22 });
    expect(master?.flags).toContain('multiplexed');
    // its processes: both channels, their children, nothing of the hidden sshd
    expect(master?.processes.map((p) => [p.pid, p.depth])).toEqual([
      [501, 1],
      [510, 2],
      [99_999, 2],
      [502, 1],
    ]);
    // the newest channel's idle counts, like w: pts/4 was used 30 s ago
    expect(master?.idleSeconds).toBe(30);
    expect(master?.idleSource).toBe('tty');
    const exec = model.sessions.find((s) => s.pid === 600);
    expect(exec?.ttys).toEqual([]);
    expect(exec?.flags).toContain('notty');
    expect(exec?.command).toBe('sleep 300');
    expect(exec?.remote?.port).toBe(52999);
  });

  it('is marked partial and own, and what cannot be seen stays unknown', () => {
    const model = buildModel(aliceSnapshot(), opts);
    for (const s of model.sessions) {
      expect(s.partial).toBe(true);
      expect(s.flags).toContain('partial');
      expect(s.reasons.partial).toMatch(/hidden.*hidepid/);
      expect(s.listenerPid).toBeNull();
      expect(s.socketInode).toBeNull();
      expect(s.net).toBeNull();
      expect(s.idleSources.traffic).toBeNull();
      // never a starttime of the hidden pid: none was seen
      expect(s.startTicks).toBeLessThan(0);
      expect(s.processes.every((p) => p.uid === ALICE && p.role === 'process')).toBe(true);
    }
    // sshtop runs in the first channel: the master connection is its own session
    expect(model.self).toEqual({ pid: 99_999, sessionPid: 500, candidates: [500], via: 'ppid' });
    expect(model.sessions.find((s) => s.pid === 500)?.flags.slice(0, 2)).toEqual(['own', 'partial']);
    expect(model.sessions.find((s) => s.pid === 600)?.flags).not.toContain('own');
    // the tmux server outside any channel belongs to no session
    expect(model.sessions.flatMap((s) => s.processes.map((p) => p.pid))).not.toContain(700);
  });

  it('channels that disagree on the connection claim no address; no tops, no sessions', () => {
    const tops = new Map([top(501, 500, CONN_A, 'pts/3'), top(502, 500, CONN_B, 'pts/4')]);
    const [s] = buildModel(aliceSnapshot({ tops }), opts).sessions;
    expect(s?.remote).toBeNull();
    expect(s?.local).toBeNull();
    expect(buildModel(aliceSnapshot({ tops: new Map() }), opts).sessions).toEqual([]);
  });

  it('flags idle from the tty atime', () => {
    const tops = new Map([top(501, 500, CONN_A, 'pts/3')]);
    const [s] = buildModel(aliceSnapshot({ tops }), opts).sessions;
    expect(s?.idleSeconds).toBe(7200);
    expect(s?.flags).toContain('idle');
  });

  it('reap spares it, and the signaller refuses its hidden pid without calling kill', () => {
    const model = buildModel(aliceSnapshot(), { ...opts, selfPid: 4242 });
    const sel = selectForReap(model, { maxAgeSeconds: 0 });
    expect(sel.matched).toEqual([]);
    expect(sel.spared.map((d) => d.session.pid).sort()).toEqual([500, 600]);
    expect(sel.spared.every((d) => d.reasons.some((r) => /hidden by hidepid/.test(r)))).toBe(true);

    // even a stat at that pid (a reader that sees it, a reused pid) does not make it verifiable
    const dir = mkdtempSync(join(tmpdir(), 'sshtop-hidden-'));
    try {
      const exec = model.sessions.find((s) => s.pid === 600);
      mkdirSync(join(dir, '600'));
      writeFileSync(join(dir, '600', 'stat'), `600 (sshd) S 599 599 599 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 ${exec?.startTicks} 0 0\n`);
      const kill = vi.spyOn(process, 'kill').mockImplementation(() => true);
      // pins through the live /proc whatever tree the model came from: the refusal comes first
      const signaller = createSignaller();
      const pinned = signaller.pin({ pid: 600, startTicks: exec?.startTicks as number, label: 'alice@notty' });
      const r = signaller.send(pinned, 'TERM');
      signaller.release(pinned);
      expect(r.outcome).toBe('failed');
      expect(r.message).toMatch(/hidden.*cannot be verified/);
      expect(kill).not.toHaveBeenCalled();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
