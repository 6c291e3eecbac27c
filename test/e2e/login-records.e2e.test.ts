// utmp/wtmp as a further source for what /proc hides from an ordinary user: another user's tty
// session's remote host, matched by sshd's pid. Ground truth: utmpdump, not sshtop's parser.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JsonSnapshot } from '../../src/report/json.js';
import { LAB_USERS, ensureBuilt, ppidOf, requireLab, SSHTOP, ssConnections, startLab, type Client, type Lab, SSHTOP_ARGV } from '../support/lab.js';
import { waitFor } from '../support/wait.js';

const skipReason = requireLab();
const [u1, u2] = LAB_USERS as [string, string];

function runAs(user: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('sudo', ['-u', user, ...SSHTOP_ARGV, ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, COLUMNS: '250' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** the login records utmpdump shows for a tty: [type, pid, line, host] (the machine's utmp, else its wtmp) */
function dumped(tty: string): { file: string; type: number; pid: number; host: string }[] {
  const file = ['/run/utmp', '/var/run/utmp', '/var/log/wtmp'].find((f) => existsSync(f));
  if (file === undefined) return [];
  const out = spawnSync('utmpdump', [file], { encoding: 'utf8' }).stdout;
  return out
    .split('\n')
    .map((l) => /^\[(\d+)\] \[0*(\d+)\] \[[^\]]*\] \[[^\]]*\] \[([^\]]*?) *\] \[([^\]]*?) *\]/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null && m[3] === tty)
    .map((m) => ({ file, type: Number(m[1]), pid: Number(m[2]), host: m[4] as string }));
}

describe.runIf(skipReason === undefined)('login records for a non-root viewer on a real sshd', () => {
  let lab: Lab;
  let other: Client;
  const truthPid = (c: Client) => ssConnections().find((x) => x.localPort === lab.port && x.peerPort === c.localPort)?.pids.find((p) => ppidOf(p) === lab.sshdPid);

  /** set when this suite had to create the machine's wtmp (as systemd-tmpfiles does at boot) */
  let createdWtmp = false;

  beforeAll(async () => {
    ensureBuilt();
    // sshd appends to wtmp but never creates it; a machine booted without systemd-tmpfiles may lack it
    if (!['/run/utmp', '/var/run/utmp', '/var/log/wtmp'].some((f) => existsSync(f))) {
      writeFileSync('/var/log/wtmp', '', { mode: 0o664 });
      spawnSync('chgrp', ['utmp', '/var/log/wtmp']);
      createdWtmp = true;
    }
    lab = await startLab();
    other = await lab.openTty(u2);
  });

  afterAll(async () => {
    await lab?.stop();
    if (createdWtmp) rmSync('/var/log/wtmp', { force: true });
  });

  it("another user's tty session: the remote address from the login record, said so, no port invented", async () => {
    const pid = truthPid(other) as number;
    // this machine's sshd (9.2) writes a USER_PROCESS record for the tty with the pid of the
    // connection's monitor (the session's pid); other labs on the machine write theirs for the same ttys
    const record = await waitFor('a login record for the tty', () => dumped(other.tty as string).find((x) => x.type === 7 && x.pid === pid));
    expect(record.host).toBe('127.0.0.1');
    const source = record.file === '/var/log/wtmp' ? 'wtmp' : 'utmp';

    const r = runAs(u1, ['--json']);
    expect(r.status, r.stderr).toBe(0);
    const s = (JSON.parse(r.stdout) as JsonSnapshot).sessions.find((x) => x.pid === pid);
    expect(s).toBeDefined();
    // /proc hides the socket and the environ: remote stays unknown, the host comes from the record
    expect(s?.remote).toBeNull();
    expect(s?.remoteHost).toBe('127.0.0.1');
    expect(s?.sources).toEqual({ remote: null, remoteHost: source, ttys: 'proc' });
    expect(s?.login).toMatchObject({ source, pid: record.pid, line: other.tty, user: u2, host: '127.0.0.1', address: '127.0.0.1' });

    const once = runAs(u1, ['--once']);
    const row = once.stdout.split('\n').find((l) => l.startsWith(`│ ${pid} `)) ?? '';
    expect(row, once.stdout).toMatch(new RegExp(`│ ${u2} +│ ${other.tty} +│ 127\\.0\\.0\\.1 +│`));

    // root sees the socket: it stays the source, the record only adds
    const root = JSON.parse(spawnSync(SSHTOP_ARGV[0] as string, [...SSHTOP_ARGV.slice(1), '--json'], { encoding: 'utf8' }).stdout) as JsonSnapshot;
    const rs = root.sessions.find((x) => x.pid === pid);
    expect(rs?.remote).toEqual({ address: '127.0.0.1', port: other.localPort });
    expect(rs?.sources).toEqual({ remote: 'socket', remoteHost: 'socket', ttys: 'proc' });
    expect(rs?.login?.pid).toBe(record.pid);
  });
});
