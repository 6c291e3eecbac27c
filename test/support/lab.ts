// A real OpenSSH lab for the end-to-end suites, the benchmark and the screenshots.
//
//   const lab = await startLab();            // own sshd on 127.0.0.1:<free port>, own config,
//                                            // host key, pid file and log in a temp dir
//   const a = await lab.openTty('sshtop-t1'); // real `ssh -tt`; a.pid (client), a.localPort, a.tty
//   await lab.run(a, 'id -un');              // run a command in that session, get its output
//   lab.makeIdle(a.tty!, 7200);              // move the tty's atime back two hours
//   await lab.stop();                        // clients, then daemon, by pid; temp dir removed
//
// Clients: openTty, openControlMaster (two ttys over one connection), openForward (-N),
// openExec (notty), openSftp, openRaw (TCP, never authenticates). Ground truth about clients is
// taken independently of sshtop's code (`ss -tnpH`, /proc/<pid>/stat parsed here).
// The system's sshd, its config and its port are never touched; nothing is killed by name.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep, waitFor } from './wait.js';

export const LAB_USERS = ['sshtop-t1', 'sshtop-t2', 'sshtop-t3', 'sshtop-t4'];
export const REPO = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
export const SSHTOP = join(REPO, 'bin', 'sshtop');
/**
 * The command under test: bin/sshtop through this Node, or the release executable that
 * SSHTOP_UNDER_TEST names (CI runs the e2e suites against both: what users run is what is tested).
 */
export const SSHTOP_ARGV: readonly string[] = process.env.SSHTOP_UNDER_TEST ? [process.env.SSHTOP_UNDER_TEST] : [process.execPath, SSHTOP];
/** the comm of a running sshtop: node's, or the executable's name (the kernel keeps 15 bytes) */
export const SSHTOP_COMM = (SSHTOP_ARGV[0] ?? '').split('/').pop()?.slice(0, 15) ?? '';
/** the same, for a command line a shell runs (the paths hold no spaces: checked) */
export const SSHTOP_SH = SSHTOP_ARGV.join(' ');
if (SSHTOP_ARGV.some((a) => /\s/.test(a))) throw new Error(`the command under test has white space in a path: ${SSHTOP_SH}`);

export interface Client {
  kind: 'tty' | 'master' | 'forward' | 'exec' | 'sftp' | 'raw';
  user: string | null;
  /** pid of the ssh client process (null for raw) */
  pid: number | null;
  /** the client's local TCP port: the server sees it as the session's remote port */
  localPort: number;
  /** server-side tty(s) the shell(s) reported */
  tty?: string;
  ttys?: string[];
  /** everything the client printed so far */
  output(): string;
  send(text: string): void;
  exited(): boolean;
  close(): Promise<void>;
}

export interface Lab {
  port: number;
  /** the listener (or, with `daemon`, the process that accepts: dropbear, inetd); changes on restartListener */
  sshdPid: number;
  dir: string;
  keyFile: string;
  /** the lab's sshd_config (also usable for `sshd -i` under inetd) */
  config: string;
  clients: Client[];
  sshArgs(user: string): string[];
  openTty(user: string): Promise<Client>;
  openControlMaster(user: string): Promise<Client>;
  openForward(user: string): Promise<Client>;
  openExec(user: string, command: string): Promise<Client>;
  openSftp(user: string): Promise<Client>;
  openRaw(): Promise<Client>;
  /** run a shell command inside a tty session; resolves with its output */
  run(client: Client, command: string, timeoutMs?: number): Promise<string>;
  makeIdle(tty: string, secondsAgo: number): void;
  /** pids of every process below the lab's listener (server side) */
  serverPids(): number[];
  /** end the listener by its pid (SIGTERM) and start a new one on the same port; sessions live on as orphans */
  restartListener(): Promise<number>;
  stop(): Promise<void>;
}

/** what startLab's `daemon` option gets: the lab's port, directory and files */
export interface DaemonContext {
  port: number;
  dir: string;
  config: string;
  hostKey: string;
  pidFile: string;
  sshd: string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * field i after the comm of /proc/<pid>/stat (1 ppid, 3 session id, 19 starttime), split at the
 * last ')': parsed here, not by sshtop's parser, so ground truth never comes from the code under test
 */
function statField(pid: number, i: number): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[i]);
  } catch {
    return undefined;
  }
}

/** children of every thread of pid (/proc/<pid>/task/<tid>/children) */
function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
      try {
        return readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
}

function allPids(): number[] {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number);
}

/** parent pid */
export const ppidOf = (pid: number): number | undefined => statField(pid, 1);

/** start time, clock ticks since boot */
export const startTicksOf = (pid: number): number | undefined => statField(pid, 19);

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return state.slice(state.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** established TCP connections as `ss -tnpH` shows them */
export function ssConnections(): { local: string; localPort: number; peerPort: number; pids: number[] }[] {
  const r = spawnSync('ss', ['-tnpH', 'state', 'established'], { encoding: 'utf8' });
  return (r.stdout ?? '')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const f = l.trim().split(/\s+/);
      const local = f[2] ?? '';
      const peer = f[3] ?? '';
      const pids = [...l.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
      return { local, localPort: Number(local.split(':').pop()), peerPort: Number(peer.split(':').pop()), pids };
    });
}

/** why the lab cannot run here, or undefined; under CI=true it throws instead (a skip is a failure there) */
export function requireLab(): string | undefined {
  let reason: string | undefined;
  const missing = () => ['/usr/sbin/sshd', '/usr/bin/ssh', '/usr/bin/tmux', '/usr/bin/sudo', '/usr/bin/ss', '/usr/bin/screen', '/usr/bin/mosh-server'].filter((p) => !existsSync(p));
  if (process.getuid?.() !== 0) reason = 'the real-sshd suites need root (test users, a privileged sshd)';
  else if (missing().length > 0) {
    const apt = spawnSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-server openssh-client sshpass tmux iproute2 iptables sudo screen mosh'], {
      stdio: 'ignore',
    });
    if (missing().length > 0) reason = `missing ${missing().join(', ')} and apt-get failed (${apt.status})`;
  }
  if (reason && process.env.CI === 'true') throw new Error(`real-sshd suite cannot run under CI: ${reason}`);
  if (reason) console.warn(`\n!!! SKIPPING the real-sshd suite: ${reason} !!!\n`);
  return reason;
}

function ensureUsers(users: string[]): void {
  for (const u of users) {
    if (spawnSync('id', [u], { stdio: 'ignore' }).status !== 0) {
      const r = spawnSync('useradd', ['-m', '-s', '/bin/bash', u], { encoding: 'utf8' });
      if (r.status !== 0 && !/already exists/.test(r.stderr)) throw new Error(`useradd ${u}: ${r.stderr}`);
    }
    // clients log in with the lab's key; a password nobody knows keeps a shared machine's own
    // sshd from letting anyone in as a test user, and makes password prompts fail for real
    spawnSync('chpasswd', { input: `${u}:${randomBytes(18).toString('base64')}\n` });
  }
}

export interface LabOptions {
  users?: string[];
  sftp?: 'internal' | 'external';
  extraConfig?: string;
  /** the sshd binary (an OpenSSH built by scripts/openssh-build.ts); default the system's */
  sshd?: string;
  /** start something else that accepts on the port (dropbear, inetd running `sshd -i`); runs in the foreground */
  daemon?: (ctx: DaemonContext) => { command: string; args: string[] };
  /**
   * the PAM stack (file text) the lab's sshd uses instead of /etc/pam.d/sshd. OpenSSH 9.2 has no
   * PAMServiceName, and renaming the binary (its __progname is the service) renames its titles too
   * (`sshtop-lab-x: alice [priv]`), so the sshd runs in its own mount namespace with this file
   * bind-mounted over /etc/pam.d/sshd there: the system's file and every other sshd are untouched.
   */
  pam?: string;
  /** false: `UsePAM no` (no pam_loginuid: no process of a login carries an audit session) */
  usePam?: boolean;
}

export async function startLab(opts: LabOptions = {}): Promise<Lab> {
  const users = opts.users ?? LAB_USERS;
  ensureUsers(users);
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(tmpdir(), 'sshtop-lab-'));
  chmodSync(dir, 0o755);
  const keys = join(dir, 'keys');
  mkdirSync(keys, { mode: 0o755 });
  const hostKey = join(dir, 'host_ed25519');
  const keyFile = join(dir, 'client_ed25519');
  for (const k of [hostKey, keyFile]) {
    const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', k]);
    if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
  }
  const pub = readFileSync(`${keyFile}.pub`, 'utf8');
  for (const u of [...users, 'root']) writeFileSync(join(keys, u), pub, { mode: 0o644 });

  const port = await freePort();
  const cfg = join(dir, 'sshd_config');
  const pidFile = join(dir, 'sshd.pid');
  writeFileSync(
    cfg,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${pidFile}`,
      `AuthorizedKeysFile ${keys}/%u`,
      'StrictModes no',
      'PubkeyAuthentication yes',
      'PasswordAuthentication yes',
      'KbdInteractiveAuthentication no',
      `UsePAM ${opts.usePam === false ? 'no' : 'yes'}`,
      'PermitRootLogin yes',
      'LoginGraceTime 120',
      'ClientAliveInterval 0',
      'MaxStartups 10:30:100',
      'PrintMotd no',
      `AllowUsers root ${users.join(' ')}`,
      opts.sftp === 'external' ? 'Subsystem sftp /usr/lib/openssh/sftp-server' : 'Subsystem sftp internal-sftp',
      opts.extraConfig ?? '',
    ].join('\n') + '\n',
  );
  const sshd = opts.sshd ?? '/usr/sbin/sshd';
  const launch = () => {
    let how = opts.daemon?.({ port, dir, config: cfg, hostKey, pidFile, sshd }) ?? { command: sshd, args: ['-D', '-f', cfg, '-E', join(dir, 'sshd.log')] };
    if (opts.pam !== undefined) {
      const pam = join(dir, 'pam-sshd');
      writeFileSync(pam, opts.pam, { mode: 0o644 });
      // unshare and sh exec in place: the pid spawned is the listener's
      how = { command: 'unshare', args: ['-m', '--propagation', 'private', 'sh', '-c', 'mount --bind "$0" /etc/pam.d/sshd && exec "$@"', pam, how.command, ...how.args] };
    }
    return spawn(how.command, how.args, { stdio: 'ignore' }).pid as number;
  };
  const listening = () =>
    waitFor(
      `sshd on port ${port}`,
      () =>
        new Promise<boolean>((resolve) => {
          const s = new Socket();
          s.once('connect', () => {
            s.destroy();
            resolve(true);
          });
          s.once('error', () => resolve(false));
          s.connect(port, '127.0.0.1');
        }),
      10_000,
    );
  let sshdPid = launch();
  await listening();
  // server processes left behind by restartListener: ours to end in stop()
  const orphans: { pid: number; startTicks: number | undefined }[] = [];
  // Every server-side process seen while the lab runs. A remote command outlives its connection
  // (reap ended it, a client was killed) and is reparented away from the listener before stop()
  // looks: sampling keeps it, and its session id catches the children it forks later.
  const seen = new Map<number, { startTicks: number | undefined; sid: number | undefined }>();
  const record = () => {
    const stack = [sshdPid];
    while (stack.length > 0) {
      const pid = stack.pop() as number;
      for (const child of childrenOf(pid)) {
        if (!seen.has(child)) seen.set(child, { startTicks: startTicksOf(child), sid: statField(child, 3) });
        stack.push(child);
      }
    }
  };
  const sampler = setInterval(record, 500);
  sampler.unref();

  const clients: Client[] = [];
  const sshArgs = (user: string) => [
    '-F', '/dev/null',
    '-o', 'StrictHostKeyChecking=no',
    '-o', 'UserKnownHostsFile=/dev/null',
    '-o', 'BatchMode=yes',
    '-o', 'LogLevel=ERROR',
    '-i', keyFile,
    '-p', String(port),
    '-l', user,
  ];

  function wrap(kind: Client['kind'], user: string | null, child: ChildProcess): Omit<Client, 'localPort'> {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stdin?.on('error', () => undefined);
    let exited = false;
    child.on('exit', () => (exited = true));
    return {
      kind,
      user,
      pid: child.pid ?? null,
      output: () => out,
      send: (text: string) => {
        if (!exited) child.stdin?.write(text);
      },
      exited: () => exited,
      close: async () => {
        if (exited || child.pid === undefined) return;
        child.kill('SIGTERM');
        await waitFor(`ssh client ${child.pid} to exit`, () => exited, 5000).catch(() => child.kill('SIGKILL'));
      },
    };
  }

  async function openSsh(kind: Client['kind'], user: string, args: string[], attempt = 1): Promise<Client> {
    const child = spawn('ssh', [...sshArgs(user), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const base = wrap(kind, user, child);
    // MaxStartups (10:30:100) lets sshd drop a connection while many are opening at once, as it
    // would a real client's; the lab tries again rather than wait for a port that never comes
    const localPort = await waitFor(
      `local port of ssh client ${child.pid}`,
      () => (base.exited() ? 'dropped' : ssConnections().find((c) => c.pids.includes(child.pid as number) && c.peerPort === port)?.localPort),
      30_000,
    );
    if (localPort === 'dropped') {
      // a loaded machine keeps more logins in pre-auth at once, and the random early drop past
      // the start count can hit a few in a row: back off a little more each time, as a client would
      if (attempt >= 6) throw new Error(`ssh ${user} ${args.join(' ')}: the connection was dropped ${attempt} times: ${base.output()}`);
      await sleep(250 * attempt);
      return openSsh(kind, user, args, attempt + 1);
    }
    const client: Client = { ...base, localPort };
    clients.push(client);
    return client;
  }

  let marker = 0;
  async function run(client: Client, command: string, timeoutMs = 20_000): Promise<string> {
    const id = `${process.pid}_${++marker}`;
    const before = client.output().length;
    // quotes split the markers, so the echoed command line never matches the printed marker
    client.send(`echo "BEG""IN_${id}"; ${command}; echo "EN""D_${id}"\n`);
    return waitFor(`command in session: ${command}`, () => {
      const text = client.output().slice(before).replace(/\r/g, '');
      const m = new RegExp(`BEGIN_${id}\\n([\\s\\S]*?)END_${id}`).exec(text);
      return m ? (m[1] as string) : undefined;
    }, timeoutMs);
  }

  async function ttyOf(client: Client): Promise<string> {
    const out = await run(client, 'tty');
    const m = /\/dev\/(pts\/\d+)/.exec(out);
    if (!m) throw new Error(`no tty in: ${out}`);
    return m[1] as string;
  }

  const lab: Lab = {
    port,
    sshdPid,
    dir,
    keyFile,
    config: cfg,
    clients,
    sshArgs,
    async openTty(user) {
      const c = await openSsh('tty', user, ['-tt', '127.0.0.1']);
      c.tty = await ttyOf(c);
      c.ttys = [c.tty];
      return c;
    },
    async openControlMaster(user) {
      const ctl = join(dir, `ctl-${user}-${clients.length}`);
      const master = await openSsh('master', user, ['-tt', '-o', 'ControlMaster=yes', '-o', `ControlPath=${ctl}`, '127.0.0.1']);
      const first = await ttyOf(master);
      const child = spawn('ssh', [...sshArgs(user), '-tt', '-o', 'ControlMaster=no', '-o', `ControlPath=${ctl}`, '127.0.0.1'], { stdio: ['pipe', 'pipe', 'pipe'] });
      const second: Client = { ...wrap('tty', user, child), localPort: master.localPort };
      clients.push(second);
      const tty2 = await ttyOf(second);
      master.tty = first;
      master.ttys = [first, tty2];
      return master;
    },
    async openForward(user) {
      const fwd = await freePort();
      return openSsh('forward', user, ['-N', '-L', `${fwd}:127.0.0.1:${port}`, '127.0.0.1']);
    },
    async openExec(user, command) {
      return openSsh('exec', user, ['127.0.0.1', command]);
    },
    async openSftp(user) {
      return openSsh('sftp', user, ['-s', '127.0.0.1', 'sftp']);
    },
    async openRaw() {
      const s = new Socket();
      await new Promise<void>((resolve, reject) => {
        s.once('connect', () => resolve());
        s.once('error', reject);
        s.connect(port, '127.0.0.1');
      });
      let closed = false;
      s.on('close', () => (closed = true));
      s.on('error', () => undefined);
      const client: Client = {
        kind: 'raw',
        user: null,
        pid: null,
        localPort: s.localPort as number,
        output: () => '',
        send: () => undefined,
        exited: () => closed,
        close: async () => {
          s.destroy();
        },
      };
      clients.push(client);
      return client;
    },
    run,
    makeIdle(tty, secondsAgo) {
      const path = join('/dev', tty);
      const when = Date.now() / 1000 - secondsAgo;
      const { mtimeMs } = { mtimeMs: Date.now() };
      utimesSync(path, when, mtimeMs / 1000);
    },
    serverPids() {
      const byParent = new Map<number, number[]>();
      for (const name of spawnSync('ls', ['/proc'], { encoding: 'utf8' }).stdout.split('\n')) {
        if (!/^\d+$/.test(name)) continue;
        const pp = ppidOf(Number(name));
        if (pp !== undefined) byParent.set(pp, [...(byParent.get(pp) ?? []), Number(name)]);
      }
      const out: number[] = [];
      const stack = [...(byParent.get(sshdPid) ?? []), ...orphans.filter((o) => startTicksOf(o.pid) === o.startTicks).map((o) => o.pid)];
      while (stack.length > 0) {
        const p = stack.pop() as number;
        if (out.includes(p)) continue;
        out.push(p);
        stack.push(...(byParent.get(p) ?? []));
      }
      return out;
    },
    async restartListener() {
      for (const pid of lab.serverPids()) orphans.push({ pid, startTicks: startTicksOf(pid) });
      process.kill(sshdPid, 'SIGTERM');
      await waitFor('old listener to exit', () => !alive(sshdPid), 5000);
      sshdPid = launch();
      lab.sshdPid = sshdPid;
      await listening();
      return sshdPid;
    },
    async stop() {
      clearInterval(sampler);
      // taken first: a remote command (`sleep 300`) outlives its connection, reparented away
      record();
      const server = lab.serverPids().map((pid) => ({ pid, startTicks: startTicksOf(pid) }));
      await Promise.all(clients.map((c) => c.close()));
      // anything still below our listener, or that was when we began, is ours: end it by pid
      record();
      for (const pid of lab.serverPids()) server.push({ pid, startTicks: startTicksOf(pid) });
      for (const [pid, { startTicks }] of seen) server.push({ pid, startTicks });
      // and whatever runs in a session one of them led (the children a loop keeps forking)
      const sessions = new Set([...seen].filter(([pid, e]) => e.sid === pid).map(([pid]) => pid));
      for (const pid of allPids()) {
        const sid = statField(pid, 3);
        if (sid !== undefined && sessions.has(sid)) server.push({ pid, startTicks: startTicksOf(pid) });
      }
      for (const { pid, startTicks } of server) {
        try {
          if (startTicks !== undefined && startTicksOf(pid) === startTicks) process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      try {
        process.kill(sshdPid, 'SIGTERM');
      } catch {
        // gone
      }
      await waitFor('lab sshd to exit', () => !alive(sshdPid), 5000).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  process.once('exit', () => {
    for (const c of clients) if (c.pid !== null && !c.exited()) spawnSync('kill', ['-9', String(c.pid)]);
    if (alive(sshdPid)) spawnSync('kill', [String(sshdPid)]);
  });
  return lab;
}

/** run sshtop (the built CLI) and return its result */
export function runSshtop(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const { TMUX: _t, ...rest } = process.env;
  const r = spawnSync(SSHTOP_ARGV[0] as string, [...SSHTOP_ARGV.slice(1), ...args], { encoding: 'utf8', env: { ...rest, ...env }, timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** make sure dist/ is built (npm test builds first; a lone `vitest run` may not), or the executable under test exists */
export function ensureBuilt(): void {
  const artifact = process.env.SSHTOP_UNDER_TEST;
  if (artifact !== undefined) {
    if (!existsSync(artifact)) throw new Error(`SSHTOP_UNDER_TEST=${artifact}: no such file (npm run release builds it)`);
    return;
  }
  if (!existsSync(join(REPO, 'dist', 'cli', 'main.js'))) {
    const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: REPO, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('npm run build failed');
  }
}
