// An attacker points root's audit trail elsewhere (SSHTOP_AUDIT_LOG at a FIFO, or at a symlink
// to a file they want root to append to), then waits for `sshtop reap --yes`: the real CLI against
// real sessions must still end them promptly, write nothing through the trap, and say so on stderr.
import { spawnSync } from 'node:child_process';
import { chownSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_USERS, alive, ensureBuilt, requireLab, runSshtop, ssConnections, startLab, type Client, type Lab } from '../support/lab.js';
import { waitFor } from '../support/wait.js';

const skipReason = requireLab();
const ATTACKER = 'sshtop-atk';

interface ReapJson {
  matched: { pid: number; user: string; results: { outcome: string; signal: string; message: string }[] }[];
}

/** the second, unprivileged user who owns the attacker's paths (kept, like the lab's users) */
function attackerUid(): number {
  if (spawnSync('id', ['-u', ATTACKER]).status !== 0) {
    const r = spawnSync('useradd', ['-M', '-s', '/usr/sbin/nologin', ATTACKER], { encoding: 'utf8' });
    if (r.status !== 0 && !/already exists/.test(r.stderr)) throw new Error(`useradd ${ATTACKER}: ${r.stderr}`);
  }
  return Number(spawnSync('id', ['-u', ATTACKER], { encoding: 'utf8' }).stdout.trim());
}

describe.runIf(skipReason === undefined)('the audit trail under attack, through the real CLI', () => {
  let lab: Lab;
  let atk: number;
  let atkDir: string;

  const pidOf = (client: Client): number => {
    const conn = ssConnections().find((x) => x.localPort === lab.port && x.peerPort === client.localPort);
    const pid = conn?.pids.find((p) => readFileSync(`/proc/${p}/stat`, 'utf8').includes(` ${lab.sshdPid} `));
    if (pid === undefined) throw new Error(`no server process for client port ${client.localPort}`);
    return pid;
  };

  /** one idle session of `user`, reaped with the audit log at `log`; --user and --port keep it to that one */
  async function reapWithLog(user: string, log: string) {
    const victim = await lab.openTty(user);
    lab.makeIdle(victim.tty!, 7200);
    const pid = pidOf(victim);
    const t0 = Date.now();
    const r = runSshtop(['reap', '--idle', '1m', '--user', user, '--port', String(lab.port), '--yes', '--json'], { SSHTOP_AUDIT_LOG: log });
    const ms = Date.now() - t0;
    return { r, ms, pid, victim };
  }

  beforeAll(async () => {
    ensureBuilt();
    atk = attackerUid();
    lab = await startLab();
    // the attacker's own directory, in the shared /tmp
    atkDir = mkdtempSync(join(tmpdir(), 'sshtop-atk-'));
    chownSync(atkDir, atk, atk);
  });

  afterAll(async () => {
    await lab?.stop();
    if (atkDir) rmSync(atkDir, { recursive: true, force: true });
  });

  it('a FIFO at the log path: reap ends the session within its normal time and warns', async () => {
    // in a directory root trusts, so the FIFO itself is what is met; the attacker owns it
    const logs = join(lab.dir, 'fifo-logs');
    mkdirSync(logs, { mode: 0o755 });
    const fifo = join(logs, 'audit.log');
    expect(spawnSync('mkfifo', ['-m', '0666', fifo]).status).toBe(0);
    chownSync(fifo, atk, atk);
    const { r, ms, pid, victim } = await reapWithLog(LAB_USERS[0]!, fifo);
    // a status (runSshtop's 30 s timeout would leave none), and far sooner than that
    expect(r.status, r.stderr).toBe(0);
    expect(ms).toBeLessThan(15_000);
    const json = JSON.parse(r.stdout) as ReapJson;
    expect(json.matched.map((m) => m.pid)).toEqual([pid]);
    expect(json.matched[0]?.results[0]).toMatchObject({ signal: 'SIGTERM', outcome: 'sent' });
    expect(json.matched[0]?.results[0]?.message).toContain(`audit log ${fifo} not written: it is a FIFO`);
    expect(r.stderr).toContain(`sshtop reap: warning: audit log ${fifo} not written: it is a FIFO\n`);
    await waitFor('the reaped session to end', () => victim.exited() && !alive(pid), 10_000);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('a symlink in the attacker\'s directory to a file of root\'s: the file is unchanged, the warning printed', async () => {
    const victimFile = join(lab.dir, 'precious.conf');
    writeFileSync(victimFile, 'PermitRootLogin no\n', { mode: 0o644 });
    const link = join(atkDir, 'audit.log');
    symlinkSync(victimFile, link);
    spawnSync('chown', ['-h', `${ATTACKER}:${ATTACKER}`, link]);
    const { r, pid, victim } = await reapWithLog(LAB_USERS[1]!, link);
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as ReapJson).matched[0]?.results[0]).toMatchObject({ outcome: 'sent' });
    expect(r.stderr).toContain(`sshtop reap: warning: audit log ${link} not written: ${atkDir} is owned by uid ${atk}, not root or uid 0\n`);
    await waitFor('the reaped session to end', () => victim.exited() && !alive(pid), 10_000);
    expect(readFileSync(victimFile, 'utf8')).toBe('PermitRootLogin no\n');
    expect(readdirSync(atkDir)).toEqual(['audit.log']);
  });

  it('a symlink planted in a directory root trusts is not followed either', async () => {
    const victimFile = join(lab.dir, 'precious2.conf');
    writeFileSync(victimFile, 'keep me\n', { mode: 0o644 });
    const logs = join(lab.dir, 'link-logs');
    mkdirSync(logs, { mode: 0o755 });
    const link = join(logs, 'audit.log');
    symlinkSync(victimFile, link);
    const { r, pid, victim } = await reapWithLog(LAB_USERS[2]!, link);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`sshtop reap: warning: audit log ${link} not written: it is a symbolic link\n`);
    await waitFor('the reaped session to end', () => victim.exited() && !alive(pid), 10_000);
    expect(readFileSync(victimFile, 'utf8')).toBe('keep me\n');
  });

  it('control: a safe path gets exactly one record per signal, each naming the session it ended', async () => {
    const log = join(lab.dir, 'good', 'audit.log');
    const { r, pid, victim } = await reapWithLog(LAB_USERS[3]!, log);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('warning');
    await waitFor('the reaped session to end', () => victim.exited() && !alive(pid), 10_000);
    const records = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    // one per process of the session (its shell, user child, monitor), in reap's order
    const out = JSON.parse(r.stdout) as { matched: { results: { pid: number; outcome: string }[] }[] };
    const sent = out.matched[0]?.results ?? [];
    expect(records.map((x) => [x.pid, x.result])).toEqual(sent.map((x) => [x.pid, x.outcome]));
    expect(records.length).toBeGreaterThanOrEqual(3);
    for (const x of records) expect(x).toMatchObject({ sessionPid: pid, signal: 'SIGTERM', tool: 'reap', sessionUser: LAB_USERS[3] });
    expect(records.at(-1)?.pid).toBe(pid);
  });
});
