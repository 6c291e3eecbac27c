// Own-session detection inside tmux (docs/sessions.md): the tmux server is daemonised, so the ppid walk
// from sshtop ends at pid 1; the session is found through the terminals the server holds open for
// its attached clients. One attached client → that session; two → both are candidates, none sure.
// `sudo sshtop` in a pane (sudo drops $TMUX) finds the server from its ancestors, and the TUI then
// guards the own session and its login shell: a bare y ends nothing, `yes` ends the connection.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonSnapshot } from '../../src/report/json.js';
import { LAB_USERS, alive, ensureBuilt, ppidOf, requireLab, SSHTOP, ssConnections, startLab, type Client, type Lab, SSHTOP_SH } from '../support/lab.js';
import { startTmux, type Tmux } from '../support/tmux.js';
import { waitFor } from '../support/wait.js';

const skipReason = requireLab();

describe.runIf(skipReason === undefined)('own session inside tmux on a real sshd', () => {
  let lab: Lab;
  let a: Client;
  let b: Client;
  let other: Client;
  let sock: string;
  /** the root operator's tmux on the server (sudo case), and the terminal the operator types in */
  let rootSock: string | undefined;
  let terminal: Tmux | undefined;
  const tmux = (...args: string[]) => spawnSync('tmux', ['-S', sock, ...args], { encoding: 'utf8' });
  const rootTmux = (...args: string[]) => spawnSync('tmux', ['-S', rootSock as string, ...args], { encoding: 'utf8' });

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
    const r = tmux('new-window', '-d', `${SSHTOP_SH} --json > ${out}.tmp 2>&1; mv ${out}.tmp ${out}`);
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
    // by their own sockets: the root tmux server (its pane's sudo passes the HUP on to sshtop)
    if (rootSock) {
      rootTmux('kill-server');
      rmSync(rootSock, { force: true });
    }
    terminal?.kill();
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

  it('sudo sshtop in tmux in a root SSH session: own session found without $TMUX; a bare y ends nothing, yes does', async () => {
    // the operator's terminal: ssh as root into the lab, tmux there, sudo sshtop in its pane
    const t = startTmux();
    terminal = t;
    t.type(`ssh ${lab.sshArgs('root').join(' ')} -tt 127.0.0.1`);
    t.send('Enter');
    await t.waitFor('remote shell', (s) => /#\s*$/m.test(s));
    t.type('echo "MY""TTY=$(tty) SH""ELL=$$"');
    t.send('Enter');
    const m = /MYTTY=\/dev\/(pts\/\d+) SHELL=(\d+)/.exec(await t.waitFor('tty and shell', (s) => /MYTTY=\/dev\/pts\/\d+ SHELL=\d+/.test(s))) as RegExpExecArray;
    const tty = m[1] as string;
    const shell = Number(m[2]);
    // ground truth, independent of sshtop: the session is the shell's ancestor whose parent is the listener
    let session = shell;
    while (ppidOf(session) !== lab.sshdPid) session = ppidOf(session) as number;
    const paneShell = Number(t.display('#{pane_pid}'));
    const sshClient = Number(readFileSync(`/proc/${paneShell}/task/${paneShell}/children`, 'utf8').trim().split(' ')[0]);
    expect(readFileSync(`/proc/${sshClient}/comm`, 'utf8').trim()).toBe('ssh');

    rootSock = join(lab.dir, 'tmux', 'root-sock');
    t.type(`tmux -S ${rootSock} -f /dev/null new-session`);
    t.send('Enter');
    await waitFor('the root tmux client attached on the session terminal', () => rootTmux('list-clients', '-F', '#{client_tty}').stdout.trim() === `/dev/${tty}`, 15_000);
    // the defect's precondition: in the pane $TMUX is set, under sudo it is gone
    t.type('echo "IN""NER=[${TMUX:+set}] SU""DO=[$(sudo printenv TMUX)]"');
    t.send('Enter');
    await t.waitFor('sudo drops $TMUX', (s) => s.includes('INNER=[set] SUDO=[]'));

    // --json first: exact figures
    const out = join(lab.dir, 'tmux', `sudo-${Date.now()}.json`);
    expect(rootTmux('new-window', '-d', `sudo ${SSHTOP_SH} --json > ${out}.tmp 2>&1; mv ${out}.tmp ${out}`).status).toBe(0);
    const text = await waitFor('sudo sshtop --json in a tmux window', () => existsSync(out) && readFileSync(out, 'utf8'), 20_000);
    expect(text, text).toMatch(/^\{/);
    const snap = JSON.parse(text) as JsonSnapshot;
    expect(snap.self).toMatchObject({ sessionPid: session, candidates: [session], via: 'tmux' });
    expect(snap.sessions.filter((s) => s.flags.includes('own')).map((s) => s.pid)).toEqual([session]);

    // the TUI, under sudo, in the pane the operator sees
    t.type(`sudo ${SSHTOP_SH}`);
    t.send('Enter');
    await t.waitFor('own session marked', (s) => s.includes(`* you are here: session ${session}`) && s.includes('F1 help'));
    const selected = (s: string) => s.split('\n').find((l) => l.startsWith('>')) ?? '';
    /** search from the top; F3 on to the next match until the selected line is the wanted one */
    const select = async (needle: string, want: (line: string) => boolean) => {
      t.send('g');
      t.send('/');
      t.type(needle);
      t.send('Enter');
      for (let i = 0; i < 10; i++) {
        const s = await t.waitFor(`a match for ${needle}`, (x) => !x.includes('search:') && selected(x) !== '', 5000);
        if (want(selected(s))) return;
        t.send('F3');
        await new Promise((r) => setTimeout(r, 300));
      }
      throw new Error(`no row for ${needle}:\n${t.capture()}`);
    };
    const survives = async () => {
      await new Promise((r) => setTimeout(r, 1000));
      expect(alive(sshClient)).toBe(true);
      expect(alive(session)).toBe(true);
      expect(alive(shell)).toBe(true);
    };

    // the login shell's process row: a signal to it ends the connection
    await select(String(shell), (l) => l.includes(` ${shell} `) && l.includes('-bash'));
    t.send('x');
    await t.waitFor('menu', (s) => s.includes('SIGTERM (default)'));
    t.send('2');
    await t.waitFor('typed confirmation on the login shell', (s) => s.includes('ends YOUR OWN connection') && s.includes('Type yes') && s.includes('SIGHUP'));
    t.send('y');
    t.send('Enter');
    await t.waitFor('refused', (s) => s.includes('not confirmed'));
    await survives();

    // the own session row
    await select(tty, (l) => l.startsWith('> *') && l.includes(` ${tty} `));
    t.send('x');
    await t.waitFor('menu', (s) => s.includes('SIGTERM (default)'));
    t.send('Enter');
    await t.waitFor('typed confirmation on the session', (s) => s.includes('YOUR OWN session') && s.includes('Type yes'));
    t.send('y');
    t.send('Enter');
    await t.waitFor('refused', (s) => s.includes('not confirmed'));
    await survives();

    // yes typed: the operator's own connection ends, as asked (K: htop's kill key, shifted)
    t.send('K');
    await t.waitFor('menu', (s) => s.includes('SIGTERM (default)'));
    t.send('Enter');
    await t.waitFor('typed confirmation', (s) => s.includes('Type yes'));
    t.type('yes');
    t.send('Enter');
    await waitFor('the own connection to end', () => !alive(sshClient) && !alive(session), 15_000);
  }, 180_000);
});
