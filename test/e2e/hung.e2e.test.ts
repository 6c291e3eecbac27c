// `hung` in the one-shot modes and `reap --hung`, against a real sshd: a login stuck in PAM for
// real (a pam_exec that never returns, in the lab sshd's own PAM stack) and a process stuck in D
// for real (the parent of a vfork() whose child never execs nor exits), next to healthy sessions.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonSnapshot } from '../../src/report/json.js';
import { LAB_USERS, alive, ensureBuilt, ppidOf, requireLab, runSshtop, ssConnections, startLab, type Client, type Lab } from '../support/lab.js';
import { waitFor } from '../support/wait.js';

const skipReason = requireLab();
const [u1, u2, u3, u4] = LAB_USERS as [string, string, string, string];

/** only u4's logins run the command that never returns; the others get through PAM at once */
const PAM = [
  'auth required pam_permit.so',
  'account required pam_permit.so',
  `session [success=1 default=ignore] pam_succeed_if.so quiet user != ${u4}`,
  'session required pam_exec.so /bin/sleep 600',
  'session required pam_permit.so',
].join('\n');

/** vfork(): the parent sleeps uninterruptibly (D, TASK_KILLABLE) until its child execs or exits; this child does neither */
const VFORK_HOLD = `#include <unistd.h>
#include <sys/syscall.h>
int main(void) { if (vfork() == 0) for (;;) syscall(SYS_pause); return 0; }
`;

interface ReapJson {
  dryRun: boolean;
  matched: { pid: number; reasons: string[]; results: { outcome: string; signal: string }[] }[];
}

const stateOf = (pid: number): string | undefined => {
  try {
    const text = spawnSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' }).stdout;
    return text.slice(text.lastIndexOf(')') + 2)[0];
  } catch {
    return undefined;
  }
};

describe.runIf(skipReason === undefined)('hung without history: --json, --once and reap --hung on a real sshd', () => {
  let lab: Lab;
  let stuck: Client, blocked: Client, tty: Client, exec: Client;
  let t0 = 0;
  /** the server's connection process of a client: ss shows it, and its parent is the listener */
  const truthPid = (c: Client): number => {
    const conn = ssConnections().find((x) => x.localPort === lab.port && x.peerPort === c.localPort);
    const pid = conn?.pids.find((p) => ppidOf(p) === lab.sshdPid);
    if (pid === undefined) throw new Error(`no server process for the ${c.kind} client of ${c.user}`);
    return pid;
  };
  let pids: { stuck: number; blocked: number; tty: number; exec: number };
  let holder = 0;

  beforeAll(async () => {
    ensureBuilt();
    lab = await startLab({ pam: PAM });
    const src = join(lab.dir, 'vfork-hold.c');
    writeFileSync(src, VFORK_HOLD);
    const cc = spawnSync('cc', ['-O2', '-o', join(lab.dir, 'vfork-hold'), src], { encoding: 'utf8' });
    if (cc.status !== 0) throw new Error(`cc: ${cc.stderr}`);
    t0 = Date.now();
    [stuck, blocked, tty, exec] = await Promise.all([
      lab.openExec(u4, 'echo never'),
      lab.openExec(u3, join(lab.dir, 'vfork-hold')),
      lab.openTty(u1),
      lab.openExec(u2, 'sleep 600'),
    ]);
    pids = { stuck: truthPid(stuck), blocked: truthPid(blocked), tty: truthPid(tty), exec: truthPid(exec) };
    // ground truth, read here: the vfork parent really is in D, the PAM command really runs below the monitor
    holder = await waitFor('the vfork parent in D', () => {
      const ps = spawnSync('pgrep', ['-x', 'vfork-hold'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
      return ps.find((p) => stateOf(p) === 'D');
    });
    await waitFor('pam_exec child below the stuck monitor', () =>
      spawnSync('pgrep', ['-P', String(pids.stuck), '-x', 'sleep'], { encoding: 'utf8' }).stdout.trim() !== '' ? true : undefined,
    );
    // `hung` for a login needs 60 s without a user process
    await new Promise((r) => setTimeout(r, Math.max(0, t0 + 64_000 - Date.now())));
  }, 120_000);

  afterAll(async () => {
    await lab?.stop();
  });

  it('--json flags exactly the stuck login (naming the PAM step) and the session stuck in D', () => {
    const began = Date.now();
    const r = runSshtop(['--json']);
    expect(r.status, r.stderr).toBe(0);
    // the second look: a one-shot confirms what one read cannot
    expect(Date.now() - began).toBeGreaterThanOrEqual(2000);
    const snap = JSON.parse(r.stdout) as JsonSnapshot;
    const ours = snap.sessions.filter((s) => Object.values(pids).includes(s.pid));
    expect(ours.map((s) => s.pid).sort()).toEqual(Object.values(pids).sort());
    expect(ours.filter((s) => s.flags.includes('hung')).map((s) => s.pid).sort()).toEqual([pids.stuck, pids.blocked].sort());
    const reason = (pid: number) => ours.find((s) => s.pid === pid)?.reasons.hung ?? '';
    expect(reason(pids.stuck)).toMatch(/no user process was started: stuck in PAM: sshd monitor \(pid \d+\) waits for its child pid \d+ `\/bin\/sleep 600` \(running \d+s; pam_exec/);
    const blocked = new RegExp(`process ${holder} \\(vfork-hold\\) stuck in uninterruptible sleep \\(D, in \\w+\\) for (\\d+)s without running`).exec(reason(pids.blocked));
    expect(blocked, reason(pids.blocked)).not.toBeNull();
    // the second look's own length: at least its 2 s wait (more on a loaded machine), never less
    expect(Number(blocked?.[1])).toBeGreaterThanOrEqual(2);
    expect(ours.find((s) => s.pid === pids.stuck)?.flags).not.toContain('preauth');
  });

  it('--once shows hung on exactly those two rows', () => {
    const r = runSshtop(['--once'], { COLUMNS: '250' });
    expect(r.status, r.stderr).toBe(0);
    const row = (pid: number) => r.stdout.split('\n').find((l) => l.startsWith(`│ ${pid} `)) ?? '';
    for (const pid of [pids.stuck, pids.blocked]) expect(row(pid), r.stdout).toMatch(/│ hung/);
    for (const pid of [pids.tty, pids.exec]) {
      expect(row(pid), r.stdout).not.toBe('');
      expect(row(pid)).not.toContain('hung');
    }
  });

  it('reap --hung: the dry run lists exactly the two, --yes ends exactly them', async () => {
    const audit = { SSHTOP_AUDIT_LOG: join(lab.dir, 'audit.log') };
    const dry = runSshtop(['reap', '--hung', '--port', String(lab.port), '--json'], audit);
    expect(dry.status, dry.stderr).toBe(0);
    const d = JSON.parse(dry.stdout) as ReapJson;
    expect(d.dryRun).toBe(true);
    expect(d.matched.map((m) => m.pid).sort()).toEqual([pids.stuck, pids.blocked].sort());
    for (const pid of Object.values(pids)) expect(alive(pid)).toBe(true);

    const text = runSshtop(['reap', '--hung', '--port', String(lab.port)]);
    expect(text.stdout).toMatch(new RegExp(`would end \\(SIGTERM\\): pid ${pids.stuck} ${u4}@notty from 127\\.0\\.0\\.1:${stuck.localPort} \\(\\d+ processes\\): authenticated .* stuck in PAM`));

    const yes = runSshtop(['reap', '--hung', '--port', String(lab.port), '--yes', '--json'], audit);
    expect(yes.status, yes.stderr).toBe(0);
    const y = JSON.parse(yes.stdout) as ReapJson;
    expect(y.matched.map((m) => m.pid).sort()).toEqual([pids.stuck, pids.blocked].sort());
    for (const m of y.matched) expect(m.results[0]).toMatchObject({ signal: 'SIGTERM', outcome: 'sent' });
    await waitFor('hung sessions to end', () => !alive(pids.stuck) && !alive(pids.blocked), 10_000);
    expect(alive(pids.tty)).toBe(true);
    expect(alive(pids.exec)).toBe(true);
    expect(tty.exited()).toBe(false);
    expect(exec.exited()).toBe(false);
  });
});
