// A fresh server, for real: a minimal Debian bookworm root (debootstrap --variant=minbase, no
// Node in it; cached under /var/cache/sshtop-lab/), the .deb installed with dpkg -i inside it,
// sshtop --once, --json and reap --idle 1s (a dry run) run there against a real SSH session of a
// throwaway sshd started from the host, then dpkg -r must leave nothing but the audit log, and
// lintian must find nothing beyond packaging/debian/lintian-overrides.
//
// Needs root. Under CI=true a reason to skip fails instead. The .deb is built first when
// dist/release has none (npm run release && npm run release:deb, ~1 min).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error: plain JavaScript scripts, no type declarations
import { cannotRun, openRoot } from '../../scripts/release-chroot.mjs';
// @ts-expect-error: plain JavaScript scripts, no type declarations
import { debPath } from '../../scripts/release-deb.mjs';

const REPO = new URL('../..', import.meta.url).pathname;
const CI = process.env.CI === 'true';
const reason: string | undefined = cannotRun();
if (reason && CI) throw new Error(`the .deb e2e cannot run under CI: ${reason}`);

type Root = { root: string; run(c: string, o?: { env?: Record<string, string>; timeout?: number }): { status: number | null; stdout: string; stderr: string }; files(): string[]; close(): void; copyIn(f: string): string };

/** a throwaway sshd on 127.0.0.1 (the system's binary, its own config, key and port) with one root tty session (its idle time comes from the tty: minbase has no ss) */
async function startSession(): Promise<{ port: number; clientPort: () => number | undefined; stop(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'sshtop-deb-sshd-'));
  const port = await new Promise<number>((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
  for (const k of ['host', 'client']) {
    const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, k)]);
    if (r.status !== 0) throw new Error(`ssh-keygen: ${r.stderr}`);
  }
  mkdirSync(join(dir, 'keys'));
  writeFileSync(join(dir, 'keys', 'root'), readFileSync(join(dir, 'client.pub')));
  chmodSync(join(dir, 'host'), 0o600);
  mkdirSync('/run/sshd', { recursive: true });
  writeFileSync(
    join(dir, 'sshd_config'),
    [`Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${join(dir, 'host')}`, `PidFile ${join(dir, 'sshd.pid')}`, `AuthorizedKeysFile ${join(dir, 'keys')}/%u`, 'StrictModes no', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'UsePAM no', 'PermitRootLogin prohibit-password'].join('\n') + '\n',
  );
  const procs: ChildProcess[] = [];
  const sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: 'ignore' });
  procs.push(sshd);
  const stop = () => {
    for (const p of procs.reverse()) if (p.pid && p.exitCode === null) p.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < 100 && !existsSync(join(dir, 'sshd.pid')); i++) await new Promise((r) => setTimeout(r, 50));
    const client = spawn('ssh', ['-i', join(dir, 'client'), '-p', String(port), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR', '-tt', 'root@127.0.0.1', 'echo up; exec sleep 300'], { stdio: ['pipe', 'pipe', 'pipe'] });
    procs.push(client);
    await new Promise<void>((res, rej) => {
      const t = setTimeout(() => rej(new Error('the ssh session did not come up')), 15_000);
      client.stdout!.on('data', (d: Buffer) => {
        if (String(d).includes('up')) {
          clearTimeout(t);
          res();
        }
      });
      client.on('exit', (c) => rej(new Error(`ssh exited ${c}`)));
    });
    // the client's local port: the session's remote port as the server sees it
    const clientPort = () => {
      const ss = spawnSync('ss', ['-tnpH', 'state', 'established', `dport = :${port}`], { encoding: 'utf8' }).stdout;
      const line = ss.split('\n').find((l) => l.includes(`pid=${client.pid},`));
      const m = line && /127\.0\.0\.1:(\d+)\s+127\.0\.0\.1:\d+/.exec(line);
      return m ? Number(m[1]) : undefined;
    };
    return { port, clientPort, stop };
  } catch (e) {
    stop();
    throw e;
  }
}

describe.skipIf(reason !== undefined)('the .deb on a fresh Debian root', () => {
  let r: Root | undefined;
  let session: Awaited<ReturnType<typeof startSession>> | undefined;
  const deb: string = debPath('x64');

  beforeAll(async () => {
    if (!existsSync(deb)) {
      for (const [cmd, args] of [['node', ['scripts/release.mjs']], ['node', ['scripts/release-deb.mjs', 'x64']]] as const) {
        const b = spawnSync(cmd, [...args], { cwd: REPO, encoding: 'utf8', env: { ...process.env, SSHTOP_RELEASE_ARCH: 'x64' } });
        if (b.status !== 0) throw new Error(`${args[0]}: ${b.stderr}`);
      }
    }
    session = await startSession();
    r = openRoot('amd64') as Root;
  }, 600_000);

  afterAll(() => {
    session?.stop();
    r?.close();
  });

  it('has no Node and no sshtop before the install', () => {
    expect(r!.run('command -v node nodejs sshtop').stdout).toBe('');
  });

  let before: string[] = [];
  it('installs with dpkg -i, starting nothing (the timer is not enabled)', () => {
    before = r!.files();
    const inRoot = r!.copyIn(deb);
    const i = r!.run(`dpkg -i ${inRoot} && rm ${inRoot}`);
    expect(i.status, i.stderr + i.stdout).toBe(0);
    expect(i.stderr).toBe('');
    for (const f of ['/usr/bin/sshtop', '/usr/share/man/man1/sshtop.1.gz', '/usr/share/man/man1/sshtop-reap.1.gz', '/usr/share/bash-completion/completions/sshtop', '/usr/share/zsh/vendor-completions/_sshtop', '/lib/systemd/system/sshtop-reap.service', '/lib/systemd/system/sshtop-reap.timer', '/etc/default/sshtop']) {
      expect(existsSync(join(r!.root, f)), f).toBe(true);
    }
    expect(r!.run('find /etc/systemd -name "sshtop*"').stdout).toBe('');
    expect(r!.run("dpkg-query -W -f='${Conffiles}' sshtop").stdout).toContain('/etc/default/sshtop');
  });

  it('runs --version, --once and --json there, and sees the live session', () => {
    expect(r!.run('sshtop --version').stdout.trim()).toBe(`sshtop ${JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version}`);
    const once = r!.run('sshtop --once');
    expect(once.status, once.stderr).toBe(0);
    const json = r!.run('sshtop --json');
    expect(json.status, json.stderr).toBe(0);
    const snap = JSON.parse(json.stdout) as { schema: string; sessions: { user: string | null; remote: { port: number } | null; local: { port: number } | null }[] };
    expect(snap.schema).toBe('sshtop/1');
    const port = session!.clientPort();
    const mine = snap.sessions.find((s) => s.local?.port === session!.port);
    expect(mine, `no session on port ${session!.port} in ${json.stdout.slice(0, 2000)}`).toBeDefined();
    expect(mine!.user).toBe('root');
    if (port !== undefined) expect(mine!.remote?.port).toBe(port);
    expect(once.stdout).toContain(`127.0.0.1:${mine!.remote?.port}`);
  });

  it('runs reap --idle 1s as a dry run: lists the session, signals nothing', async () => {
    // the tty untouched for more than the rule's second
    await new Promise((res) => setTimeout(res, 2100));
    const reap = r!.run(`sshtop reap --idle 1s --port ${session!.port} --json`);
    expect(reap.status, reap.stderr).toBe(0);
    const out = JSON.parse(reap.stdout) as { dryRun: boolean; matched: { user: string | null; remote: { port: number } | null; results: unknown[] }[] };
    expect(out.dryRun).toBe(true);
    const port = session!.clientPort();
    expect(port, 'the session is still connected').toBeDefined();
    expect(out.matched.map((m) => [m.user, m.remote?.port, m.results.length])).toEqual([['root', port, 0]]);
    const text = r!.run(`sshtop reap --idle 1s --port ${session!.port}`);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout.toLowerCase()).toContain('dry run');
  });

  it('the man page and the completion work there', () => {
    const c = r!.run(`bash -c 'source /usr/share/bash-completion/completions/sshtop; COMP_WORDS=(sshtop reap --sig); COMP_CWORD=2; _sshtop; printf "%s\\n" "\${COMPREPLY[@]}"'`);
    expect(c.stdout.trim()).toBe('--signal');
    expect(r!.run('zcat /usr/share/man/man1/sshtop.1.gz | head -c 300').stdout).toContain('.TH SSHTOP 1');
  });

  it('dpkg -r leaves nothing but the audit log; purge takes /etc/default/sshtop', () => {
    // an admin enabled the timer, and the reaper wrote its audit log
    r!.run('mkdir -p /etc/systemd/system/timers.target.wants /var/log/sshtop && ln -s /lib/systemd/system/sshtop-reap.timer /etc/systemd/system/timers.target.wants/sshtop-reap.timer && echo "{}" > /var/log/sshtop/audit.log');
    const rm = r!.run('dpkg -r sshtop');
    expect(rm.status, rm.stderr).toBe(0);
    const after = r!.files();
    const added = after.filter((f) => !before.includes(f));
    const removed = before.filter((f) => !after.includes(f));
    expect(removed).toEqual([]);
    // timers.target.wants/ is the admin's folder (made above), not the package's
    expect(added.filter((f) => !f.endsWith(' /etc/systemd/system/timers.target.wants'))).toEqual(['d /etc/default', 'd /var/log/sshtop', 'f /etc/default/sshtop', 'f /var/log/sshtop/audit.log'].filter((f) => !before.includes(f)));
    const purge = r!.run('dpkg --purge sshtop');
    expect(purge.status, purge.stderr).toBe(0);
    expect(r!.files().filter((f) => !before.includes(f) && !f.endsWith(' /etc/systemd/system/timers.target.wants'))).toEqual(['d /var/log/sshtop', 'f /var/log/sshtop/audit.log']);
  });

  it('lintian finds nothing beyond the stated overrides', () => {
    if (!existsSync('/usr/bin/lintian')) spawnSync('sh', ['-c', 'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq lintian'], { stdio: 'ignore' });
    const l = spawnSync('lintian', ['--fail-on', 'error,warning', deb], { encoding: 'utf8' });
    expect(l.stdout.split('\n').filter((x) => /^[EW]: /.test(x))).toEqual([]);
    expect(l.status, l.stdout + l.stderr).toBe(0);
  }, 120_000);
});
