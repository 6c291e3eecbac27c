// A session's login records: those written by one of its daemon processes, not older than it, in
// the snapshot's order (utmp first). The screen asks for every session on every poll, so the
// records are indexed by pid once per snapshot; this holds the index to the plain rule.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loginRecordsOf } from '../../src/model/sessions.js';
import type { Role, SessionProcess } from '../../src/model/types.js';
import type { LoginRecord } from '../../src/proc/types.js';

const SLACK_MS = 2000;

function plain(procs: readonly SessionProcess[], records: readonly LoginRecord[]): LoginRecord[] {
  const daemons = new Map(procs.filter((p) => p.role !== 'process').map((p) => [p.pid, p]));
  return records.filter((r) => {
    const p = daemons.get(r.pid);
    return p !== undefined && r.at >= p.startedAt - SLACK_MS;
  });
}

const proc = (pid: number, role: Role, startedAt: number): SessionProcess => ({
  pid,
  ppid: 1,
  user: 'root',
  uid: 0,
  state: 'S',
  tty: null,
  role,
  command: 'x',
  comm: 'x',
  startedAt,
  startTicks: pid,
  cpuTicks: 0,
  depth: 0,
});

const record = (pid: number, at: number, source: 'utmp' | 'wtmp', line: string): LoginRecord => ({ source, pid, line, user: 'u', host: 'h', address: null, at });

describe('loginRecordsOf', () => {
  it('keeps a daemon pid’s records not older than the process (2 s of clock slack), in order', () => {
    const procs = [proc(10, 'monitor', 100_000), proc(11, 'user', 100_000), proc(12, 'process', 0)];
    const records = [record(12, 200_000, 'utmp', 'pts/1'), record(10, 97_000, 'utmp', 'pts/2'), record(11, 98_000, 'utmp', 'pts/3'), record(10, 150_000, 'wtmp', 'pts/4')];
    expect(loginRecordsOf(procs, { loginRecords: records }).map((r) => r.line)).toEqual(['pts/3', 'pts/4']);
    expect(loginRecordsOf(procs, {})).toEqual([]);
  });

  it('equals the plain filter for random sessions and records, asked session after session of one snapshot', () => {
    const roles: Role[] = ['monitor', 'user', 'process'];
    const procA = fc.record({ pid: fc.integer({ min: 1, max: 15 }), role: fc.constantFrom(...roles), startedAt: fc.integer({ min: 0, max: 10_000 }) });
    const recA = fc.record({ pid: fc.integer({ min: 1, max: 15 }), at: fc.integer({ min: 0, max: 12_000 }), source: fc.constantFrom('utmp' as const, 'wtmp' as const) });
    fc.assert(
      fc.property(fc.array(fc.array(procA, { maxLength: 6 }), { minLength: 1, maxLength: 5 }), fc.array(recA, { maxLength: 30 }), (sessions, recs) => {
        const records = recs.map((r, i) => record(r.pid, r.at, r.source, `pts/${i}`));
        const snap = { loginRecords: records };
        for (const ps of sessions) {
          const procs = ps.map((p) => proc(p.pid, p.role, p.startedAt));
          expect(loginRecordsOf(procs, snap)).toEqual(plain(procs, records));
        }
      }),
      { numRuns: 2000 },
    );
  });
});
