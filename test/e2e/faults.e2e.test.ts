// Bad input and faults against a real sshd: a non-root viewer, a terminal shrunk to 40x10 and
// back, SIGINT/SIGTERM/SIGHUP while the TUI draws, watch mode traced for any pin or kill, and a
// listener restarted underneath the TUI.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LAB_USERS, alive, ensureBuilt, ppidOf, requireLab, SSHTOP, ssConnections, startLab, type Client, type Lab, SSHTOP_ARGV, SSHTOP_SH, SSHTOP_COMM } from '../support/lab.js';
import { startTmux, type Tmux } from '../support/tmux.js';
import type { JsonSession, JsonSnapshot } from '../../src/report/json.js';
import { waitFor } from '../support/wait.js';

const skipReason = requireLab();

const HEADING = /^ {3} +PID USER +TTY +FROM +LOGIN +IDLE +CPU% STATE +COMMAND/m;

/** run the built CLI as another user */
function runAs(user: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('sudo', ['-u', user, ...SSHTOP_ARGV, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** the sshtop process a pane runs: the first node process below the pane's shell (sudo may sit between) */
function sshtopIn(t: Tmux): number | undefined {
  const byParent = new Map<number, number[]>();
  for (const n of readdirSync('/proc')) {
    if (!/^\d+$/.test(n)) continue;
    const pp = ppidOf(Number(n));
    if (pp !== undefined) byParent.set(pp, [...(byParent.get(pp) ?? []), Number(n)]);
  }
  const queue = [...(byParent.get(Number(t.display('#{pane_pid}'))) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === SSHTOP_COMM) return pid;
    } catch {
      continue;
    }
    queue.push(...(byParent.get(pid) ?? []));
  }
  return undefined;
}

/** whether a stack trace passes through the bundle chunk that holds the signaller (it alone has this message) */
/** a bundle file holding the signaller (the one module that calls process.kill) */
function isSignaller(file: string): boolean {
  try {
    return readFileSync(file, 'utf8').includes('refusing to signal pid');
  } catch {
    return false;
  }
}

function throughSignaller(stack: string): boolean {
  return [...stack.matchAll(/file:\/\/(\/[^\s:)]+\.mjs)/g)].some(([, file]) => isSignaller(file as string));
}

/** the terminal answers like a cooked one: icanon and echo on, typed text echoed, main screen */
async function expectCookedTerminal(t: Tmux, what: string): Promise<void> {
  expect(t.display('#{alternate_on}'), `${what}: alternate screen left`).toBe('0');
  expect(t.display('#{cursor_flag}'), `${what}: cursor visible`).toBe('1');
  t.type('stty -a | tr " " "\\n" | grep -xE -- "-?(icanon|echo)" | tr "\\n" " "; echo; echo typed-$((6*7))');
  t.send('Enter');
  const s = await t.waitFor(`${what}: echo output`, (x) => x.includes('typed-42'));
  expect(s, what).toContain('icanon echo');
  expect(s, what).toContain('echo typed-$((6*7))');
}

describe.runIf(skipReason === undefined)('faults end to end on a real sshd', () => {
  let lab: Lab;
  let tmux: Tmux | undefined;
  const [u1, u2] = LAB_USERS as [string, string];
  let own: { tty: Client; exec: Client; forward: Client };
  let others: { root: Client; u2: Client };

  /** the server's connection process for a client: ss shows it, and its parent is the listener */
  const truthPid = (c: Client) => {
    const conn = ssConnections().find((x) => x.localPort === lab.port && x.peerPort === c.localPort);
    return conn?.pids.find((p) => ppidOf(p) === lab.sshdPid);
  };

  beforeAll(async () => {
    ensureBuilt();
    lab = await startLab();
    const [tty, exec, forward, root, other] = await Promise.all([
      lab.openTty(u1),
      lab.openExec(u1, 'sleep 600'),
      lab.openForward(u1),
      lab.openTty('root'),
      lab.openTty(u2),
    ]);
    own = { tty, exec, forward };
    others = { root, u2: other };
  });

  afterEach(() => {
    tmux?.kill();
    tmux = undefined;
  });

  afterAll(async () => {
    await lab?.stop();
  });

  it('a non-root user: exit 0, its own sessions in full, the others partly, nothing invented', () => {
    const r = runAs(u1, ['--json']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const snap = JSON.parse(r.stdout) as JsonSnapshot;
    const truth = new Map([own.tty, own.exec, own.forward, others.root, others.u2].map((c) => [c, truthPid(c)]));
    const find = (c: Client) => {
      const pid = truth.get(c);
      expect(pid, `server process of the ${c.kind} client of ${c.user}`).toBeDefined();
      const found = snap.sessions.filter((s) => s.pid === pid);
      expect(found, `one session for the ${c.kind} client of ${c.user}`).toHaveLength(1);
      return found[0] as JsonSession;
    };
    // its own tty and exec sessions: every field, the remote port through SSH_CONNECTION
    for (const c of [own.tty, own.exec]) {
      const s = find(c);
      expect(s.user).toBe(u1);
      expect(s.listenerPid).toBe(lab.sshdPid);
      expect(s.remote).toEqual({ address: '127.0.0.1', port: c.localPort });
      expect(s.local).toEqual({ address: '127.0.0.1', port: lab.port });
    }
    expect(find(own.tty).ttys).toEqual([own.tty.tty]);
    expect(find(own.tty).command).toBe('-bash');
    expect(find(own.tty).idleSeconds).not.toBeNull();
    expect(find(own.exec).command).toBe('sleep 600');
    expect(find(own.exec).flags).toContain('notty');
    // what cannot be seen is null; what is shown is true
    const partly = [find(own.forward), find(others.root), find(others.u2)];
    const clients = [own.forward, others.root, others.u2];
    partly.forEach((s, i) => {
      const c = clients[i] as Client;
      expect(s.user).toBe(c.user);
      expect(s.listenerPid).toBe(lab.sshdPid);
      if (s.remote !== null) expect(s.remote).toEqual({ address: '127.0.0.1', port: c.localPort });
      if (s.local !== null) expect(s.local).toEqual({ address: '127.0.0.1', port: lab.port });
    });
    expect(find(others.root).remote).toBeNull();
    expect(find(others.u2).remote).toBeNull();
    expect(find(others.u2).ttys).toEqual([others.u2.tty]);
    expect(find(own.forward).flags).toContain('forward-only');

    const once = runAs(u1, ['--once']);
    expect(once.status).toBe(0);
    expect(once.stderr).toBe('');
    const row = (c: Client) => once.stdout.split('\n').find((l) => l.startsWith(`│ ${truth.get(c)} `)) ?? '';
    expect(row(own.tty)).toContain(`127.0.0.1:${own.tty.localPort}`);
    // FROM: unknown, or the address alone where the machine keeps a login record for the tty (wtmp/utmp)
    expect(row(others.u2)).toMatch(new RegExp(`│ ${u2} +│ ${others.u2.tty} +│ (\\?|127\\.0\\.0\\.1) +│`));
  });

  it('a non-root user gets exactly one clear one-line notice, in --json, --once and the TUI status line', async () => {
    const snap = JSON.parse(runAs(u1, ['--json']).stdout) as JsonSnapshot;
    expect(snap.notices).toHaveLength(1);
    expect(snap.notices[0]).toMatch(/^[^\n]*(permission|not visible)[^\n]*root[^\n]*$/);
    const notes = runAs(u1, ['--once']).stdout.split('\n').filter((l) => l.startsWith('note:'));
    expect(notes).toEqual([`note: ${snap.notices[0]}`]);
    const t = startTmux();
    tmux = t;
    t.type(`sudo -u ${u1} ${SSHTOP_SH} --interval 0.2`);
    t.send('Enter');
    // the status line (above the footer) keeps the notice across polls, not just on the first
    for (let i = 0; i < 3; i++) {
      const s = await t.waitFor('TUI drawn', (x) => x.includes('F1 help'));
      const lines = s.replace(/\n+$/, '').split('\n');
      expect(lines[lines.length - 2]).toBe(`note: ${snap.notices[0]}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  });

  it('a non-root user in the TUI: draws its sessions, survives polls, quits cleanly', async () => {
    const t = startTmux();
    tmux = t;
    t.type(`sudo -u ${u1} ${SSHTOP_SH} --filter ${own.tty.tty}; echo "rc=$?"`);
    t.send('Enter');
    const row = (s: string) => s.split('\n').find((l) => l.includes(`127.0.0.1:${own.tty.localPort}`)) ?? '';
    await t.waitFor('own session drawn', (s) => s.includes('F1 help') && row(s).includes('<1m'));
    // the screen redraws only what changes: make the session idle, and a later poll must show it
    lab.makeIdle(own.tty.tty as string, 7200);
    // idle is shown as of the clock's last whole minute: 1h59m until the minute turns
    await t.waitFor('a later poll drawn', (s) => / (1h59m|2h0[01]m) /.test(row(s)));
    lab.makeIdle(own.tty.tty as string, 0);
    const pid = sshtopIn(t);
    expect(pid).toBeDefined();
    t.send('q');
    const end = await t.waitFor('exit', (s) => /rc=\d+/.test(s));
    expect(end).toContain('rc=0');
    expect(end).not.toMatch(/Error|at .*\.mjs/);
  });

  it('shrunk to 40x10 and back to 200x50: no crash, nothing wider than the pane, all columns return', async () => {
    const t = startTmux();
    tmux = t;
    t.type(`${SSHTOP_SH}; echo "rc=$?"`);
    t.send('Enter');
    await t.waitFor('full width', (s) => HEADING.test(s) && s.includes('F1 help'));
    const pid = sshtopIn(t) as number;
    const resize = (x: number, y: number) => spawnSync('tmux', ['-S', t.socket, 'resize-window', '-t', '0', '-x', String(x), '-y', String(y)]);
    resize(40, 10);
    const small = await t.waitFor('40x10 frame', (s) => /^ {3} +PID USER +COMMAND/m.test(s) && !s.includes('STATE'));
    expect(t.display('#{pane_width}x#{pane_height}')).toBe('40x10');
    // -J joins rows the terminal wrapped: a line wider than the pane would show here
    const joined = spawnSync('tmux', ['-S', t.socket, 'capture-pane', '-p', '-J', '-t', '0'], { encoding: 'utf8' }).stdout.replace(/\n+$/, '').split('\n');
    expect(joined.length).toBeLessThanOrEqual(10);
    for (const line of joined) expect([...line.replace(/\s+$/, '')].length, line).toBeLessThanOrEqual(40);
    expect(small.split('\n')[0]).toMatch(/^sshtop /);
    expect(alive(pid)).toBe(true);
    resize(200, 50);
    await t.waitFor('all columns again', (s) => HEADING.test(s) && s.includes('F1 help'));
    expect(alive(pid)).toBe(true);
    t.send('q');
    const end = await t.waitFor('exit', (s) => /rc=\d+/.test(s));
    expect(end).toContain('rc=0');
  });

  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    it(`${signal} while the TUI draws: the terminal is restored`, async () => {
      const t = startTmux();
      tmux = t;
      t.type(`${SSHTOP_SH}; echo "rc=$?"`);
      t.send('Enter');
      await t.waitFor('sshtop screen', (s) => s.includes('F1 help'));
      expect(t.display('#{alternate_on}')).toBe('1');
      const pid = await waitFor('sshtop pid', () => sshtopIn(t));
      process.kill(pid, signal);
      const end = await t.waitFor('shell back', (s) => /rc=\d+/.test(s));
      expect(end).toContain(`rc=${code}`);
      await waitFor('sshtop gone', () => !alive(pid), 5000);
      await expectCookedTerminal(t, signal);
    });
  }

  // traced through Node's module hooks, so only with bin/sshtop: the release executable carries the
  // same bundle, and CI runs this file against bin/sshtop as well
  it.skipIf(process.env.SSHTOP_UNDER_TEST !== undefined)('watch mode never loads the signaller, pins a target nor calls process.kill; the interactive TUI does (control)', async () => {
    // a preload wraps fs.openSync and process.kill in the real process and logs each call with its stack
    const dir = mkdtempSync(join(tmpdir(), 'sshtop-trace-'));
    const preload = join(dir, 'trace.mjs');
    const hooks = join(dir, 'hooks.mjs');
    writeFileSync(
      hooks,
      [
        "import fs from 'node:fs';",
        'export async function load(url, context, next) {',
        "  if (url.startsWith('file:')) fs.appendFileSync(process.env.SSHTOP_TRACE, JSON.stringify({ op: 'load', path: new URL(url).pathname, stack: '' }) + '\\n');",
        '  return next(url, context);',
        '}',
      ].join('\n'),
    );
    writeFileSync(
      preload,
      [
        "import fs from 'node:fs';",
        "import { register, syncBuiltinESMExports } from 'node:module';",
        'const log = process.env.SSHTOP_TRACE;',
        'const write = (r) => fs.appendFileSync(log, JSON.stringify(r) + "\\n");',
        // every module the process loads, logged from the loader's hooks thread
        `register(${JSON.stringify(pathToFileURL(hooks).href)});`,
        'const open = fs.openSync;',
        'fs.openSync = function (path, ...rest) {',
        '  if (/^\\/proc\\/\\d+\\/stat$/.test(String(path))) write({ op: "open", path: String(path), stack: new Error().stack });',
        '  return open.call(this, path, ...rest);',
        '};',
        'const kill = process.kill;',
        'process.kill = function (pid, sig) { write({ op: "kill", pid, sig, stack: new Error().stack }); return kill.call(this, pid, sig); };',
        'syncBuiltinESMExports();',
      ].join('\n'),
    );
    const target = own.tty;
    const traced = async (mode: string, log: string) => {
      const t = startTmux({ env: { SSHTOP_TRACE: log } });
      tmux = t;
      t.type(`${process.execPath} --import ${preload} ${SSHTOP} ${mode}`);
      t.send('Enter');
      // the client's port is unique on the machine, a tty name may be a prefix of another
      const from = `127.0.0.1:${target.localPort}`;
      await t.waitFor('sshtop screen', (s) => s.includes('F1 help'));
      t.send('g');
      t.send('/');
      t.type(from);
      t.send('Enter');
      await t.waitFor('session selected', (s) => s.split('\n').some((l) => l.startsWith('>') && l.includes(from)));
      return t;
    };
    const entries = (log: string) => {
      let text = '';
      try {
        text = readFileSync(log, 'utf8');
      } catch {
        // nothing logged
      }
      return text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { op: string; path?: string; pid?: number; stack: string });
    };
    try {
      // control: the interactive TUI pins the selected session when the menu opens
      const tuiLog = join(dir, 'tui.log');
      const t1 = await traced('', tuiLog);
      t1.send('x');
      await t1.waitFor('menu', (s) => s.includes('SIGTERM (default)'));
      const pins = entries(tuiLog).filter((e) => e.op === 'open' && throughSignaller(e.stack));
      // every process of the session is pinned, the connection process last, nothing outside it
      const pinned = pins.map((e) => Number(/^\/proc\/(\d+)\/stat$/.exec(e.path ?? '')?.[1]));
      expect(pinned.at(-1)).toBe(truthPid(target));
      const below = (pid: number, root: number): boolean => {
        for (let p: number | undefined = pid, hops = 0; p !== undefined && p > 1 && hops < 64; p = ppidOf(p), hops++) if (p === root) return true;
        return false;
      };
      for (const p of pinned) expect(below(p, truthPid(target) as number), `pin of pid ${p}`).toBe(true);
      expect(pinned.length).toBeGreaterThanOrEqual(3);
      expect(entries(tuiLog).some((e) => e.op === 'load' && isSignaller(e.path as string)), 'the TUI loads the signaller').toBe(true);
      // and the reader's own opens of /proc/*/stat do not count as pins
      expect(entries(tuiLog).filter((e) => e.op === 'open' && !throughSignaller(e.stack)).length).toBeGreaterThan(0);
      t1.send('Escape');
      t1.send('q');
      await t1.waitFor('quit', (s) => !s.includes('F1 help'));
      t1.kill();

      const watchLog = join(dir, 'watch.log');
      const t2 = await traced('--watch', watchLog);
      for (const k of ['K', 'x', 'F9']) {
        t2.send(k);
        t2.send('Enter');
        // read-only, the signal key did nothing, so Enter opened the detail pane (not a menu choice)
        await t2.waitFor(`${k} then Enter: detail pane, no menu`, (s) => s.includes('Esc / ← / Enter: back') && !s.includes('SIGTERM'));
        t2.send('y');
        t2.send('Escape');
        await t2.waitFor('the list again', (s) => HEADING.test(s));
      }
      t2.send('q');
      await t2.waitFor('quit', (s) => !s.includes('F1 help'));
      const log = entries(watchLog);
      expect(log.filter((e) => e.op === 'open').length, 'the reader ran').toBeGreaterThan(0);
      expect(log.filter((e) => e.op === 'open' && throughSignaller(e.stack))).toEqual([]);
      // stronger: the code that calls process.kill is not even loaded in watch mode
      expect(log.filter((e) => e.op === 'load').length, 'modules were traced').toBeGreaterThan(3);
      expect(log.filter((e) => e.op === 'load' && isSignaller(e.path as string)).map((e) => e.path)).toEqual([]);
      expect(log.filter((e) => e.op === 'kill')).toEqual([]);
      expect(target.exited()).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // last: it replaces the lab's listener
  it('a listener restarted under the TUI: no crash, the sessions stay on screen as orphans', async () => {
    const t = startTmux();
    tmux = t;
    const tag = `127.0.0.1:${own.tty.localPort}`;
    t.type(`${SSHTOP_SH} --filter ${tag}; echo "rc=$?"`);
    t.send('Enter');
    await t.waitFor('session under its listener', (s) => s.includes(`listener ${lab.sshdPid}:`) && s.includes(tag));
    const pid = sshtopIn(t) as number;
    const old = lab.sshdPid;
    const fresh = await lab.restartListener();
    expect(fresh).not.toBe(old);
    const s = await t.waitFor('orphaned session shown, new listener in the header', (x) =>
      x.includes(`listener ${fresh}:`) && !x.includes(`listener ${old}:`) && x.includes('no listener: orphaned') && x.split('\n').some((l) => l.includes(tag) && l.includes('orphan')),
    );
    expect(s.split('\n')[0]).toMatch(/^sshtop /);
    expect(alive(pid)).toBe(true);
    // the JSON agrees, and a new login lands under the new listener
    const again = await lab.openTty(u2);
    const snap = JSON.parse(spawnSync(SSHTOP_ARGV[0] as string, [...SSHTOP_ARGV.slice(1), '--json'], { encoding: 'utf8' }).stdout) as JsonSnapshot;
    const orphan = snap.sessions.find((x) => x.remote?.port === own.tty.localPort && x.local?.port === lab.port);
    expect(orphan?.listenerPid).toBeNull();
    expect(orphan?.flags).toContain('orphan');
    expect(snap.sessions.find((x) => x.remote?.port === again.localPort)?.listenerPid).toBe(fresh);
    t.send('q');
    const end = await t.waitFor('exit', (x) => /rc=\d+/.test(x));
    expect(end).toContain('rc=0');
  });
});
