// An ordinary user inside their own SSH session, with /proc mounted hidepid=2, against a real sshd.
// A second procfs instance is mounted hidepid=2 in a temp dir and given with --proc-root (the
// system's /proc is never remounted). The kernel hides every sshd from the user there, their own
// user child too (non-dumpable): sshtop rebuilds their sessions from their own processes.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_USERS, ensureBuilt, ppidOf, requireLab, SSHTOP, ssConnections, startLab, type Client, type Lab, SSHTOP_SH } from '../support/lab.js';
import type { JsonSnapshot } from '../../src/report/json.js';
import { waitFor } from '../support/wait.js';

const skipReason = requireLab();

describe.runIf(skipReason === undefined)('an ordinary user under hidepid=2 sees their own sessions', () => {
  let lab: Lab;
  let dir: string | undefined;
  let mnt = '';
  let mounted = false;
  const [u1, u2] = LAB_USERS as [string, string];
  let own: Client;
  let master: Client;
  let exec: Client;
  let other: Client;

  /** the sshd user child of a client's connection (root's view): the socket holder whose parent holds it too */
  const userChild = (c: Client): number | undefined => {
    const conn = ssConnections().find((x) => x.localPort === lab.port && x.peerPort === c.localPort);
    return conn?.pids.find((p) => ppidOf(p) !== lab.sshdPid && conn.pids.includes(ppidOf(p) as number));
  };
  const sshtop = (args: string) => lab.run(own, `${SSHTOP_SH} ${args} --proc-root ${mnt} | cat; echo "rc=\${PIPESTATUS[0]}"`, 60_000);
  let json: JsonSnapshot;

  beforeAll(async () => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'sshtop-hidepid-e2e-'));
    chmodSync(dir, 0o755);
    mnt = join(dir, 'proc');
    mkdirSync(mnt);
    const r = spawnSync('mount', ['-t', 'proc', '-o', 'hidepid=2', 'proc', mnt], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`mount -t proc -o hidepid=2 failed: ${r.stderr}`);
    mounted = true;
    lab = await startLab();
    [own, master, exec, other] = await Promise.all([lab.openTty(u1), lab.openControlMaster(u1), lab.openExec(u1, 'sleep 600'), lab.openTty(u2)]);
    // the exec channel's command runs once its login completes
    await waitFor('the exec channel running', () => lab.serverPids().some((p) => ppidOf(p) === userChild(exec) && readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'sleep'));
    const out = await sshtop('--json');
    expect(out).toMatch(/rc=0\n$/);
    json = JSON.parse(out.replace(/rc=0\n$/, '')) as JsonSnapshot;
  });

  afterAll(async () => {
    try {
      await lab?.stop();
    } finally {
      if (mounted) spawnSync('umount', [mnt]);
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the kernel hides the sshd user children there, and shows the user their own shells', async () => {
    const child = userChild(own) as number;
    const shell = Number((await lab.run(own, 'echo $$')).trim());
    expect(ppidOf(shell)).toBe(child);
    // the same uid as the user, yet invisible: sshd made it non-dumpable (its /proc files are root's)
    expect(readFileSync(`/proc/${child}/status`, 'utf8')).toMatch(new RegExp(`^Uid:\\s+${spawnSync('id', ['-u', u1], { encoding: 'utf8' }).stdout.trim()}\\s`, 'm'));
    const seen = await lab.run(own, `test -e ${mnt}/${child} && echo child-seen; test -e ${mnt}/${shell} && echo shell-seen; test -e ${mnt}/${lab.sshdPid} && echo listener-seen`);
    expect(seen.trim()).toBe('shell-seen');
  });

  it('lists their own session: right user, tty, ports, flagged own and partial, one notice', () => {
    const pid = userChild(own);
    const s = json.sessions.find((x) => x.remote?.port === own.localPort);
    expect(s, JSON.stringify(json.sessions, null, 1)).toBeDefined();
    expect(s?.pid).toBe(pid);
    expect(s?.user).toBe(u1);
    expect(s?.ttys).toEqual([own.tty]);
    expect(s?.remote).toEqual({ address: '127.0.0.1', port: own.localPort });
    expect(s?.local).toEqual({ address: '127.0.0.1', port: lab.port });
    expect(s?.flags).toEqual(expect.arrayContaining(['own', 'partial']));
    expect(s?.partial).toBe(true);
    expect(s?.reasons.partial).toMatch(/hidepid/);
    expect(s?.idleSource).toBe('tty');
    expect(s?.idleSeconds).not.toBeNull();
    // what is hidden stays unknown
    expect(s?.listenerPid).toBeNull();
    expect(s?.net).toBeNull();
    expect(s?.processes.map((p) => p.role)).not.toContain('user');
    expect(json.self.sessionPid).toBe(pid);
    expect(json.self.via).toBe('ppid');
    expect(json.listeners).toEqual([]);
    expect(json.notices).toHaveLength(1);
    expect(json.notices[0]).toMatch(/^[^\n]*hidepid[^\n]*SSH daemon[^\n]*partial[^\n]*$/);
  });

  it("another user's session is not listed: hidden, never invented", () => {
    const hiddenPids = [userChild(other), ppidOf(userChild(other) as number)];
    expect(hiddenPids.every((p) => p !== undefined)).toBe(true);
    expect(json.sessions.filter((s) => s.user === u2)).toEqual([]);
    expect(json.sessions.filter((s) => s.remote?.port === other.localPort || hiddenPids.includes(s.pid))).toEqual([]);
    expect(json.sessions.flatMap((s) => s.ttys)).not.toContain(other.tty);
    // on this lab's port exactly the user's three connections (other suites may log the same users in elsewhere)
    const here = json.sessions.filter((s) => s.local?.port === lab.port);
    expect(here.map((s) => s.remote?.port).sort()).toEqual([own.localPort, master.localPort, exec.localPort].sort());
  });

  it('a ControlMaster connection with two ttys is one session; an exec is one without a tty', () => {
    const m = json.sessions.filter((s) => s.remote?.port === master.localPort);
    expect(m).toHaveLength(1);
    expect(m[0]?.pid).toBe(userChild(master));
    expect([...(m[0]?.ttys ?? [])].sort()).toEqual([...(master.ttys ?? [])].sort());
    expect(m[0]?.flags).toEqual(expect.arrayContaining(['partial', 'multiplexed']));
    expect(m[0]?.flags).not.toContain('own');
    const e = json.sessions.filter((s) => s.remote?.port === exec.localPort);
    expect(e).toHaveLength(1);
    expect(e[0]?.pid).toBe(userChild(exec));
    expect(e[0]?.flags).toEqual(expect.arrayContaining(['partial', 'notty']));
    expect(e[0]?.command).toBe('sleep 600');
  });

  it('--once shows it too, under the hidden-listener group, with the notice', async () => {
    const out = await sshtop('--once');
    expect(out).toMatch(/rc=0\n$/);
    const lines = out.split('\n');
    expect(lines.filter((l) => l.startsWith('note:'))).toEqual([`note: ${json.notices[0]}`]);
    expect(out).toContain('listener hidden (/proc hidepid)');
    expect(out).not.toContain('no SSH daemon and no SSH session found');
    expect(out).not.toContain(u2);
    expect(out).toContain(`* = your own session (pid ${userChild(own)})`);
    // one row each (filtered: other suites' sessions of the same user may hold any text; the own
    // session matches too, its sshtop command line names the port)
    const rowOf = async (c: Client) => {
      const text = await sshtop(`--once --filter 127.0.0.1:${c.localPort}`);
      const rows = text.split('\n').filter((l) => l.startsWith(`│ ${userChild(c)} `));
      expect(rows, text).toHaveLength(1);
      return rows[0] as string;
    };
    const row = await rowOf(own);
    expect(row).toMatch(new RegExp(`│ \\* ${u1} +│ ${own.tty} +│ 127\\.0\\.0\\.1:${own.localPort} +│`));
    expect(row).toContain('own,partial');
    const m = await rowOf(master);
    expect(m).toContain('partial,multiplexed');
  });
});
