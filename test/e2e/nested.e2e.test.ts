// A second sshd started from inside an SSH login (an admin debugging a config on another port):
// every process belongs to exactly one session, the nearest one above it, and the nested
// listener and its sessions are shown as what they are (issue 11, item 2).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_USERS, alive, ensureBuilt, freePort, ppidOf, requireLab, runSshtop, ssConnections, startLab, type Client, type Lab } from '../support/lab.js';
import type { JsonSnapshot } from '../../src/report/json.js';
import { waitFor } from '../support/wait.js';

const skipReason = requireLab();

describe.runIf(skipReason === undefined)('an sshd started inside a login', () => {
  let lab: Lab;
  let admin: Client;
  let inner: ChildProcess | undefined;
  let innerPort: number;
  let innerListener: number;
  let snap: JsonSnapshot;
  const user = LAB_USERS[0] as string;

  beforeAll(async () => {
    ensureBuilt();
    lab = await startLab();
    admin = await lab.openTty('root');
    innerPort = await freePort();
    // the lab's own config on another port and pid file: the same host key and user keys
    const cfg = readFileSync(lab.config, 'utf8')
      .replace(/^Port \d+$/m, `Port ${innerPort}`)
      .replace(/^PidFile .*$/m, `PidFile ${join(lab.dir, 'inner.pid')}`);
    writeFileSync(join(lab.dir, 'inner_config'), cfg);
    await lab.run(admin, `/usr/sbin/sshd -D -f ${join(lab.dir, 'inner_config')} -E ${join(lab.dir, 'inner.log')} & echo started`);
    innerListener = await waitFor('the nested listener', () => {
      const pid = Number(readFileSync(join(lab.dir, 'inner.pid'), { encoding: 'utf8', flag: 'a+' }).trim());
      return pid > 0 && alive(pid) ? pid : undefined;
    });
    const args = lab.sshArgs(user).map((a) => (a === String(lab.port) ? String(innerPort) : a));
    // a command that says when the login is complete: its user child and shell exist from then on
    inner = spawn('ssh', [...args, '127.0.0.1', 'echo LOGGED_IN; exec sleep 300'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let said = '';
    inner.stdout?.on('data', (d: Buffer) => (said += d.toString('utf8')));
    await waitFor('the login through the nested sshd', () => said.includes('LOGGED_IN'));
    expect(ssConnections().some((c) => c.pids.includes(inner?.pid as number) && c.peerPort === innerPort)).toBe(true);
    const r = runSshtop(['--json']);
    expect(r.stderr).toBe('');
    snap = JSON.parse(r.stdout) as JsonSnapshot;
  });

  afterAll(async () => {
    if (inner?.pid !== undefined && inner.exitCode === null) inner.kill('SIGKILL');
    // the nested sshd and its sessions run below the admin's login: lab.stop() ends them by pid
    await lab?.stop();
  });

  it('the nested sshd is a listener of its own, under the admin\'s login', () => {
    expect(ppidOf(innerListener)).toBeGreaterThan(1);
    const l = snap.listeners.find((x) => x.pid === innerListener);
    expect(l?.command).toContain('[listener]');
    expect(snap.listeners.map((x) => x.pid)).toContain(lab.sshdPid);
  });

  it('every process belongs to exactly one session', () => {
    const owners = new Map<number, number[]>();
    for (const s of snap.sessions) for (const p of s.processes) owners.set(p.pid, [...(owners.get(p.pid) ?? []), s.pid]);
    const twice = [...owners].filter(([, list]) => list.length > 1);
    expect(twice).toEqual([]);
  });

  it('the inner login is a session of the nested listener; the admin\'s login stops at it', () => {
    const innerSession = snap.sessions.find((s) => s.local?.port === innerPort);
    expect(innerSession?.listenerPid).toBe(innerListener);
    expect(innerSession?.user).toBe(user);
    const outer = snap.sessions.find((s) => s.local?.port === lab.port && s.remote?.port === admin.localPort);
    expect(outer?.user).toBe('root');
    const outerPids = new Set(outer?.processes.map((p) => p.pid));
    expect(outerPids.has(innerListener)).toBe(false);
    for (const p of innerSession?.processes ?? []) expect(outerPids.has(p.pid)).toBe(false);
    // nothing of the inner session counted in the outer one's CPU either: its processes are not there
    expect(innerSession?.flags).not.toContain('untrusted');
  });
});
