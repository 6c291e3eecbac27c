// Own-session detection inside tmux (SPEC 1.3): the tmux server is daemonised, so the ppid walk
// from sshtop ends at pid 1; the session is found through the terminals the server holds open for
// its attached clients. One attached client → that session; two → both are candidates, none sure.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonSnapshot } from '../../src/report/json.js';
import { LAB_USERS, ensureBuilt, ppidOf, requireLab, SSHTOP, ssConnections, startLab, waitFor, type Client, type Lab } from './lab.js';

const skipReason = requireLab();

describe.runIf(skipReason === undefined)('own session inside tmux on a real sshd', () => {
  let lab: Lab;
  let a: Client;
  let b: Client;
  let other: Client;
  let sock: string;
  const tmux = (...args: string[]) => spawnSync('tmux', ['-S', sock, ...args], { encoding: 'utf8' });

  /** the server-side session pid of a client: the process ss shows whose parent is the listener */
  const sessionPidOf = (c: Client): number => {
    const conn = ssConnections().find((x) => x.localPort === lab.port && x.peerPort === c.localPort);
    const pid = conn?.pids.find((p) => ppidOf(p) === lab.sshdPid);
    if (pid === undefined) throw new Error(`no server process for client port ${c.localPort}`);
    return pid;
  };

  const clientTtys = () => tmux('list-clients', '-F', '#{client_tty}').stdout.split('\n').filter(Boolean).sort();

  /** run sshtop --json in a new tmux window: a child of the daemonised server, with $TMUX set */
  async function sshtopInTmux(): Promise<JsonSnapshot> {
    // the window runs as the server's user: write where that user may
    const out = join(sock, '..', `snap-${Date.now()}.json`);
    const r = tmux('new-window', '-d', `${process.execPath} ${SSHTOP} --json > ${out}.tmp 2>&1; mv ${out}.tmp ${out}`);
    expect(r.status, r.stderr).toBe(0);
    await waitFor('sshtop --json in the tmux window', () => existsSync(out), 20_000);
    return JSON.parse(readFileSync(out, 'utf8')) as JsonSnapshot;
  }

  beforeAll(async () => {
    ensureBuilt();
    lab = await startLab();
    // a and b are the same user (tmux serves only its owner); the server runs as that user
    [a, b, other] = await Promise.all([lab.openTty(LAB_USERS[0]!), lab.openTty(LAB_USERS[0]!), lab.openTty(LAB_USERS[1]!)]);
    const dir = join(lab.dir, 'tmux');
    mkdirSync(dir, { mode: 0o777 });
    chmodSync(dir, 0o1777);
    sock = join(dir, 'sock');
  });

  afterAll(async () => {
    if (sock) {
      tmux('kill-server');
      rmSync(sock, { force: true });
    }
    await lab?.stop();
  });

  it('one attached client: exactly that SSH session is own, found via the tmux server', async () => {
    // a real tmux client attached on the session's terminal, as an operator would run it
    a.send(`TERM=xterm-256color tmux -S ${sock} -f /dev/null new-session -s own\n`);
    await waitFor('one tmux client attached', () => clientTtys().length === 1, 15_000);
    expect(clientTtys()).toEqual([`/dev/${a.tty}`]);
    // the ppid walk cannot succeed: the server is not below any sshd
    const server = Number(tmux('display', '-p', '#{pid}').stdout.trim());
    expect(ppidOf(server)).not.toBe(lab.sshdPid);

    const snap = await sshtopInTmux();
    const mine = sessionPidOf(a);
    expect(snap.self).toMatchObject({ sessionPid: mine, candidates: [mine], via: 'tmux' });
    expect(snap.sessions.filter((s) => s.flags.includes('own')).map((s) => s.pid)).toEqual([mine]);
  });

  it('two attached clients: both are candidates and flagged own, sessionPid stays null', async () => {
    b.send(`TERM=xterm-256color tmux -S ${sock} attach -t own\n`);
    await waitFor('two tmux clients attached', () => clientTtys().length === 2, 15_000);
    const snap = await sshtopInTmux();
    const both = [sessionPidOf(a), sessionPidOf(b)].sort((x, y) => x - y);
    expect(snap.self.sessionPid).toBeNull();
    expect(snap.self.via).toBe('tmux');
    expect([...snap.self.candidates].sort((x, y) => x - y)).toEqual(both);
    expect(snap.sessions.filter((s) => s.flags.includes('own')).map((s) => s.pid).sort((x, y) => x - y)).toEqual(both);
    expect(snap.sessions.find((s) => s.pid === sessionPidOf(other))?.flags).not.toContain('own');
  });
});
