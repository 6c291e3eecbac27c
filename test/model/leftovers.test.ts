// Login identity and leftovers over a real capture (scripts/tools/capture-leftovers.ts): Debian's
// OpenSSH with pam_loginuid, a live login with a setsid job, a root login running a job as
// another user, and an ended login that left tmux, a nohup job and an env-less setsid job. Every
// expectation comes from meta.json, recorded from /proc at capture time, never from sshtop.
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loginKey } from '../../src/model/loose.js';
import { buildModel } from '../../src/model/sessions.js';
import type { LoginHistory, LoginOrigin, Model } from '../../src/model/types.js';
import { ProcReader } from '../../src/proc/reader.js';
import { FIXTURES } from '../support/fixtures.js';

const BASE = join(FIXTURES, 'leftovers', 'openssh-9.2p1');
interface Meta {
  capturedAt: string;
  expected: {
    listenerPid: number;
    live: { user: string; sessionId: number; outside: number[] };
    asOther: { pid: number; user: string; loginUser: string };
    ended: { user: string; sessionId: number; remotePort: number; localPort: number; pids: number[] };
  };
}
const meta = JSON.parse(readFileSync(join(BASE, 'meta.json'), 'utf8')) as Meta;
const want = meta.expected;

const tmp = mkdtempSync(join(tmpdir(), 'sshtop-leftovers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** the capture as sshtop reads it, after `edit` changed a copy of it */
function modelOf(edit?: (proc: string) => void, history?: LoginHistory): Model {
  let root = BASE;
  if (edit) {
    root = mkdtempSync(join(tmp, 'edit-'));
    cpSync(BASE, root, { recursive: true, verbatimSymlinks: true });
    edit(join(root, 'proc'));
  }
  const reader = new ProcReader({ procRoot: join(root, 'proc'), devRoot: join(root, 'dev'), passwdPath: join(root, 'passwd') });
  try {
    return buildModel(reader.read(), { idleSeconds: 600, selfPid: -1, history });
  } finally {
    reader.close();
  }
}

const model = modelOf();
const leftovers = model.sessions.filter((s) => s.kind === 'leftover');

describe('login identity (sessionid, loginuid) over a real capture', () => {
  it('each authenticated session carries its own audit session; no two share one', () => {
    const ids = model.sessions.filter((s) => s.kind === undefined).map((s) => loginKey(s.loginId));
    expect(ids.every((k) => k !== null)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(model.sessions.find((s) => s.user === want.live.user)?.loginId?.sessionId).toBe(want.live.sessionId);
  });

  it('a job that left the tree (setsid) is still its live login’s, marked outside', () => {
    const live = model.sessions.find((s) => s.user === want.live.user && s.kind === undefined);
    const outside = live?.processes.filter((p) => p.outside).map((p) => p.pid);
    expect(outside).toEqual(want.live.outside);
  });

  it('a process run as another user shows who logged in (loginuid)', () => {
    const p = model.sessions.flatMap((s) => s.processes).find((x) => x.pid === want.asOther.pid);
    expect(p).toMatchObject({ user: want.asOther.user, loginUser: want.asOther.loginUser });
    // exactly the user processes whose captured uid and loginuid differ (su's shell and its job); the
    // daemons' (root's monitor of a user's login) are the daemon's, not a person's, and keep none
    const differ = readdirSync(join(BASE, 'proc'))
      .filter((n) => /^\d+$/.test(n) && readFileSync(join(BASE, 'proc', n, 'comm'), 'utf8').trim() !== 'sshd')
      .filter((n) => {
        const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(join(BASE, 'proc', n, 'status'), 'utf8'))?.[1];
        const by = readFileSync(join(BASE, 'proc', n, 'loginuid'), 'utf8').trim();
        return by !== '4294967295' && by !== uid;
      })
      .map(Number);
    expect(differ).toContain(want.asOther.pid);
    const named = model.sessions.flatMap((s) => s.processes).filter((x) => x.loginUser !== undefined);
    expect(named.map((x) => x.pid).sort((a, b) => a - b)).toEqual(differ.sort((a, b) => a - b));
  });
});

describe('leftovers of an ended login', () => {
  it('one group: its user, remote address and port, every process, tied by the audit session', () => {
    expect(leftovers).toHaveLength(1);
    const g = leftovers[0];
    expect(g).toMatchObject({ user: want.ended.user, remote: { port: want.ended.remotePort }, local: { port: want.ended.localPort }, flags: ['leftover'] });
    expect(g?.leftover).toMatchObject({ via: 'audit', partial: false, sessionId: want.ended.sessionId, loginAt: null, endedAt: null });
    expect(g?.processes.map((p) => p.pid).sort((a, b) => a - b)).toEqual(want.ended.pids);
    for (const p of g?.processes ?? []) expect(p.rssBytes).toBeGreaterThan(0);
  });

  it('the job whose environment was cleared is tied by its audit session alone', () => {
    // without sessionid files there is nothing to tie it: it is not shown (a cron job looks the same)
    const noAudit = modelOf((proc) => {
      for (const pid of want.ended.pids) rmSync(join(proc, String(pid), 'sessionid'), { force: true });
    });
    const g = noAudit.sessions.filter((s) => s.kind === 'leftover');
    expect(g).toHaveLength(1);
    expect(g[0]?.leftover).toMatchObject({ via: 'environ', partial: true, sessionId: null });
    const shown = g[0]?.processes.map((p) => p.pid) ?? [];
    expect(want.ended.pids.filter((p) => !shown.includes(p))).toHaveLength(1);
  });

  it('an audit session with no sign of SSH (no SSH_CONNECTION, never seen) is no SSH leftover', () => {
    const noEnv = modelOf((proc) => {
      for (const pid of want.ended.pids) rmSync(join(proc, String(pid), 'environ'), { force: true });
    });
    expect(noEnv.sessions.filter((s) => s.kind === 'leftover')).toEqual([]);
  });

  it('a login sshtop saw gives its group the login time, its end and its ttys', () => {
    const origin: LoginOrigin = { sessionPid: 4242, startTicks: 1, user: want.ended.user, remote: null, local: null, ttys: ['pts/9'], loginAt: 1_000, endedAt: 2_000 };
    const history: LoginHistory = { processes: new Map(), logins: new Map([[`audit:${want.ended.sessionId}`, origin]]) };
    const g = modelOf(undefined, history).sessions.find((s) => s.kind === 'leftover');
    expect(g?.leftover).toMatchObject({ via: 'audit', loginAt: 1_000, endedAt: 2_000, ttys: ['pts/9'] });
  });
});
