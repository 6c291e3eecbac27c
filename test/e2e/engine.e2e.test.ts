// The session engine against a real OpenSSH daemon: every field of `sshtop --json` checked
// against ground truth taken independently (ss -tnp, /proc/<pid>/stat read here, the shells' `tty`).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_USERS, ensureBuilt, ppidOf, requireLab, runSshtop, ssConnections, startLab, startTicksOf, SSHTOP, type Client, type Lab, SSHTOP_SH } from '../support/lab.js';
import type { JsonSession, JsonSnapshot } from '../../src/report/json.js';

const skipReason = requireLab();

describe.runIf(skipReason === undefined)('session engine on a real sshd', () => {
  let lab: Lab;
  const c: Record<string, Client> = {};
  let snap: JsonSnapshot;
  let openedAt: number;
  const [u1, u2, u3, u4] = LAB_USERS as [string, string, string, string];

  const sessionOf = (client: Client) => {
    const found = snap.sessions.filter((s) => s.local?.port === lab.port && s.remote?.port === client.localPort);
    expect(found, `one session for the ${client.kind} client on port ${client.localPort}`).toHaveLength(1);
    return found[0] as JsonSession;
  };

  beforeAll(async () => {
    ensureBuilt();
    lab = await startLab();
    openedAt = Date.now();
    [c.tty1, c.tty2, c.root, c.master, c.forward, c.exec, c.sftp, c.raw, c.idle] = await Promise.all([
      lab.openTty(u1),
      lab.openTty(u2),
      lab.openTty('root'),
      lab.openControlMaster(u3),
      lab.openForward(u4),
      lab.openExec(u4, 'sleep 300'),
      lab.openSftp(u2),
      lab.openRaw(),
      lab.openTty(u4),
    ]);
    lab.makeIdle(c.idle!.tty!, 7200);
    const r = runSshtop(['--json', '--idle', '10m']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    snap = JSON.parse(r.stdout) as JsonSnapshot;
  });

  afterAll(async () => {
    await lab?.stop();
  });

  it('prints the sshtop/1 schema with the lab listener and its startups', () => {
    expect(snap.schema).toBe('sshtop/1');
    const l = snap.listeners.find((x) => x.pid === lab.sshdPid);
    expect(l?.command).toContain('[listener]');
    // the raw connection never authenticates: it counts as an active pre-auth startup
    expect(l?.startups?.active).toBeGreaterThanOrEqual(1);
    expect(l?.startups).toMatchObject({ start: 10, full: 100 });
  });

  it('finds exactly one session per connection, with the pid ss shows holding the server side', () => {
    const labSessions = snap.sessions.filter((s) => s.local?.port === lab.port);
    expect(labSessions).toHaveLength(9);
    const conns = ssConnections();
    for (const client of Object.values(c)) {
      const s = sessionOf(client);
      expect(s.remote?.address).toBe('127.0.0.1');
      expect(s.listenerPid).toBe(lab.sshdPid);
      const server = conns.find((x) => x.localPort === lab.port && x.peerPort === client.localPort);
      expect(server?.pids, 'ss shows the session pid holding the server side').toContain(s.pid);
      expect(ppidOf(s.pid)).toBe(lab.sshdPid);
    }
  });

  it('reports user, ttys and flags of each kind of session', () => {
    expect(sessionOf(c.tty1!)).toMatchObject({ user: u1, ttys: [c.tty1!.tty] });
    expect(sessionOf(c.tty2!)).toMatchObject({ user: u2, ttys: [c.tty2!.tty] });
    const master = sessionOf(c.master!);
    expect(master.user).toBe(u3);
    expect(master.ttys).toEqual(c.master!.ttys);
    expect(master.flags).toContain('multiplexed');
    expect(sessionOf(c.forward!).flags).toContain('forward-only');
    const exec = sessionOf(c.exec!);
    expect(exec.flags).toContain('notty');
    expect(exec.command).toContain('sleep 300');
    expect(sessionOf(c.sftp!).flags).toEqual(expect.arrayContaining(['sftp', 'notty']));
    const raw = sessionOf(c.raw!);
    expect(raw.flags).toContain('preauth');
    expect(raw.user).toBeNull();
    for (const k of ['tty1', 'tty2', 'root', 'master', 'forward', 'exec', 'sftp']) {
      expect(sessionOf(c[k]!).flags, k).not.toContain('preauth');
    }
  });

  it('OpenSSH 9.2 root login: one process carries the connection', () => {
    const s = sessionOf(c.root!);
    expect(s.user).toBe('root');
    expect(s.processes[0]).toMatchObject({ pid: s.pid, role: 'connection', command: `sshd: root@${c.root!.tty}` });
  });

  it('measures idle from the tty atime, like w', () => {
    const idle = sessionOf(c.idle!);
    expect(idle.idleSource).toBe('tty');
    expect(Math.abs((idle.idleSeconds ?? 0) - 7200)).toBeLessThan(60);
    expect(idle.flags).toContain('idle');
    const fresh = sessionOf(c.tty1!);
    expect(fresh.idleSeconds).toBeLessThan(120);
    expect(fresh.flags).not.toContain('idle');
  });

  it('login time is the monitor start time, and the process list holds the real tree', () => {
    const btime = Number(/^btime (\d+)/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    for (const k of ['tty1', 'master', 'exec']) {
      const s = sessionOf(c[k]!);
      const started = Date.parse(s.startedAt);
      expect(Math.abs(started - (btime + (startTicksOf(s.pid) as number) / 100) * 1000)).toBeLessThan(1000);
      expect(Math.abs(started - openedAt)).toBeLessThan(30_000);
    }
    const s = sessionOf(c.tty1!);
    const roles = s.processes.map((p) => p.role);
    expect(roles).toEqual(['monitor', 'user', 'process']);
    expect(s.processes[0]).toMatchObject({ user: 'root', command: `sshd: ${u1} [priv]` });
    expect(s.processes[1]).toMatchObject({ user: u1, command: `sshd: ${u1}@${c.tty1!.tty}` });
    expect(s.processes[2]).toMatchObject({ user: u1, tty: c.tty1!.tty });
  });

  it('outside SSH (and outside tmux) no session is own', () => {
    expect(snap.self.sessionPid).toBeNull();
    expect(snap.sessions.some((s) => s.flags.includes('own'))).toBe(false);
  });

  it('inside an SSH session exactly that session is own, also through sudo and su -', async () => {
    const me = sessionOf(c.root!).pid;
    for (const wrap of [(x: string) => x, (x: string) => `sudo -u ${u2} ${x}`, (x: string) => `su - ${u2} -c '${x}'`]) {
      const out = await lab.run(c.root!, wrap(`${SSHTOP_SH} --json`) + ' > /tmp/sshtop-own.json 2>&1; echo rc=$?');
      expect(out).toContain('rc=0');
      const inner = JSON.parse(readFileSync('/tmp/sshtop-own.json', 'utf8')) as JsonSnapshot;
      expect(inner.self.sessionPid, wrap('sshtop')).toBe(me);
      expect(inner.sessions.filter((s) => s.flags.includes('own')).map((s) => s.pid)).toEqual([me]);
    }
  });

  it('--once prints every lab user and tty without a single escape byte', () => {
    const r = runSshtop(['--once']);
    expect(r.status).toBe(0);
    for (const u of [u1, u2, u3, u4, 'root']) expect(r.stdout).toContain(u);
    for (const k of ['tty1', 'tty2', 'idle']) expect(r.stdout).toContain(c[k]!.tty);
    expect(r.stdout).not.toContain('\u001b');
  });

  it('--user narrows the output to one user', () => {
    const r = runSshtop(['--json', '--user', u1]);
    const only = JSON.parse(r.stdout) as JsonSnapshot;
    expect(only.sessions.length).toBeGreaterThan(0);
    expect(only.sessions.every((s) => s.user === u1)).toBe(true);
  });

  it('bad usage: one line on stderr, exit 2', () => {
    for (const args of [['--bogus'], ['--idle', 'xyz'], ['--sort', 'nope'], ['--once', '--json']]) {
      const r = runSshtop(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
  });
});
