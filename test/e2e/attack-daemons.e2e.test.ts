// An unprivileged local user attacks root's sshtop with fake SSH daemons (issue 9, class 1).
// The attacker logs in over the real lab sshd and starts processes named sshd whose titles claim
// a listener with a config path of their choosing (a FIFO, /dev/zero, a symlink to a FIFO) or a
// session of root. sshtop must list them as the attacker's untrusted processes, never open the
// path they name, never hang (every mode, and the TUI still answers q), and no rule ends them.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { alive, ensureBuilt, requireLab, SSHTOP, startLab, startTicksOf, type Client, type Lab, SSHTOP_ARGV, SSHTOP_SH } from '../support/lab.js';
import { startTmux, type Tmux } from '../support/tmux.js';
import type { JsonSnapshot } from '../../src/report/json.js';
import { waitFor } from '../support/wait.js';

const skipReason = requireLab();
/** this suite's own attacker: no other suite logs in as it, so `reap --user` touches only ours */
const ATTACKER = 'sshtop-fake';
/** every mode must answer well inside this (a blocking read of a FIFO never returns) */
const BOUND_MS = 15_000;

/** run sshtop as root with a time bound; the status is null when it had to be killed */
function sshtop(args: string[]): { status: number | null; stdout: string; stderr: string; ms: number } {
  const { TMUX: _t, ...env } = process.env;
  const t0 = Date.now();
  const r = spawnSync(SSHTOP_ARGV[0] as string, [...SSHTOP_ARGV.slice(1), ...args], { encoding: 'utf8', env, timeout: BOUND_MS, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
}

function pidsByCmdlinePrefix(prefix: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'latin1').startsWith(prefix)) out.push(Number(name));
    } catch {
      // gone
    }
  }
  return out;
}

describe.runIf(skipReason === undefined)('fake SSH daemons of an unprivileged user', () => {
  let lab: Lab;
  let dir: string;
  let attacker: Client;
  let tmux: Tmux | undefined;
  /** the fakes: pid and start time, ended by us at the end */
  const fakes: { pid: number; start: number | undefined }[] = [];
  /** a writer blocked opening each FIFO: it gets through only if something opens the FIFO to read */
  const sentinels: ChildProcess[] = [];
  const titles: Record<string, string> = {};

  /** start a fake as the attacker, out of its login (setsid -f), and wait for it */
  async function fake(key: string, title: string, comm: string): Promise<number> {
    // perl rewrites its whole argv with $0; comm is written after, as any process may
    const perl = `$0=$ENV{T}; open(my $c, ">", "/proc/self/comm"); print $c $ENV{C}; close $c; sleep 600`;
    await lab.run(attacker, `T='${title}' C='${comm}' setsid -f perl -e '${perl}' </dev/null >/dev/null 2>&1`);
    const pid = await waitFor(`fake ${key}`, () => {
      const p = pidsByCmdlinePrefix(title)[0];
      return p !== undefined && readFileSync(`/proc/${p}/comm`, 'utf8') === `${comm}\n` ? p : undefined;
    });
    fakes.push({ pid, start: startTicksOf(pid) });
    titles[key] = title;
    return pid;
  }

  beforeAll(async () => {
    ensureBuilt();
    lab = await startLab({ users: [ATTACKER] });
    dir = mkdtempSync(join(tmpdir(), 'sshtop-attack-'));
    chmodSync(dir, 0o755);
    const own = join(dir, 'attacker');
    mkdirSync(own);
    spawnSync('chown', [ATTACKER, own]);
    attacker = await lab.openTty(ATTACKER);
    // the attacker's files: two FIFOs (one behind a symlink) each with a blocked writer as sentinel
    await lab.run(attacker, `cd ${own} && mkfifo fifo fifo2 && ln -s fifo2 link && echo ok`);
    for (const f of ['fifo', 'fifo2']) {
      sentinels.push(spawn('sh', ['-c', `exec 3>${join(own, f)}; echo opened > ${join(dir, `${f}.opened`)}; exec sleep 600`], { stdio: 'ignore' }));
    }
    await fake('fifo', `sshd: /usr/sbin/sshd -D -f ${own}/fifo [listener] 0 of 10-100 startups`, 'sshd');
    await fake('zero', 'sshd: /usr/sbin/sshd -D -f /dev/zero [listener] 0 of 10-100 startups', 'sshd');
    await fake('link', `sshd-session: /usr/sbin/sshd -D -f ${own}/link [listener] 0 of 10-100 startups`, 'sshd-session');
    await fake('root', 'sshd: root [priv]', 'sshd');
  });

  afterEach(() => {
    tmux?.kill();
    tmux = undefined;
  });

  afterAll(async () => {
    for (const f of fakes) if (f.start !== undefined && startTicksOf(f.pid) === f.start) process.kill(f.pid, 'SIGKILL');
    for (const s of sentinels) if (s.exitCode === null) s.kill('SIGKILL');
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const opened = () => ['fifo', 'fifo2'].filter((f) => existsSync(join(dir, `${f}.opened`)));

  it('--json: the fakes are the attacker\'s untrusted processes, no fake is a listener, no path is opened', () => {
    const r = sshtop(['--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.ms).toBeLessThan(BOUND_MS);
    // /dev/zero read to the end grew this past 2 GB before
    expect(r.stdout.length).toBeLessThan(4 * 1024 * 1024);
    const snap = JSON.parse(r.stdout) as JsonSnapshot;
    const fakePids = fakes.map((f) => f.pid);
    expect(snap.listeners.map((l) => l.pid)).toContain(lab.sshdPid);
    for (const pid of fakePids) expect(snap.listeners.map((l) => l.pid)).not.toContain(pid);
    for (const pid of fakePids) {
      const s = snap.sessions.find((x) => x.pid === pid);
      expect(s?.flags, String(pid)).toEqual(['untrusted']);
      // who runs it, not who the title names
      expect(s?.user).toBe(ATTACKER);
      expect(s?.reasons.untrusted).toMatch(/named like an SSH daemon, but runs \/usr\/bin\/perl/);
    }
    expect(snap.sessions.filter((s) => s.user === 'root' && fakePids.includes(s.pid))).toEqual([]);
    // the real login of the attacker is a real session, trusted
    const real = snap.sessions.find((s) => s.user === ATTACKER && s.remote?.port === attacker.localPort);
    expect(real?.flags).not.toContain('untrusted');
    expect(opened()).toEqual([]);
  });

  it('--once and reap (dry run) answer in time and open nothing', () => {
    const once = sshtop(['--once']);
    expect(once.status, once.stderr).toBe(0);
    expect(once.stdout).toContain('untrusted');
    const dry = sshtop(['reap', '--idle', '1s', '--max-age', '0s', '--user', ATTACKER]);
    expect(dry.status, dry.stderr).toBe(0);
    for (const f of fakes) expect(dry.stdout).toMatch(new RegExp(`spared: pid ${f.pid} ${ATTACKER}@notty .*not a real SSH session`));
    expect(opened()).toEqual([]);
  });

  it('reap --yes ends the attacker\'s real login and leaves every fake alone', async () => {
    const r = sshtop(['reap', '--max-age', '0s', '--user', ATTACKER, '--yes']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/SIGTERM sent to \d+ of \d+ processes.*: pid \d+ sshtop-fake@pts\//);
    await waitFor('the attacker\'s real ssh client to be disconnected', () => attacker.exited(), 10_000);
    for (const f of fakes) expect(alive(f.pid), String(f.pid)).toBe(true);
    expect(opened()).toEqual([]);
  });

  it('the TUI draws the fakes, answers q at once and restores the terminal', async () => {
    const t = startTmux();
    tmux = t;
    t.type(`${SSHTOP_SH} --no-color --filter ${ATTACKER}`);
    t.send('Enter');
    await t.waitFor('the untrusted rows', (s) => s.includes('F1 help') && fakes.every((f) => new RegExp(`${f.pid} sshtop-fa.* untrusted `).test(s)), BOUND_MS);
    t.send('q');
    await t.waitFor('shell prompt back', (s) => !s.includes('F1 help'), 5000);
    expect(t.display('#{alternate_on}')).toBe('0');
    expect(opened()).toEqual([]);
  });
});
