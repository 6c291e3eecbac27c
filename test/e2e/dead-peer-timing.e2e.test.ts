// When does the kernel really drop a dead peer's connection, and does sshtop say so beforehand?
// A real sshd and its client run in a network namespace of this test's own, with tcp_retries2 6
// (per namespace: the host is never touched). The client streams output; an iptables rule drops
// its ACKs at the server, which then retransmits unacknowledged data with exponential backoff.
// sshtop, run inside the namespace (its /proc/sys and ss see only their own namespace), predicts
// when the connection ends; the prediction must land within 10 % of the real close.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, ensureBuilt, requireLab, SSHTOP, SSHTOP_ARGV } from '../support/lab.js';
import { sleep, waitFor } from '../support/wait.js';

const labReason = requireLab();
/** the namespace needs ip and iptables too; under CI a missing one is a failure, not a skip */
function requireNetns(): string | undefined {
  const missing = ['ip', 'iptables'].filter((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status !== 0);
  const reason = labReason ?? (missing.length > 0 ? `missing ${missing.join(', ')}` : undefined);
  if (reason && labReason === undefined && process.env.CI === 'true') throw new Error(`dead-peer timing e2e cannot run under CI: ${reason}`);
  if (reason && labReason === undefined) console.warn(`\n!!! SKIPPING the dead-peer timing e2e: ${reason} !!!\n`);
  return reason;
}
const skipReason = requireNetns();

const NS = `sshtop-rto-${randomBytes(4).toString('hex')}`;
const PORT = 2222;
const RETRIES2 = 6;

interface End {
  by: string;
  inSeconds: number;
  when: string;
}
interface JsonOut {
  takenAt: string;
  sessions: { pid: number; remote: { port: number } | null; timeouts: string[]; ends: End[]; flags: string[]; net: Record<string, unknown> | null }[];
}

const inNs = (cmd: string, args: string[]) => spawnSync('ip', ['netns', 'exec', NS, cmd, ...args], { encoding: 'utf8', timeout: 30_000 });

/** established connections of the namespace's sshd: its client's port → present */
function serverConnections(): number[] {
  const r = inNs('ss', ['-tnH', 'state', 'established', `( sport = :${PORT} )`]);
  return (r.stdout ?? '')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => Number(l.trim().split(/\s+/)[3]?.split(':').pop()));
}

describe.runIf(skipReason === undefined)('dead-peer timing in a network namespace', () => {
  let dir = '';
  let sshd: ChildProcess | undefined;
  let nsCreated = false;

  beforeAll(async () => {
    ensureBuilt();
    const add = spawnSync('ip', ['netns', 'add', NS], { encoding: 'utf8' });
    if (add.status !== 0) throw new Error(`ip netns add: ${add.stderr}`);
    nsCreated = true;
    for (const [cmd, args] of [
      ['ip', ['link', 'set', 'lo', 'up']],
      ['sysctl', ['-qw', `net.ipv4.tcp_retries2=${RETRIES2}`]],
    ] as const) {
      const r = inNs(cmd, [...args]);
      if (r.status !== 0) throw new Error(`${cmd} in ${NS}: ${r.stderr}`);
    }
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    dir = mkdtempSync(join(tmpdir(), 'sshtop-rto-'));
    chmodSync(dir, 0o755);
    for (const k of ['host_ed25519', 'client_ed25519']) {
      const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, k)]);
      if (r.status !== 0) throw new Error(`ssh-keygen: ${r.stderr}`);
    }
    mkdirSync(join(dir, 'keys'), { mode: 0o755 });
    writeFileSync(join(dir, 'keys', 'root'), readFileSync(join(dir, 'client_ed25519.pub')), { mode: 0o644 });
    // the configuration: ClientAlive 120 s × 30 promises an hour; the kernel ends it long before
    writeFileSync(
      join(dir, 'sshd_config'),
      [
        `Port ${PORT}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(dir, 'host_ed25519')}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(dir, 'keys')}/%u`,
        'StrictModes no',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM yes',
        'PermitRootLogin yes',
        'AllowUsers root',
        'ClientAliveInterval 120',
        'ClientAliveCountMax 30',
        'PrintMotd no',
      ].join('\n') + '\n',
    );
    sshd = spawn('ip', ['netns', 'exec', NS, '/usr/sbin/sshd', '-D', '-f', join(dir, 'sshd_config'), '-E', join(dir, 'sshd.log')], { stdio: 'ignore' });
    await waitFor('sshd listening in the namespace', () => inNs('ss', ['-tlnH', `( sport = :${PORT} )`]).stdout.includes(`:${PORT}`), 10_000, 200);
  });

  afterAll(async () => {
    // everything in the namespace is this test's: end it by pid, then the namespace and its rules with it
    if (nsCreated) {
      const pids = (spawnSync('ip', ['netns', 'pids', NS], { encoding: 'utf8' }).stdout ?? '').split(/\s+/).filter(Boolean).map(Number);
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      await waitFor('namespace processes to exit', () => pids.every((p) => !alive(p)), 5000).catch(() => undefined);
      spawnSync('ip', ['netns', 'del', NS]);
    }
    if (sshd?.pid && alive(sshd.pid)) sshd.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('predicts when the kernel drops a peer that stopped acknowledging, within 10 %', async () => {
    const before = new Set(serverConnections());
    const client = spawn(
      'ip',
      ['netns', 'exec', NS, 'ssh', '-F', '/dev/null', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR',
        '-i', join(dir, 'client_ed25519'), '-p', String(PORT), 'root@127.0.0.1', 'while :; do date; sleep 0.2; done'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    client.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    client.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor('streamed output', () => out.split('\n').length > 5, 20_000, 100);
    const clientPort = await waitFor('the client connection', () => serverConnections().find((p) => !before.has(p)), 10_000, 200);

    // the server's view of a dead client: its data goes out, no ACK comes back
    const rule = ['-I', 'INPUT', '-p', 'tcp', '--sport', String(clientPort), '--dport', String(PORT), '-j', 'DROP'];
    const add = inNs('iptables', rule);
    expect(add.status, add.stderr).toBe(0);
    const droppedAt = Date.now();
    // a few seconds in: retransmissions are running and backing off
    await sleep(4000);

    const { TMUX: _tmux, ...env } = process.env;
    const r = spawnSync('ip', ['netns', 'exec', NS, ...SSHTOP_ARGV, '--json'], { encoding: 'utf8', timeout: 30_000, env });
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as JsonOut;
    const session = json.sessions.find((s) => s.remote?.port === clientPort);
    expect(session, r.stdout).toBeDefined();
    const end = session!.ends[0]!;
    expect(end).toMatchObject({ by: 'retransmission', when: 'running' });
    expect(session!.timeouts[0]).toMatch(new RegExp(`^the kernel drops it in \\d+s \\(tcp_retries2 ${RETRIES2}: retransmissions unanswered`));
    expect(session!.timeouts.join('\n')).toMatch(/ClientAliveInterval 120s × ClientAliveCountMax 30 would drop it after 60m: not reached first/);
    expect(session!.flags).toContain('dead-peer');
    const predictedAt = Date.parse(json.takenAt) + end.inSeconds * 1000;

    // the real end: the server's socket leaves the namespace and its session process exits
    const closedAt = await waitFor('the kernel to drop the connection', () => (!serverConnections().includes(clientPort) ? Date.now() : undefined), 120_000, 100);
    await waitFor('the session process to exit', () => !alive(session!.pid), 10_000, 100);
    const actual = closedAt - droppedAt;
    const predicted = predictedAt - droppedAt;
    const error = Math.abs(predicted - actual) / actual;
    console.log(`dead-peer timing: predicted ${(predicted / 1000).toFixed(2)}s, actual ${(actual / 1000).toFixed(2)}s after the DROP rule, error ${(error * 100).toFixed(1)} % (sshtop ran at ${((Date.parse(json.takenAt) - droppedAt) / 1000).toFixed(2)}s)\n  net ${JSON.stringify(session!.net)}\n  ${session!.timeouts.join('\n  ')}`);
    expect(error).toBeLessThanOrEqual(0.1);
    client.kill('SIGKILL');
  }, 180_000);
});
