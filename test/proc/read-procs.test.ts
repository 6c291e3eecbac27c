// The /proc reader against temporary directories shaped like /proc (fake-proc.ts), processes that
// vanish mid-scan, files an unprivileged user cannot read, garbage, the children walk, the ps-list
// fallback, and a real procfs mounted with hidepid=2 read by an unprivileged user.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { ProcReader, type ReaderOptions } from '../../src/proc/reader.js';
import { createSource, PS_LIST_MISSING } from '../../src/proc/source.js';
import { FakeProcRoot, hexV4, type FakeProcess } from '../support/fake-proc.js';

// Hooks into node:fs so a test can make a process exit at an exact point of a scan.
const hooks = vi.hoisted(() => ({
  beforeRead: undefined as ((path: string) => void) | undefined,
  afterReaddir: undefined as ((path: string) => void) | undefined,
}));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const wrapped = {
    readFileSync: (path: unknown, ...rest: unknown[]) => {
      hooks.beforeRead?.(String(path));
      return (fs.readFileSync as (...a: unknown[]) => unknown)(path, ...rest);
    },
    openSync: (path: unknown, ...rest: unknown[]) => {
      hooks.beforeRead?.(String(path));
      return (fs.openSync as (...a: unknown[]) => unknown)(path, ...rest);
    },
    readdirSync: (path: unknown, ...rest: unknown[]) => {
      const out = (fs.readdirSync as (...a: unknown[]) => unknown)(path, ...rest);
      hooks.afterReaddir?.(String(path));
      return out;
    },
  };
  return { ...fs, ...wrapped, default: { ...fs, ...wrapped } };
});

const REPO = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const IS_ROOT = process.getuid?.() === 0;
const IN_CI = process.env.CI === 'true';
const NOBODY = 65534;

/** tty_nr of /dev/pts/N as the kernel encodes it */
const ptsNr = (n: number): number => ((n & 0xff) | (136 << 8) | ((n & ~0xff) << 12)) | 0;
const NOW = Date.now();

/** listener → monitor → user child → shell → editor, plus an unrelated daemon and the init process */
function sessionTree(fake: FakeProcRoot): void {
  const procs: FakeProcess[] = [
    { pid: 1, ppid: 0, comm: 'systemd', argv: ['/sbin/init'], uid: 0, startTicks: 1 },
    { pid: 100, ppid: 1, comm: 'sshd', argv: ['sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups'], uid: 0, startTicks: 500 },
    { pid: 200, ppid: 100, comm: 'sshd', cmdlineRaw: 'sshd: alice [priv]' + '\0'.repeat(40), uid: 0, startTicks: 900, fds: { 0: '/dev/null', 3: 'socket:[5001]', 4: 'socket:[5002]' }, extraTids: [210] },
    { pid: 201, ppid: 200, comm: 'sshd', cmdlineRaw: 'sshd: alice@pts/3' + '\0'.repeat(40), uid: 1000, startTicks: 905, fds: { 3: 'socket:[5001]', 9: '/dev/ptmx' } },
    { pid: 202, ppid: 201, comm: 'bash', argv: ['-bash'], uid: 1000, startTicks: 910, ttyNr: ptsNr(3), tpgid: 203, environ: { SSH_CONNECTION: '127.0.0.1 50000 127.0.0.1 22', SSH_TTY: '/dev/pts/3' } },
    { pid: 203, ppid: 202, comm: 'vim', argv: ['vim', 'notes.txt'], uid: 1000, startTicks: 950, ttyNr: ptsNr(3), tpgid: 203, utime: 7, stime: 3 },
    { pid: 300, ppid: 1, comm: 'cron', argv: ['/usr/sbin/cron', '-f'], uid: 0, startTicks: 40 },
  ];
  for (const p of procs) fake.add(p);
  fake.setNet('tcp', [
    { local: hexV4('0.0.0.0', 22), remote: hexV4('0.0.0.0', 0), state: 10, inode: 4000 },
    { local: hexV4('127.0.0.1', 22), remote: hexV4('127.0.0.1', 50000), state: 1, inode: 5001, timer: 2, when: 0xaf7bf },
    { local: hexV4('127.0.0.1', 22), remote: hexV4('127.0.0.1', 49000), state: 6, inode: 0, timer: 3 },
  ]);
  fake.setPasswd('root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n');
  fake.addPts(3, NOW - 90_000);
  fake.addPts(4, NOW - 5_000);
}

const trees: FakeProcRoot[] = [];
function newTree(build = sessionTree): FakeProcRoot {
  const fake = new FakeProcRoot();
  trees.push(fake);
  build(fake);
  return fake;
}
const readerFor = (fake: FakeProcRoot, extra: ReaderOptions = {}): ProcReader =>
  new ProcReader({ procRoot: fake.procRoot, devRoot: fake.devRoot, passwdPath: fake.passwdPath, ...extra });
/** ticks always walk the known subtrees after the first full scan */
const WALK: ReaderOptions = { fullScanMs: 1e12, newPidScanMs: 1e12 };
const pids = (m: ReadonlyMap<number, unknown>): number[] => [...m.keys()].sort((a, b) => a - b);

afterEach(() => {
  hooks.beforeRead = undefined;
  hooks.afterReaddir = undefined;
});
afterAll(() => {
  for (const t of trees) t.dispose();
});

describe('ProcReader on a /proc-shaped directory', () => {
  it('reads the sshd subtrees with their sockets, ttys, users and boot time, and nothing else', () => {
    const fake = newTree();
    const snap = readerFor(fake).read();
    expect(pids(snap.procs)).toEqual([100, 200, 201, 202, 203]);
    expect(snap.procs.get(100)).toMatchObject({ ppid: 1, comm: 'sshd', argv: ['sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups'], uid: 0, startTicks: 500, cgroup: '0::/system.slice/ssh.service\n' });
    expect(snap.procs.get(200)).toMatchObject({ argv: ['sshd: alice [priv]'], uid: 0, netns: 'net:[4026531840]' });
    expect([...(snap.procs.get(200)?.sockets ?? [])].sort()).toEqual([5001, 5002]);
    expect(snap.procs.get(201)).toMatchObject({ argv: ['sshd: alice@pts/3'], cmdline: 'sshd: alice@pts/3', uid: 1000, sockets: [5001], tty: null });
    expect(snap.procs.get(202)).toMatchObject({ comm: 'bash', argv: ['-bash'], tty: 'pts/3', ttyNr: ptsNr(3), tpgid: 203, uid: 1000, sockets: [] });
    expect(snap.procs.get(203)).toMatchObject({ argv: ['vim', 'notes.txt'], cmdline: 'vim notes.txt', cpuTicks: 10, pgrp: 203, state: 'S' });
    // only the socket the session processes hold; 5002 is in no TCP table (a unix socket)
    expect(pids(snap.sockets)).toEqual([5001]);
    expect(snap.sockets.get(5001)).toMatchObject({ local: { address: '127.0.0.1', port: 22 }, remote: { address: '127.0.0.1', port: 50000 }, state: 1, timer: 2 });
    expect(snap.btime).toBe(1795554950);
    expect(snap.clkTck).toBe(100);
    expect(snap.ttyAtimes.get('pts/3')).toBeCloseTo(NOW - 90_000, -1);
    expect(snap.ttyAtimes.get('pts/4')).toBeCloseTo(NOW - 5_000, -1);
    expect(snap.users.get(1000)).toBe('alice');
    expect(snap.sshConnection.size).toBe(0); // sockets were readable: no environ fallback needed
    expect(snap).toMatchObject({ source: 'proc', missing: [], notices: [], tmuxClientTtys: null });
  });

  it('counts ages from /proc/uptime: exact to the hundredth, and right after the wall clock is stepped', () => {
    const fake = newTree();
    // btime is cut to a whole second; the machine really booted 0.63 s later than it says
    fake.setBtime(1795554950);
    const reader = readerFor(fake);
    const ageOf = (snap: ReturnType<ProcReader['read']>, pid: number) => snap.takenAt - Math.round((snap.btime + (snap.procs.get(pid)?.startTicks ?? 0) / 100) * 1000);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date((1795554950 + 0.63 + 20) * 1000));
      writeFileSync(join(fake.procRoot, 'uptime'), '20.00 35.10\n');
      const first = reader.read();
      expect(first.btime).toBeCloseTo(1795554950.63, 6);
      // pid 200 started 9.00 s after boot (900 ticks): 11.00 s ago, not 11.63
      expect(ageOf(first, 200)).toBe(11_000);
      // NTP steps the clock an hour forward while the machine runs on: ages do not jump
      vi.setSystemTime(new Date((1795554950 + 0.63 + 21 + 3600) * 1000));
      writeFileSync(join(fake.procRoot, 'uptime'), '21.00 37.00\n');
      expect(ageOf(reader.read(), 200)).toBe(12_000);
    } finally {
      vi.useRealTimers();
    }
    // a captured tree without an uptime file keeps its btime
    unlinkSync(join(fake.procRoot, 'uptime'));
    expect(readerFor(fake).read().btime).toBe(1795554950);
  });

  it("always reads the caller's ancestors, and the attached clients of the caller's tmux server", () => {
    const fake = newTree((f) => {
      sessionTree(f);
      f.add({ pid: 600, ppid: 1, comm: 'tmux: server', argv: ['tmux'], uid: 1000, startTicks: 960, fds: { 0: '/dev/null', 5: '/dev/pts/4', 6: '/dev/pts/7', 7: '/dev/ptmx', 8: 'socket:[7000]' } });
      f.add({ pid: 601, ppid: 600, comm: 'bash', argv: ['-bash'], uid: 1000, startTicks: 961 });
      f.add({ pid: 602, ppid: 601, comm: 'node', argv: ['node', 'sshtop'], uid: 1000, startTicks: 962 });
    });
    const snap = readerFor(fake, { selfPid: 602, tmux: '/tmp/tmux-1000/default,600,0' }).read();
    expect(pids(snap.procs)).toEqual([1, 100, 200, 201, 202, 203, 600, 601, 602]);
    expect([...(snap.tmuxClientTtys ?? [])].sort()).toEqual(['pts/4', 'pts/7']);
    expect(readerFor(fake, { tmux: '/tmp/tmux-1000/default,999,0' }).read().tmuxClientTtys).toEqual([]);
  });

  it('decodes comm as UTF-8, a character cut by the 15-byte limit becoming U+FFFD', () => {
    // stat of a binary named 'ééééééééé': the kernel kept 15 bytes, the last one half of an é
    const comm = Buffer.from('c3a9c3a9c3a9c3a9c3a9c3a9c3a9c3', 'hex');
    const fake = newTree((f) => {
      sessionTree(f);
      f.add({ pid: 204, ppid: 202, comm, argv: ['./ééééééééé'], uid: 1000, startTicks: 990 });
    });
    const p = readerFor(fake).read().procs.get(204);
    expect(p?.comm).toBe('ééééééé\ufffd');
    expect(p?.argv).toEqual(['./ééééééééé']);
  });

  it('finds a Dropbear connection whose comm became a bare number, from its argv', () => {
    const fake = newTree((f) => {
      f.add({ pid: 700, ppid: 1, comm: 'dropbear', argv: ['/usr/sbin/dropbear', '-F', '-R'], uid: 0, startTicks: 30 });
      f.add({ pid: 701, ppid: 1, comm: '5', argv: ['/usr/sbin/dropbear', '-2', '5', '-F', '-R'], uid: 0, startTicks: 31 });
      f.add({ pid: 702, ppid: 701, comm: 'sh', argv: ['-sh'], uid: 1000, startTicks: 32 });
      f.add({ pid: 703, ppid: 1, comm: '7', argv: ['/usr/bin/python3'], uid: 0, startTicks: 33 });
    });
    expect(pids(readerFor(fake).read().procs)).toEqual([700, 701, 702]);
  });
});

describe('processes that vanish mid-scan', () => {
  it('drops a process that exits between the readdir of /proc and the read of its stat', () => {
    const fake = newTree();
    hooks.afterReaddir = (path) => {
      if (path !== fake.procRoot) return;
      hooks.afterReaddir = undefined;
      fake.remove(201);
    };
    const snap = readerFor(fake).read();
    // the shell under it is not reachable from an sshd any more, as when it is reparented
    expect(pids(snap.procs)).toEqual([100, 200]);
    expect(snap.notices).toEqual([]);
  });

  it('drops a process that exits between its stat and its status', () => {
    const fake = newTree();
    const status = join(fake.pidDir(201), 'status');
    hooks.beforeRead = (path) => {
      if (path !== status) return;
      hooks.beforeRead = undefined;
      fake.remove(201);
    };
    const snap = readerFor(fake).read();
    expect(pids(snap.procs)).toEqual([100, 200, 202, 203]);
    expect(snap.procs.get(202)?.ppid).toBe(201);
    expect(snap.notices).toEqual([]);
  });

  it('drops a process that exits while its fd directory is read', () => {
    const fake = newTree();
    const fdDir = join(fake.pidDir(200), 'fd');
    hooks.afterReaddir = (path) => {
      if (path !== fdDir) return;
      hooks.afterReaddir = undefined;
      fake.remove(200);
    };
    const snap = readerFor(fake).read();
    // readlink of each fd fails now: no sockets, no error
    expect(snap.procs.get(200)?.sockets).toEqual([]);
    expect(snap.notices).toEqual([]);
  });

  it('keeps a process whose status and cmdline are gone while its stat is still there', () => {
    const fake = newTree();
    unlinkSync(join(fake.pidDir(201), 'status'));
    unlinkSync(join(fake.pidDir(201), 'cmdline'));
    const snap = readerFor(fake).read();
    expect(snap.procs.get(201)).toMatchObject({ pid: 201, comm: 'sshd', uid: null, argv: [], cmdline: '' });
    expect(snap.notices).toEqual([]);
  });

  it.each([
    ['full', { fullScanMs: 0 }],
    ['walk', WALK],
  ] as const)('a second read drops a process that exited after the first (%s scans)', (scan, opts) => {
    const fake = newTree();
    const reader = readerFor(fake, opts);
    expect(pids(reader.read().procs)).toEqual([100, 200, 201, 202, 203]);
    fake.remove(203);
    const snap = reader.read();
    expect(reader.lastScan).toBe(scan);
    expect(pids(snap.procs)).toEqual([100, 200, 201, 202]);
    // the whole connection ends: monitor and everything under it
    fake.remove(202);
    fake.remove(201);
    fake.remove(200);
    expect(pids(reader.read().procs)).toEqual([100]);
  });
});

describe('the walk through task/*/children', () => {
  it('finds new children of session processes without listing /proc, from every thread', () => {
    const fake = newTree();
    const reader = readerFor(fake, WALK);
    reader.read();
    expect(reader.lastScan).toBe('full');
    fake.add({ pid: 204, ppid: 203, comm: 'sh', argv: ['sh', '-c', 'make'], uid: 1000, startTicks: 1000 });
    // forked by the monitor's second thread: only task/210/children lists it
    fake.add({ pid: 220, ppid: 200, parentTid: 210, comm: 'sshd', cmdlineRaw: 'sshd: alice [pam]\0', uid: 0, startTicks: 1001 });
    // a new listener elsewhere is not found by the walk
    fake.add({ pid: 800, ppid: 1, comm: 'sshd', argv: ['sshd: /usr/sbin/sshd -D -p 2222 [listener] 0 of 10-100 startups'], uid: 0, startTicks: 1002 });
    const snap = reader.read();
    expect(reader.lastScan).toBe('walk');
    expect(pids(snap.procs)).toEqual([100, 200, 201, 202, 203, 204, 220]);
    expect(snap.procs.get(220)?.argv).toEqual(['sshd: alice [pam]']);
  });

  it('a full scan hands each daemon at the top of a tree to daemonRoot as soon as it finds it', () => {
    const fake = newTree();
    fake.add({ pid: 800, ppid: 1, comm: 'sshd', argv: ['sshd: /usr/sbin/sshd -D -f /etc/ssh/other [listener] 0 of 10-100 startups'], uid: 0, startTicks: 1002 });
    fake.add({ pid: 801, ppid: 800, comm: 'sshd', cmdlineRaw: 'sshd: [accepted]\0', uid: 0, startTicks: 1003 });
    const reader = readerFor(fake, WALK);
    const seen: { pid: number; argv: string[]; procsReadBefore: number }[] = [];
    let read = 0;
    hooks.beforeRead = (path) => void (/\/comm$/.test(path) && read++);
    try {
      reader.read({ daemonRoot: (p) => seen.push({ pid: p.pid, argv: p.argv, procsReadBefore: read }) });
    } finally {
      hooks.beforeRead = undefined;
    }
    // the two listeners, not the processes below them, each read in depth (its title)
    expect(seen.map((x) => [x.pid, x.argv[0]])).toEqual([
      [100, 'sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups'],
      [800, 'sshd: /usr/sbin/sshd -D -f /etc/ssh/other [listener] 0 of 10-100 startups'],
    ]);
    // while the scan was under way: the first before the comm of the last pid was read
    expect(seen[0]?.procsReadBefore).toBeLessThan(read);
    // a walk finds no new tree, so it has nothing to hand over
    const later: number[] = [];
    reader.read({ daemonRoot: (p) => later.push(p.pid) });
    expect(reader.lastScan).toBe('walk');
    expect(later).toEqual([]);
  });

  it('lists /proc for new pids every newPidScanMs and picks up a new listener', () => {
    const fake = newTree();
    const reader = readerFor(fake, { fullScanMs: 1e12, newPidScanMs: 0 });
    reader.read();
    fake.add({ pid: 800, ppid: 1, comm: 'sshd', argv: ['sshd: /usr/sbin/sshd -D -p 2222 [listener] 0 of 10-100 startups'], uid: 0, startTicks: 1002 });
    fake.add({ pid: 801, ppid: 800, comm: 'sshd', cmdlineRaw: 'sshd: [accepted]\0', uid: 0, startTicks: 1003 });
    const snap = reader.read();
    expect(reader.lastScan).toBe('new-pids');
    expect(pids(snap.procs)).toEqual([100, 200, 201, 202, 203, 800, 801]);
  });

  it('scans everything again when a root listener changed its starttime (pid reused)', () => {
    const fake = newTree();
    const reader = readerFor(fake, WALK);
    reader.read();
    reader.read();
    expect(reader.lastScan).toBe('walk');
    // same pid, another process: its stat now shows another starttime
    fake.patchStat(100, { startTicks: 7777 });
    const snap = reader.read();
    expect(reader.lastScan).toBe('full');
    expect(snap.procs.get(100)?.startTicks).toBe(7777);
    reader.read();
    expect(reader.lastScan).toBe('walk');
  });

  it('scans everything again when a root listener exited (systemctl restart): sessions live on as orphans', () => {
    const fake = newTree();
    const reader = readerFor(fake, WALK);
    reader.read();
    fake.remove(100);
    fake.patchStat(200, { ppid: 1 });
    fake.add({ pid: 850, ppid: 1, comm: 'sshd', argv: ['sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups'], uid: 0, startTicks: 5000 });
    const snap = reader.read();
    expect(reader.lastScan).toBe('full');
    expect(pids(snap.procs)).toEqual([200, 201, 202, 203, 850]);
    expect(snap.procs.get(200)?.ppid).toBe(1);
  });
});

describe('garbage in /proc files', () => {
  it('never throws, whatever stat, status, cmdline, children, net/tcp, /proc/stat and passwd hold', () => {
    const fake = newTree();
    const walker = readerFor(fake, WALK);
    walker.read();
    const junk = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
      fc.array(fc.constantFrom(' ', '\n', '\0', '(', ')', '1', '-1', 'S', ':', 'Uid:', 'btime', '0100007F:0016', 'socket:[', ']', '99999999999999999999'), { maxLength: 40 }).map((t) => t.join('')),
    );
    const targets: [number | null, string][] = [
      [201, 'stat'],
      [100, 'stat'],
      [200, 'status'],
      [202, 'cmdline'],
      [200, 'task/210/children'],
      [100, 'task/100/children'],
      [202, 'environ'],
      [null, 'net/tcp'],
      [null, 'net/tcp6'],
      [null, 'stat'],
    ];
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...targets), junk), { minLength: 1, maxLength: 4 }), (writes) => {
        for (const [[pid, rel], content] of writes) {
          if (pid === null) writeFileSync(join(fake.procRoot, rel), content);
          else fake.write(pid, rel, content);
        }
        writeFileSync(fake.passwdPath, writes[0]?.[1] ?? '');
        for (const snap of [readerFor(fake).read(), walker.read()]) {
          for (const p of snap.procs.values()) {
            expect(Number.isInteger(p.pid) && Number.isInteger(p.ppid) && Number.isInteger(p.startTicks)).toBe(true);
            expect(p.argv.every((a) => typeof a === 'string')).toBe(true);
          }
          for (const [inode, s] of snap.sockets) expect(s.inode).toBe(inode);
          expect(Number.isFinite(snap.btime)).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('the ps-list fallback', () => {
  it('is used when the proc root has no stat file, and says which fields it cannot give', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'sshtop-noproc-'));
    try {
      const source = createSource({ procRoot: empty });
      expect(source.kind).toBe('ps-list');
      const snap = await source.read();
      expect(snap.source).toBe('ps-list');
      expect(snap.missing).toEqual(PS_LIST_MISSING);
      expect(snap.missing).toEqual(expect.arrayContaining(['tty', 'remote', 'local', 'idle', 'sockets']));
      expect(snap.notices).toHaveLength(1);
      expect(snap.notices[0]).toContain('ps-list');
      expect(snap.procs.get(process.pid)?.ppid).toBe(process.ppid);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('is not used when the proc root has one', async () => {
    const fake = newTree();
    const source = createSource({ procRoot: fake.procRoot, devRoot: fake.devRoot, passwdPath: fake.passwdPath });
    expect(source.kind).toBe('proc');
    expect(pids((await source.read()).procs)).toEqual([100, 200, 201, 202, 203]);
  });
});

// ---- as an unprivileged user ---------------------------------------------------------------

/** run a script with ProcReader as uid 65534 (we are root) or as ourselves (we are not); its stdout is JSON */
function readAsUnprivileged(dir: string, opts: ReaderOptions, extra = ''): { uid: number; snaps: { procs: { pid: number; uid: number | null; sockets: number[] | null }[]; notices: string[]; sshConnection: [number, string][] }[]; [k: string]: unknown } {
  const script = join(dir, `reader-${Math.random().toString(36).slice(2)}.mts`);
  writeFileSync(
    script,
    `import { ProcReader } from ${JSON.stringify(join(REPO, 'src/proc/reader.ts'))};
const reader = new ProcReader(${JSON.stringify(opts)});
const snaps = [reader.read(), reader.read()].map((s) => ({
  procs: [...s.procs.values()].map((p) => ({ pid: p.pid, uid: p.uid, sockets: p.sockets })),
  notices: s.notices,
  sshConnection: [...s.sshConnection],
}));
const out = { uid: process.getuid(), pid: process.pid, snaps };
${extra}
console.log(JSON.stringify(out));
`,
  );
  chmodSync(script, 0o644);
  const cmd = IS_ROOT ? ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', process.execPath] : [process.execPath];
  const r = spawnSync(cmd[0] as string, [...cmd.slice(1), '--import', 'tsx', script], { cwd: REPO, encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`unprivileged reader failed (${r.status}): ${r.stderr}${r.error ?? ''}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string);
}

describe('files this user cannot read', () => {
  it('reads what it can, falls back to SSH_CONNECTION, and reports "not visible" once per read', () => {
    const fake = newTree();
    // as a non-root admin sees them: root's sshd processes keep status and fd dirs private
    fake.chmod(200, 'status', 0o000);
    fake.chmod(201, 'status', 0o000);
    fake.chmod(200, 'fd', 0o000);
    fake.chmod(201, 'fd', 0o000);
    const out = readAsUnprivileged(
      fake.dir,
      { procRoot: fake.procRoot, devRoot: fake.devRoot, passwdPath: fake.passwdPath },
      `try { (await import('node:fs')).readFileSync(${JSON.stringify(join(fake.pidDir(200), 'status'))}); out.direct = 'read'; } catch (e) { out.direct = e.code; }`,
    );
    expect(out.uid).not.toBe(0);
    expect(out.direct).toBe('EACCES'); // the denial is real, not simulated
    for (const snap of out.snaps) {
      const byPid = new Map(snap.procs.map((p) => [p.pid, p]));
      expect([...byPid.keys()].sort((a, b) => a - b)).toEqual([100, 200, 201, 202, 203]);
      expect(byPid.get(200)).toEqual({ pid: 200, uid: null, sockets: null });
      expect(byPid.get(201)).toEqual({ pid: 201, uid: null, sockets: null });
      expect(byPid.get(202)).toEqual({ pid: 202, uid: 1000, sockets: [] });
      expect(snap.sshConnection).toEqual([[202, '127.0.0.1 50000 127.0.0.1 22']]);
      expect(snap.notices).toHaveLength(1);
      expect(snap.notices[0]).toMatch(/not visible to this user/);
    }
  });

  it('reports it too when only the fd directories are private (no hidepid, plain non-root)', () => {
    const fake = newTree();
    fake.chmod(200, 'fd', 0o000);
    fake.chmod(201, 'fd', 0o000);
    const out = readAsUnprivileged(fake.dir, { procRoot: fake.procRoot, devRoot: fake.devRoot, passwdPath: fake.passwdPath });
    const [snap] = out.snaps;
    expect(snap?.procs.find((p) => p.pid === 201)?.sockets).toBeNull();
    expect(snap?.notices).toHaveLength(1);
    expect(snap?.notices[0]).toMatch(/not visible to this user/);
  });
});

// ---- a real procfs with hidepid=2 --------------------------------------------------------------

/** a second procfs mounted hidepid=2 in a temp dir, or why there is none (decided when the file loads) */
function mountHidepid(): { dir: string; mnt: string; why?: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sshtop-hidepid-'));
  const mnt = join(dir, 'proc');
  chmodSync(dir, 0o755);
  if (!IS_ROOT) return { dir, mnt, why: 'mounting a procfs needs root' };
  spawnSync('mkdir', ['-p', mnt]);
  const r = spawnSync('mount', ['-t', 'proc', '-o', 'hidepid=2', 'proc', mnt], { encoding: 'utf8' });
  return r.status === 0 ? { dir, mnt } : { dir, mnt, why: `mount -t proc -o hidepid=2 failed: ${(r.stderr || String(r.error)).trim()}` };
}

const hidepid = mountHidepid();
if (hidepid.why && IN_CI) throw new Error(`hidepid test cannot run under CI: ${hidepid.why}`);
if (hidepid.why) console.warn(`\n!!! SKIPPING the hidepid=2 reader test: ${hidepid.why}. Run the suite as root to cover it.\n`);

afterAll(() => {
  if (!existsSync(join(hidepid.mnt, 'self'))) rmSync(hidepid.dir, { recursive: true, force: true });
});

describe.runIf(hidepid.why === undefined)('a /proc mounted with hidepid=2', () => {
  const { dir, mnt } = hidepid;
  const children: ChildProcess[] = [];

  afterAll(() => {
    for (const c of children) if (c.pid !== undefined && c.exitCode === null) process.kill(c.pid, 'SIGKILL');
    spawnSync('umount', [mnt]);
  });

  it("shows the user's own processes, hides the others', and says so once", async () => {
    // two processes whose comm is `sshd`: one root's, one nobody's
    const bin = join(dir, 'sshd');
    copyFileSync('/bin/sleep', bin);
    chmodSync(bin, 0o755);
    const rootSshd = spawn(bin, ['120'], { stdio: 'ignore' });
    const nobodySshd = spawn('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', bin, '120'], { stdio: 'ignore' });
    children.push(rootSshd, nobodySshd);
    const rootPid = rootSshd.pid as number;
    const nobodyPid = nobodySshd.pid as number; // setpriv execs: same pid
    for (let i = 0; i < 100 && !readFileSync(`/proc/${nobodyPid}/stat`, 'latin1').includes('(sshd)'); i++) await new Promise((r) => setTimeout(r, 10));
    // both exist, and the new mount hides the root one from nobody only
    expect(readFileSync(`/proc/${rootPid}/stat`, 'latin1')).toContain('(sshd)');
    expect(readFileSync(`/proc/${nobodyPid}/stat`, 'latin1')).toContain('(sshd)');

    const out = readAsUnprivileged(dir, { procRoot: mnt, selfPid: 0 }, `out.selfVisible = (await import('node:fs')).existsSync(${JSON.stringify(mnt)} + '/' + process.pid);`);
    expect(out.uid).toBe(NOBODY);
    expect(out.selfVisible).toBe(true);
    for (const snap of out.snaps) {
      const seen = snap.procs.map((p) => p.pid);
      expect(seen).toContain(nobodyPid);
      expect(seen).not.toContain(rootPid);
      for (const p of snap.procs) expect(p.uid).toBe(NOBODY);
      // once: the hidepid notice, one line (other users' processes on a shared machine may add others)
      expect(snap.notices.filter((n) => /hidepid/.test(n)), snap.notices.join(' | ')).toHaveLength(1);
    }
    rootSshd.kill('SIGKILL');
    nobodySshd.kill('SIGKILL');
  });
});
