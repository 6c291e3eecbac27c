// `sshtop reap` and dead-peer detection against a real sshd, run from inside a real SSH session.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_USERS, alive, ensureBuilt, requireLab, runSshtop, SSHTOP, ssConnections, startLab, type Client, type Lab, SSHTOP_SH } from '../support/lab.js';
import { sleep, waitFor } from '../support/wait.js';

const skipReason = requireLab();

interface ReapJson {
  dryRun: boolean;
  matched: { pid: number; user: string; results: { outcome: string; signal: string }[] }[];
  spared: { pid: number }[];
}


describe.runIf(skipReason === undefined)('sshtop reap on a real sshd', () => {
  let lab: Lab;
  let idle1: Client, idle2: Client, fresh: Client, own: Client;
  const pidOf = (client: Client): number => {
    const conn = ssConnections().find((x) => x.localPort === lab.port && x.peerPort === client.localPort);
    // the session process is the one ss shows whose parent is the listener
    const pid = conn?.pids.find((p) => readFileSync(`/proc/${p}/stat`, 'utf8').includes(` ${lab.sshdPid} `));
    if (pid === undefined) throw new Error(`no server process for client port ${client.localPort}`);
    return pid;
  };

  /** run reap inside the own session, after moving that session's tty atime back as well */
  async function reapFromOwn(args: string): Promise<{ status: number; json: ReapJson }> {
    const out = join(lab.dir, `reap-${Date.now()}.json`);
    const audit = join(lab.dir, 'audit.log');
    // --port: only this lab's sessions, never anyone else's on a shared machine
    const pending = lab.run(own, `sleep 2; SSHTOP_AUDIT_LOG=${audit} ${SSHTOP_SH} reap ${args} --port ${lab.port} --json > ${out} 2>${out}.err; echo "rc=$?"`, 30_000);
    await sleep(800);
    lab.makeIdle(own.tty!, 7200);
    const text = await pending;
    const status = Number(/rc=(\d+)/.exec(text)?.[1]);
    return { status, json: JSON.parse(readFileSync(out, 'utf8')) as ReapJson };
  }

  beforeAll(async () => {
    ensureBuilt();
    lab = await startLab();
    [idle1, idle2, fresh, own] = await Promise.all([
      lab.openTty(LAB_USERS[0]!),
      lab.openTty(LAB_USERS[1]!),
      lab.openTty(LAB_USERS[2]!),
      lab.openTty('root'),
    ]);
    lab.makeIdle(idle1.tty!, 7200);
    lab.makeIdle(idle2.tty!, 7200);
  });

  afterAll(async () => {
    await lab?.stop();
  });

  it('dry run lists exactly the two idle sessions, spares the own one and ends nothing', async () => {
    const { status, json } = await reapFromOwn('--idle 30m');
    expect(status).toBe(0);
    expect(json.dryRun).toBe(true);
    expect(json.matched.map((m) => m.pid).sort()).toEqual([pidOf(idle1), pidOf(idle2)].sort());
    expect(json.spared.map((m) => m.pid)).toEqual([pidOf(own)]);
    expect(json.matched.every((m) => m.results.length === 0)).toBe(true);
    for (const c of [idle1, idle2, fresh, own]) expect(c.exited()).toBe(false);
    expect(existsSync(join(lab.dir, 'audit.log'))).toBe(false);
  });

  it('--yes ends exactly the two, leaves the fresh and the own session, and audits each signal', async () => {
    const targets = [pidOf(idle1), pidOf(idle2)];
    const keep = [pidOf(fresh), pidOf(own)];
    lab.makeIdle(idle1.tty!, 7200);
    lab.makeIdle(idle2.tty!, 7200);
    const { status, json } = await reapFromOwn('--idle 30m --grace 3s --warn "idle too long: bye" --yes');
    expect(status).toBe(0);
    expect(json.matched.map((m) => m.pid).sort()).toEqual([...targets].sort());
    for (const m of json.matched) expect(m.results[0]).toMatchObject({ signal: 'SIGTERM', outcome: 'sent' });
    await waitFor('idle clients to exit', () => idle1.exited() && idle2.exited(), 10_000);
    for (const pid of targets) expect(alive(pid)).toBe(false);
    for (const pid of keep) expect(alive(pid)).toBe(true);
    expect(fresh.exited()).toBe(false);
    expect(own.exited()).toBe(false);
    // the warning reached the victims' terminals before the signal
    expect(idle1.output()).toContain('idle too long: bye');
    const records = readFileSync(join(lab.dir, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    // one record per process of each session, every one naming its session; the connection
    // processes (the sessions' pids) among them, each signalled after its session's other processes
    const terms = records.filter((r) => r.signal === 'SIGTERM');
    expect([...new Set(terms.map((r) => r.sessionPid))].sort()).toEqual([...targets].sort());
    for (const pid of targets) {
      const mine = terms.filter((r) => r.sessionPid === pid);
      expect(mine.length).toBeGreaterThanOrEqual(3);
      // the connection process last: sent, or gone already with the user child it lost
      expect(mine.at(-1)).toMatchObject({ pid, result: expect.stringMatching(/^(sent|gone)$/) });
      expect(mine.some((r) => r.result === 'sent')).toBe(true);
    }
    for (const r of records) expect(r).toMatchObject({ tool: 'reap', kind: 'session', operatorUid: 0, result: expect.stringMatching(/^(sent|gone)$/) });
    expect([...new Set(records.map((r) => r.sessionUser))].sort()).toEqual([LAB_USERS[0], LAB_USERS[1]]);
  });

  it('flags a peer that stopped acknowledging within seconds, and reap --dead-peer ends it', async () => {
    const streamer = await lab.openExec(LAB_USERS[3]!, 'while true; do date; sleep 0.2; done');
    await sleep(1000);
    const victim = pidOf(streamer);
    const rule = ['OUTPUT', '-o', 'lo', '-p', 'tcp', '--sport', String(lab.port), '--dport', String(streamer.localPort), '-j', 'DROP'];
    const add = spawnSync('iptables', ['-I', ...rule], { encoding: 'utf8' });
    expect(add.status, add.stderr).toBe(0);
    try {
      const flagged = await waitFor(
        'dead-peer flag',
        () => {
          const snap = JSON.parse(runSshtop(['--json']).stdout) as { sessions: { pid: number; flags: string[] }[] };
          const labSessions = snap.sessions.filter((s) => [victim, pidOf(fresh), pidOf(own)].includes(s.pid));
          return labSessions.find((s) => s.pid === victim)?.flags.includes('dead-peer') ? labSessions : undefined;
        },
        20_000,
        500,
      );
      for (const s of flagged) if (s.pid !== victim) expect(s.flags).not.toContain('dead-peer');
      const r = runSshtop(['reap', '--dead-peer', '--port', String(lab.port), '--yes', '--json'], { SSHTOP_AUDIT_LOG: join(lab.dir, 'audit.log') });
      expect(r.status, r.stderr).toBe(0);
      const json = JSON.parse(r.stdout) as ReapJson;
      expect(json.matched.map((m) => m.pid)).toEqual([victim]);
      await waitFor('dead-peer session to end', () => !alive(victim), 10_000);
      expect(alive(pidOf(fresh))).toBe(true);
    } finally {
      spawnSync('iptables', ['-D', ...rule]);
    }
  });
});
