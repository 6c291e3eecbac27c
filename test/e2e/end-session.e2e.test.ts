// Ending ALL of a session, and what ended logins leave behind, against the real lab sshd: Debian's
// OpenSSH with UsePAM (its stack loads pam_loginuid, so every process of a login carries the
// login's audit session), and a lab with UsePAM no, where only what sshtop saw ties them.
//
// Ground truth is taken without sshtop's code: every command a test starts carries a unique
// marker in its argv (`sleep 91xx`, a tmux socket or screen name), found by scanning
// /proc/*/cmdline; "nothing survives" means each of those pids is gone (or a zombie).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LAB_USERS, SSHTOP_SH, alive, ensureBuilt, requireLab, runSshtop, ssConnections, startLab, type Client, type Lab } from '../support/lab.js';
import { startTmux, type Tmux } from '../support/tmux.js';
import { sleep, waitFor } from '../support/wait.js';

const skipReason = requireLab();
const [U1, U2, U3, U4] = LAB_USERS as [string, string, string, string];
/** a run's own tag: markers never match another run's (or another suite's) processes */
const RUN = `${process.pid % 10_000}`;

interface JsonProc {
  pid: number;
  command: string;
  outside: boolean;
  rssBytes: number | null;
  state: string;
}
interface JsonSession {
  pid: number;
  kind: 'ssh' | 'mosh' | 'leftover';
  user: string | null;
  remote: { address: string; port: number } | null;
  flags: string[];
  reasons: Record<string, string>;
  mosh: { udpPorts: number[] } | null;
  leftover: { via: string; partial: boolean; sessionId: number | null; endedAt: string | null } | null;
  processes: JsonProc[];
}
interface Snapshot {
  sessions: JsonSession[];
  leftovers: JsonSession[];
}

/** the `sleep <mark>` processes (a mark is unique to one test) */
const sleeping = (mark: string): number[] => pidsWith(mark).filter((p) => readFileSync(`/proc/${p}/cmdline`, 'latin1').split('\0')[0] === 'sleep');

/** pids whose argv holds `arg` as a whole argument (or, with `within`, as part of one) */
function pidsWith(arg: string, within = false): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${name}/cmdline`, 'latin1').split('\0');
    } catch {
      continue;
    }
    if (argv.some((a) => (within ? a.includes(arg) : a === arg))) out.push(Number(name));
  }
  return out.filter(alive);
}

/** every live descendant of pid (ppid walk over /proc), pid included */
function treeOf(pid: number): number[] {
  const kids = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const st = readFileSync(`/proc/${name}/stat`, 'latin1');
      const ppid = Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]);
      kids.set(ppid, [...(kids.get(ppid) ?? []), Number(name)]);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    out.push(p);
    for (const c of kids.get(p) ?? []) walk(c);
  };
  walk(pid);
  return out.filter(alive);
}

/** every process this run started (its markers are unique to the run): killed by pid after a failure */
function thisRunsProcesses(): number[] {
  const mark = new RegExp(`^9[1-6]${RUN}\\d$|e2e-(end|left)-${RUN}[rt]?$`);
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'latin1').split('\0').some((a) => mark.test(a))) out.push(Number(name));
    } catch {
      // gone
    }
  }
  return out;
}

function killAll(pids: Iterable<number>): void {
  for (const pid of new Set([...pids, ...thisRunsProcesses()])) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // ended, as it should have
    }
  }
}

const json = (env: NodeJS.ProcessEnv = {}): Snapshot => {
  const r = runSshtop(['--json'], env);
  if (r.status !== 0) throw new Error(`--json exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Snapshot;
};

describe.runIf(skipReason === undefined)('ending every process of a session (UsePAM yes)', () => {
  let lab: Lab;
  let tmux: Tmux | undefined;
  /** panes running a mosh-client: killed (by their own socket) after each test */
  const clients: Tmux[] = [];
  /** every pid a test started outside the clients: killed by pid at the end whatever happened */
  const started = new Set<number>();
  const track = (pids: number[]) => {
    for (const p of pids) started.add(p);
    return pids;
  };

  /** the session's connection process: the server side of the client's TCP connection, child of the listener */
  const rootOf = (c: Client): number => {
    const conn = ssConnections().find((x) => x.localPort === lab.port && x.peerPort === c.localPort);
    const pid = conn?.pids.find((p) => readFileSync(`/proc/${p}/stat`, 'utf8').includes(` ${lab.sshdPid} `));
    if (pid === undefined) throw new Error(`no server process for client port ${c.localPort}`);
    return pid;
  };

  const reap = (args: string[]) => {
    const r = runSshtop(['reap', ...args, '--port', String(lab.port), '--json'], { SSHTOP_AUDIT_LOG: join(lab.dir, 'audit.log') });
    return {
      status: r.status,
      stderr: r.stderr,
      out: JSON.parse(r.stdout) as { matched: { pid: number; kind?: string; processes: number[]; excluded?: number[]; reasons?: string[]; results: { pid: number; outcome: string }[] }[] },
    };
  };

  const allGone = (what: string, pids: number[]) => waitFor(what, () => pids.every((p) => !alive(p)), 10_000);

  beforeAll(async () => {
    ensureBuilt();
    lab = await startLab();
  });

  afterEach(() => {
    tmux?.kill();
    tmux = undefined;
    for (const c of clients.splice(0)) c.kill();
  });

  afterAll(async () => {
    killAll(started);
    await lab?.stop();
  });

  /**
   * End the session `root` by `how`: reap (every session of `user` on this lab) or the TUI in
   * tmux (the row found by searching `search`, checked to be the session's own row). Returns the
   * pids the signals went to, as reap's JSON or the dialog's count tells.
   */
  async function end(how: 'reap' | 'tui', root: number, user: string, search: string): Promise<{ targets: number[] | null; dialog: string }> {
    if (how === 'reap') {
      const { status, out } = reap(['--max-age', '0s', '--user', user, '--yes']);
      expect(status).toBe(0);
      expect(out.matched.map((m) => m.pid)).toEqual([root]);
      // the connection process is signalled last
      expect(out.matched[0]?.results.at(-1)?.pid).toBe(root);
      return { targets: out.matched[0]?.results.map((r) => r.pid) ?? [], dialog: '' };
    }
    const t = startTmux();
    tmux = t;
    t.type(`SSHTOP_AUDIT_LOG=${join(lab.dir, 'audit.log')} ${SSHTOP_SH}`);
    t.send('Enter');
    await t.waitFor('sshtop screen', (x) => x.includes('F1 help') && x.includes(user));
    t.send('/');
    t.type(search);
    t.send('Enter');
    // the session's own row: its pid and its FROM address (process rows have neither)
    const row = (x: string) => x.split('\n').some((l) => l.startsWith('>') && l.includes(` ${root} `) && l.includes('127.0.0.1:'));
    await t.waitFor('the session row selected', row);
    t.send('x');
    await t.waitFor('menu', (x) => x.includes('SIGTERM (default)'));
    t.send('Enter');
    const dialog = (await t.waitFor('the question', (x) => x.includes('[y/N]'))).replace(/\s*│\s*/g, ' ');
    t.send('y');
    await t.waitFor('sent', (x) => /\d+ of \d+ processes signalled/.test(x));
    return { targets: null, dialog };
  }

  for (const how of ['reap', 'tui'] as const) {
    const by = how === 'reap' ? 'reap --yes' : 'the TUI in tmux';

    it(`an exec session, ended by ${by}: the monitor, the user child and the command, nothing else`, async () => {
      const [mark, otherMark] = how === 'reap' ? [`91${RUN}1`, `91${RUN}2`] : [`91${RUN}3`, `91${RUN}4`];
      const mine = await lab.openExec(U1, `sleep ${mark}`);
      const other = await lab.openExec(U2, `sleep ${otherMark}`);
      const [cmd] = track(await waitFor('the command runs', () => (sleeping(mark).length === 1 ? sleeping(mark) : undefined)));
      const [otherCmd] = track(await waitFor('the other command runs', () => (sleeping(otherMark).length === 1 ? sleeping(otherMark) : undefined)));
      const root = rootOf(mine);
      const every = treeOf(root);
      expect(every).toContain(cmd);
      const otherTree = treeOf(rootOf(other));

      const { targets, dialog } = await end(how, root, U1, mark);
      // every process was a target, the command among them
      if (targets) expect([...targets].sort()).toEqual([...every].sort());
      else expect(dialog).toContain(`(${every.length} processes: sleep)`);
      await allGone('every process of the session', every);
      for (const p of otherTree) expect(alive(p), `the other login's pid ${p}`).toBe(true);
      expect(alive(otherCmd as number)).toBe(true);
      // closing the client leaves its command running (a leftover): killed by pid at the end
      await other.close();
    });

    it(`a tty session with a nohup and a setsid child, ended by ${by}: both go with it`, async () => {
      const [m1, m2] = how === 'reap' ? [`92${RUN}1`, `92${RUN}2`] : [`92${RUN}3`, `92${RUN}4`];
      const a = await lab.openTty(U2);
      await lab.run(a, `nohup sleep ${m1} >/dev/null 2>&1 & setsid sleep ${m2} </dev/null >/dev/null 2>&1 & echo started`);
      const [nohup] = track(await waitFor('nohup job', () => (sleeping(m1).length === 1 ? sleeping(m1) : undefined)));
      const [setsid] = track(await waitFor('setsid job', () => (sleeping(m2).length === 1 ? sleeping(m2) : undefined)));
      const root = rootOf(a);
      // the setsid child is reparented (to init) at once: outside every sshd tree, its login's still
      const session = await waitFor('the setsid job in the session', () => {
        const x = json().sessions.find((y) => y.pid === root);
        return x?.processes.some((p) => p.pid === setsid && p.outside) ? x : undefined;
      });
      expect(session.processes.find((p) => p.pid === nohup)?.outside).toBe(false);
      const every = [...treeOf(root), setsid as number];

      const { targets, dialog } = await end(how, root, U2, a.tty as string);
      if (targets) expect(targets).toEqual(expect.arrayContaining([nohup, setsid]));
      else expect(dialog).toMatch(new RegExp(`1 outside the sshd tree: sleep \\(pid ${setsid}\\)`));
      await allGone('the session, its nohup and its setsid job', every);
      await waitFor('client gone', () => a.exited());
    });

    it(`a session that started a detached tmux and screen, ended by ${by}: nothing of it is left`, async () => {
      const a = await lab.openTty(U3);
      const sock = `e2e-end-${RUN}${how === 'reap' ? 'r' : 't'}`;
      const [m1, m2] = how === 'reap' ? [`93${RUN}1`, `93${RUN}2`] : [`93${RUN}3`, `93${RUN}4`];
      await lab.run(a, `tmux -L ${sock} new -d "sleep ${m1}"; screen -dmS ${sock} sleep ${m2}; echo started`);
      const servers = track(await waitFor('tmux and screen servers', () => (pidsWith(sock, true).length >= 2 ? pidsWith(sock, true) : undefined)));
      const sleeps = track(await waitFor('their sleeps', () => (sleeping(m1).length + sleeping(m2).length === 2 ? [...sleeping(m1), ...sleeping(m2)] : undefined)));
      const root = rootOf(a);
      const every = [...new Set([...treeOf(root), ...servers.flatMap(treeOf), ...sleeps])];

      const { targets, dialog } = await end(how, root, U3, a.tty as string);
      if (targets) expect([...new Set(targets)].sort()).toEqual(expect.arrayContaining(servers));
      // the dialog counts every process and names those outside the sshd tree
      else expect(dialog).toMatch(/outside the sshd tree: .*tmux: server/);
      await allGone('the session, its tmux and screen servers and their children', every);
    });
  }

  for (const how of ['reap', 'tui'] as const) {
    it(`mosh: a mosh-server started over SSH is a session of kind mosh; ended by ${how === 'reap' ? 'reap --yes' : 'the TUI'}, its command goes too`, async () => {
      const port = 60000 + (process.pid % 1000) + (how === 'reap' ? 0 : 1);
      const mark = `94${RUN}${how === 'reap' ? 1 : 2}`;
      const e = await lab.openExec(U4, `LC_ALL=C.UTF-8 mosh-server new -i 127.0.0.1 -p ${port} -- sleep ${mark}`);
      const key = (await waitFor('MOSH CONNECT', () => /MOSH CONNECT \d+ (\S+)/.exec(e.output())?.[1], 15_000)) as string;
      // mosh-server starts the command once a client connects: a real mosh-client, in a pane of its own
      const client = startTmux();
      clients.push(client);
      client.type(`MOSH_KEY=${key} LC_ALL=C.UTF-8 mosh-client 127.0.0.1 ${port}`);
      client.send('Enter');
      const [cmd] = track(await waitFor('its command', () => (sleeping(mark).length === 1 ? sleeping(mark) : undefined)));
      const server = track(pidsWith('mosh-server', true).filter((p) => treeOf(p).includes(cmd as number)));
      expect(server).toHaveLength(1);
      // the SSH login that started it has ended: the mosh session is a session in its own right
      await waitFor('the exec session ended', () => e.exited(), 15_000);
      const mosh = json().sessions.find((x) => x.kind === 'mosh' && x.pid === server[0]) as JsonSession & { ttys: string[] };
      expect(mosh).toMatchObject({ user: U4, mosh: { udpPorts: [port] }, flags: expect.arrayContaining(['mosh']) });
      // its pty (the command's terminal) is the session's, like an SSH session's
      expect(mosh.ttys).toHaveLength(1);
      expect(mosh.processes.map((p) => p.pid)).toContain(cmd);
      expect(mosh?.remote?.port).toBe(e.localPort);
      expect(json().leftovers.some((l) => l.processes.some((p) => p.pid === cmd))).toBe(false);

      const { targets, dialog } = await end(how, server[0] as number, U4, mark);
      if (targets) expect([...targets].sort()).toEqual([server[0], cmd].sort());
      else expect(dialog).toContain(`mosh session ${U4}@${mosh.ttys[0]} (mosh) from 127.0.0.1 (2 processes`);
      await allGone('mosh-server and its command', [...(server as number[]), cmd as number]);
    });
  }

  it('logins that ended leave tmux, screen and a nohup job: --json lists them per login; reap --leftovers-older 0s --exclude-command tmux spares only tmux', async () => {
    const a = await lab.openTty(U1);
    const b = await lab.openTty(U2);
    const sock = `e2e-left-${RUN}`;
    await lab.run(a, `tmux -L ${sock} new -d "sleep 95${RUN}1"; screen -dmS ${sock} sleep 95${RUN}2; nohup sleep 95${RUN}3 >/dev/null 2>&1 & echo started`);
    await lab.run(b, `nohup sleep 95${RUN}4 >/dev/null 2>&1 & echo started`);
    const marks = [1, 2, 3, 4].map((i) => `95${RUN}${i}`);
    const [tmuxSleep, screenSleep, nohupA, nohupB] = await waitFor('every job runs', () => {
      const found = marks.map((m) => sleeping(m));
      return found.every((f) => f.length === 1) ? found.map((f) => f[0] as number) : undefined;
    });
    track([tmuxSleep, screenSleep, nohupA, nohupB] as number[]);
    const tmuxServer = track(pidsWith(sock, true).filter((p) => treeOf(p).includes(tmuxSleep as number)))[0];
    const screenServer = track(pidsWith(sock, true).filter((p) => treeOf(p).includes(screenSleep as number)))[0];
    await Promise.all([a.close(), b.close()]);
    await waitFor('both logins ended', () => a.exited() && b.exited());

    const left = await waitFor('both leftovers listed', () => {
      const l = json().leftovers;
      const ofA = l.find((x) => x.processes.some((p) => p.pid === nohupA));
      const ofB = l.find((x) => x.processes.some((p) => p.pid === nohupB));
      return ofA && ofB && ofA.processes.some((p) => p.pid === tmuxServer) ? { ofA, ofB } : undefined;
    });
    // under the user who logged in and the address (and port) the login came from
    expect(left.ofA).toMatchObject({ kind: 'leftover', user: U1, remote: { address: '127.0.0.1', port: a.localPort }, leftover: { via: 'audit', partial: false } });
    expect(left.ofB).toMatchObject({ kind: 'leftover', user: U2, remote: { address: '127.0.0.1', port: b.localPort } });
    expect(left.ofA.processes.map((p) => p.pid)).toEqual(expect.arrayContaining([tmuxServer, tmuxSleep, screenServer, screenSleep, nohupA]));
    // a second user's leftovers are never mixed in
    expect(left.ofA.processes.map((p) => p.pid)).not.toContain(nohupB);
    expect(left.ofB.processes.map((p) => p.pid)).toEqual([nohupB]);
    for (const p of left.ofA.processes) expect(p.rssBytes).toBeGreaterThan(0);
    // --once shows them too, per process
    const once = runSshtop(['--once']).stdout;
    expect(once).toContain('left over from SSH logins that have ended');
    expect(once).toContain(`sleep 95${RUN}3`);

    const dry = reap(['--leftovers-older', '0s', '--exclude-command', 'tmux', '--user', U1]);
    expect(dry.status).toBe(0);
    expect(dry.out.matched).toHaveLength(1);
    expect(dry.out.matched[0]?.excluded?.sort()).toEqual([tmuxServer, tmuxSleep].sort());
    expect(alive(nohupA as number)).toBe(true);

    const { status, out } = reap(['--leftovers-older', '0s', '--exclude-command', 'tmux', '--user', U1, '--yes']);
    expect(status).toBe(0);
    expect(out.matched[0]?.results.map((r) => r.pid).sort()).toEqual([screenServer, screenSleep, nohupA].sort());
    await allGone('the screen server, its sleep and the nohup job', [screenServer, screenSleep, nohupA] as number[]);
    await sleep(300);
    for (const p of [tmuxServer, tmuxSleep, nohupB]) expect(alive(p as number), `pid ${p} spared`).toBe(true);

    // from cron a one-shot never sees a login end: it counts from when an earlier run first saw
    // the leftover (reap's memory beside the audit log)
    const first = reap(['--leftovers-older', '2s', '--user', U2]);
    expect(first.status).toBe(0);
    expect(first.out.matched).toEqual([]);
    expect(readFileSync(join(lab.dir, 'leftovers.log'), 'utf8')).toContain(`"user":"${U2}"`);
    await sleep(2500);
    const later = reap(['--leftovers-older', '2s', '--user', U2]);
    // (U2's exec commands of the tests above are leftovers too: their clients closed, not ended)
    const mine = later.out.matched.find((m) => m.processes.includes(nohupB as number));
    expect(mine?.processes).toEqual([nohupB]);
    expect(mine?.reasons?.[0]).toMatch(/left over since at least \d+s ago \(an earlier reap saw it\) >= 2s/);
    expect(alive(nohupB as number)).toBe(true);
  });
});

describe.runIf(skipReason === undefined)('leftovers without a login identity (UsePAM no)', () => {
  let lab: Lab;
  let tmux: Tmux | undefined;
  const started = new Set<number>();

  beforeAll(async () => {
    ensureBuilt();
    lab = await startLab({ usePam: false, users: [U3] });
  });

  afterAll(async () => {
    tmux?.kill();
    killAll(started);
    await lab?.stop();
  });

  it('what sshtop saw in a session stays attributed after logout (partial); it can be ended as a leftover', async () => {
    const a = await lab.openTty(U3);
    // one job keeps SSH_CONNECTION in its environment, one does not: only sshtop's memory ties that one
    await lab.run(a, `env -u SSH_CONNECTION -u SSH_CLIENT -u SSH_TTY nohup sleep 96${RUN}1 >/dev/null 2>&1 & nohup sleep 96${RUN}2 >/dev/null 2>&1 & echo started`);
    const [bare, withEnv] = await waitFor('both jobs', () => {
      const f = [sleeping(`96${RUN}1`), sleeping(`96${RUN}2`)];
      return f.every((x) => x.length === 1) ? f.map((x) => x[0] as number) : undefined;
    });
    for (const p of [bare, withEnv]) started.add(p as number);
    expect(readFileSync(`/proc/${bare}/sessionid`, 'utf8').trim()).toBe('4294967295');

    const t = startTmux({ height: 60 });
    tmux = t;
    t.type(`SSHTOP_AUDIT_LOG=${join(lab.dir, 'audit.log')} ${SSHTOP_SH} --interval 1`);
    t.send('Enter');
    await t.waitFor('sshtop screen', (s) => s.includes('F1 help'));
    // only the rows of this test's jobs: other suites' sessions (the same lab users) may fill the screen
    t.send('\\');
    t.type(`96${RUN}`);
    t.send('Enter');
    await t.waitFor('the session and its jobs', (s) => s.includes(`filter "96${RUN}"`) && s.includes(`sleep 96${RUN}1`) && s.includes(U3));
    await a.close();
    // the login is gone; the jobs live on, named as leftovers of it
    await t.waitFor('the leftover group, both jobs in it', (s) => s.includes('left over from SSH logins that have ended') && s.includes(`sleep 96${RUN}1`) && s.includes(`sleep 96${RUN}2`), 20_000);
    // a one-shot has no memory: it finds only the job whose environment says where it came from
    const once = json().leftovers.filter((l) => l.processes.some((p) => p.pid === bare || p.pid === withEnv));
    expect(once.map((l) => l.processes.map((p) => p.pid))).toEqual([[withEnv]]);
    expect(once[0]?.leftover).toMatchObject({ via: 'environ', partial: true, sessionId: null });

    // end it from the TUI: the dialog says it is what an ended login left
    t.send('/');
    t.type(`96${RUN}1`);
    t.send('Enter');
    const found = await t.waitFor('a match selected', (s) => s.split('\n').some((l) => l.startsWith('>') && l.includes(`96${RUN}1`)));
    // the group's row (the login, its state `leftover`) heads its processes: the whole group is signalled
    if (!found.split('\n').some((l) => l.startsWith('>') && l.includes('leftover'))) t.send('k');
    await t.waitFor('the leftover row selected', (s) => s.split('\n').some((l) => l.startsWith('>') && l.includes('leftover')));
    t.send('x');
    await t.waitFor('menu', (s) => s.includes('SIGTERM (default)'));
    t.send('Enter');
    const q = await t.waitFor('the question', (s) => s.includes('[y/N]'));
    expect(q.replace(/\s*│\s*/g, ' ')).toContain('a login that has ended');
    t.send('y');
    await t.waitFor('sent', (s) => s.includes('2 of 2 processes signalled'));
    await waitFor('both jobs ended', () => !alive(bare as number) && !alive(withEnv as number), 10_000);
  });
});
