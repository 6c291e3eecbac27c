// Copies what sshtop reads of a live machine's SSH process trees into test/fixtures/<name>/, so
// the model can be tested on real layouts of daemons that cannot run everywhere:
//
//   proc/<pid>/{stat,status,cmdline,comm,cgroup,sessionid,loginuid}  as read, byte for byte
//   proc/<pid>/environ                             SSH_CONNECTION only (the rest may hold secrets)
//   proc/<pid>/fd/<n>, proc/<pid>/ns/net           symlinks with the same targets
//   proc/<pid>/task/<tid>/children
//   proc/net/tcp, proc/net/tcp6                    only the rows of the captured sockets
//   proc/stat                                      only the btime line
//   dev/pts/<n>                                    empty files; their atimes go to meta.json
//   passwd                                         only the users of the captured processes
//   meta.json                                      what ran, versions, date, ground truth
//
// CLI: npx tsx scripts/tools/capture-proc.ts <name> --root <pid> [--root <pid>…] [--meta <json file>]
//      captures each root, its descendants and (stat, and the captured ones among its children)
//      its parent: the listener, an inetd, or init above an orphan or a leftover. Of environ only
//      SSH_CONNECTION is kept (where a leftover came from); the rest may hold secrets.
//      npx tsx scripts/tools/capture-proc.ts derive <recipe>: builds one of the hand-made fixtures
//      (layouts that cannot run here) from a real capture, and stores only what it changes (an
//      overlay that test/support/fixtures.ts lays over the base); see DERIVATIONS.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filesUnder } from '../../test/support/fixtures.js';

export const FIXTURES = new URL('../../test/fixtures', import.meta.url).pathname;

/** one session as the ground truth of a capture records it (meta.json `expected.sessions`) */
export interface ExpectedSession {
  kind: string;
  pid: number;
  listenerPid: number | null;
  user: string | null;
  ttys: string[];
  remotePort: number;
  localPort: number;
  flags: string[];
  processes: { pid: number; role: string; comm: string; uid: number; cmdline: string }[];
}

export interface CaptureOptions {
  name: string;
  /** capture these processes with all their descendants */
  roots: number[];
  /** ground truth and description recorded by the caller (never computed by sshtop) */
  meta: Record<string, unknown>;
  procRoot?: string;
  devRoot?: string;
  passwdPath?: string;
  outDir?: string;
}

const PER_PID_FILES = ['stat', 'status', 'cmdline', 'comm', 'cgroup', 'sessionid', 'loginuid'];

function tryRead(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    // the process ended, or the file is not readable: the fixture lacks it as /proc would
    return undefined;
  }
}

function tryReadlink(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

function statFields(raw: string): string[] {
  return raw.slice(raw.lastIndexOf(')') + 2).split(' ');
}

/** children of every pid in the proc root, from the stat files (works without CONFIG_PROC_CHILDREN) */
function childrenMap(procRoot: string): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const name of readdirSync(procRoot)) {
    if (!/^\d+$/.test(name)) continue;
    const raw = tryRead(join(procRoot, name, 'stat'))?.toString('latin1');
    if (!raw) continue;
    const ppid = Number(statFields(raw)[1]);
    out.set(ppid, [...(out.get(ppid) ?? []), Number(name)]);
  }
  return out;
}

/** Capture the trees below `roots` into FIXTURES/<name>. Returns the fixture directory. */
export function captureProc(opts: CaptureOptions): string {
  const procRoot = opts.procRoot ?? '/proc';
  const devRoot = opts.devRoot ?? '/dev';
  const out = join(opts.outDir ?? FIXTURES, opts.name);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'proc', 'net'), { recursive: true });
  mkdirSync(join(out, 'dev', 'pts'), { recursive: true });

  const kids = childrenMap(procRoot);
  const tree = new Set<number>();
  const stack = [...opts.roots];
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    if (tree.has(pid)) continue;
    tree.add(pid);
    stack.push(...(kids.get(pid) ?? []));
  }
  // the parents of the roots tell a listener, an inetd and pid 1 apart: their stat and names only
  const parents = new Set<number>();
  for (const r of opts.roots) {
    const raw = tryRead(join(procRoot, String(r), 'stat'))?.toString('latin1');
    const ppid = raw ? Number(statFields(raw)[1]) : 0;
    if (ppid > 0 && !tree.has(ppid)) parents.add(ppid);
  }

  const inodes = new Set<number>();
  const ptys = new Set<string>();
  const uids = new Set<number>();
  const copyProcess = (pid: number, full: boolean) => {
    const src = join(procRoot, String(pid));
    const dst = join(out, 'proc', String(pid));
    mkdirSync(dst, { recursive: true });
    for (const f of PER_PID_FILES) {
      const buf = tryRead(join(src, f));
      if (buf !== undefined) writeFileSync(join(dst, f), buf);
    }
    const uid = /^Uid:\s+(\d+)/m.exec(tryRead(join(src, 'status'))?.toString('latin1') ?? '')?.[1];
    if (uid !== undefined) uids.add(Number(uid));
    if (!full) {
      // a parent's children file names only the captured ones: a walk from init finds the leftovers
      const mine = (kids.get(pid) ?? []).filter((c) => tree.has(c));
      mkdirSync(join(dst, 'task', String(pid)), { recursive: true });
      writeFileSync(join(dst, 'task', String(pid), 'children'), mine.map((c) => `${c} `).join(''));
      return;
    }
    const conn = tryRead(join(src, 'environ'))
      ?.toString('latin1')
      .split('\0')
      .find((e) => e.startsWith('SSH_CONNECTION='));
    if (conn !== undefined) writeFileSync(join(dst, 'environ'), `${conn}\0`, 'latin1');
    const stat = tryRead(join(src, 'stat'))?.toString('latin1');
    if (stat) {
      const ttyNr = Number(statFields(stat)[4]);
      const major = (ttyNr >> 8) & 0xfff;
      const minor = (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00);
      if (major >= 136 && major <= 143) ptys.add(String(minor + (major - 136) * 256));
    }
    mkdirSync(join(dst, 'fd'), { recursive: true });
    let fds: string[] = [];
    try {
      fds = readdirSync(join(src, 'fd'));
    } catch {
      // not readable: the fixture has an empty fd dir, as a non-root reader would see nothing
    }
    for (const fd of fds) {
      const target = tryReadlink(join(src, 'fd', fd));
      if (target === undefined) continue;
      symlinkSync(target, join(dst, 'fd', fd));
      const sock = /^socket:\[(\d+)\]$/.exec(target);
      if (sock) inodes.add(Number(sock[1]));
      const pts = /^\/dev\/pts\/(\d+)$/.exec(target);
      if (pts) ptys.add(pts[1] as string);
    }
    const ns = tryReadlink(join(src, 'ns', 'net'));
    if (ns !== undefined) {
      mkdirSync(join(dst, 'ns'), { recursive: true });
      symlinkSync(ns, join(dst, 'ns', 'net'));
    }
    let tids: string[] = [];
    try {
      tids = readdirSync(join(src, 'task'));
    } catch {
      // gone meanwhile
    }
    for (const tid of tids) {
      const children = tryRead(join(src, 'task', tid, 'children'));
      if (children === undefined) continue;
      mkdirSync(join(dst, 'task', tid), { recursive: true });
      writeFileSync(join(dst, 'task', tid, 'children'), children);
    }
  };
  for (const pid of tree) copyProcess(pid, true);
  for (const pid of parents) copyProcess(pid, false);

  // the TCP tables of the roots' network namespace, cut to the captured sockets
  const nsProc = opts.roots.find((r) => existsSync(join(procRoot, String(r), 'net', 'tcp')));
  for (const file of ['tcp', 'tcp6']) {
    const text = tryRead(nsProc === undefined ? join(procRoot, 'net', file) : join(procRoot, String(nsProc), 'net', file))?.toString('latin1') ?? '';
    const lines = text.split('\n');
    const kept = lines.slice(1).filter((l) => {
      const f = l.trim().split(/\s+/);
      return f.length >= 10 && inodes.has(Number(f[9]));
    });
    writeFileSync(join(out, 'proc', 'net', file), [lines[0] ?? '', ...kept].join('\n') + '\n');
  }
  const btime = /^btime \d+$/m.exec(tryRead(join(procRoot, 'stat'))?.toString('latin1') ?? '')?.[0];
  writeFileSync(join(out, 'proc', 'stat'), `${btime ?? 'btime 0'}\n`);

  // atimes do not survive git: they are recorded in meta.json and set again by the tests
  const ptsAtimes: Record<string, number> = {};
  for (const n of [...ptys].sort((a, b) => Number(a) - Number(b))) {
    writeFileSync(join(out, 'dev', 'pts', n), '');
    try {
      ptsAtimes[`pts/${n}`] = statSync(join(devRoot, 'pts', n)).atimeMs;
    } catch {
      // closed meanwhile
    }
  }

  const passwd = (tryRead(opts.passwdPath ?? '/etc/passwd')?.toString('utf8') ?? '')
    .split('\n')
    .filter((l) => uids.has(Number(l.split(':')[2])) && l.split(':').length >= 7);
  writeFileSync(join(out, 'passwd'), passwd.join('\n') + '\n');

  const meta = {
    name: opts.name,
    capturedAt: new Date().toISOString(),
    kernel: spawnSync('uname', ['-r'], { encoding: 'utf8' }).stdout.trim(),
    roots: opts.roots,
    capturedPids: [...tree].sort((a, b) => a - b),
    parentPids: [...parents].sort((a, b) => a - b),
    ptsAtimes,
    ...opts.meta,
  };
  writeFileSync(join(out, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
  return out;
}

// ---------------------------------------------------------------------------------------------
// Hand-made fixtures: layouts sshtop must read that cannot run on this machine, derived from a
// real capture by the smallest edit that turns one into the other. Each says so in its meta.

interface Derivation {
  from: string;
  why: string;
  apply(dir: string, meta: Record<string, unknown>): void;
}

function editStat(dir: string, pid: number, edit: (comm: string, fields: string[]) => [string, string[]]): void {
  const path = join(dir, 'proc', String(pid), 'stat');
  const raw = readFileSync(path, 'latin1');
  const [comm, fields] = edit(raw.slice(raw.indexOf('(') + 1, raw.lastIndexOf(')')), statFields(raw));
  writeFileSync(path, `${raw.slice(0, raw.indexOf('('))}(${comm}) ${fields.join(' ')}`, 'latin1');
}

function pidsWithComm(dir: string, comm: string): number[] {
  return readdirSync(join(dir, 'proc'))
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .filter((pid) => readFileSync(join(dir, 'proc', String(pid), 'comm'), 'utf8').trim() === comm);
}

export const DERIVATIONS: Record<string, Derivation> = {
  // 9.8 and 9.9 split off sshd-session but had no sshd-auth: the pre-auth child is a fork of
  // sshd-session (same comm, `sshd-session: [net]` / `sshd-session: alice [net]` titles)
  'openssh-9.8-layout': {
    from: 'openssh-10.0p1',
    why: 'OpenSSH 9.8/9.9 (sshd-session without sshd-auth) is not in the Debian archive reachable here',
    apply(dir, meta) {
      for (const pid of pidsWithComm(dir, 'sshd-auth')) {
        const p = join(dir, 'proc', String(pid));
        writeFileSync(join(p, 'comm'), 'sshd-session\n');
        const title = readFileSync(join(p, 'cmdline'), 'latin1').replace(/\0+$/, '');
        // 9.8's privsep child keeps the `[net]` title; 10.x's `[session-auth]` did not exist yet
        const next = title === 'sshd-auth: [session-auth]' ? 'sshd-session: [net]' : title.replace(/^sshd-auth: /, 'sshd-session: ');
        writeFileSync(join(p, 'cmdline'), `${next}\0`, 'latin1');
        editStat(dir, pid, (_c, f) => ['sshd-session', f]);
      }
      meta.daemon = { name: 'OpenSSH', version: '9.8p1 (hand-made from the 10.0p1 capture: sshd-auth processes renamed sshd-session)' };
      replaceInExpected(meta, 'sshd-auth: ', 'sshd-session: ');
      replaceInExpected(meta, '"comm":"sshd-auth"', '"comm":"sshd-session"');
      replaceInExpected(meta, 'sshd-session: [session-auth]', 'sshd-session: [net]');
    },
  },
  // Dropbear >= 2022.82 re-executes itself per connection; on kernels where that leaves the comm
  // as the fd number (fexecve of an O_CLOEXEC fd), comm is a bare number: only argv[0] tells
  'dropbear-numeric-comm': {
    from: 'dropbear-2022.83',
    why: 'this kernel names the re-executed Dropbear `dropbear`; older ones give the fd number as comm',
    apply(dir, meta) {
      const listener = (meta.listenerPid as number | undefined) ?? -1;
      const renamed = new Map<number, string>();
      for (const pid of pidsWithComm(dir, 'dropbear')) {
        if (pid === listener) continue;
        const fd = readFileSync(join(dir, 'proc', String(pid), 'cmdline'), 'latin1').split('\0').filter(Boolean).pop() ?? '5';
        writeFileSync(join(dir, 'proc', String(pid), 'comm'), `${fd}\n`);
        editStat(dir, pid, (_c, f) => [fd, f]);
        renamed.set(pid, fd);
      }
      const expected = meta.expected as { sessions: { processes: { pid: number; comm: string }[] }[] };
      for (const s of expected.sessions) for (const p of s.processes) p.comm = renamed.get(p.pid) ?? p.comm;
      meta.daemon = { name: 'Dropbear', version: '2022.83 (hand-made: connection processes given a numeric comm, as after fexecve on older kernels)' };
    },
  },
  // systemd socket activation (ssh.socket with Accept=yes): one `sshd -i` per connection, a child
  // of pid 1 in its own ssh@….service cgroup, no listener at all
  'systemd-accept': {
    from: 'inetd-openssh-9.2',
    why: 'no systemd here (pid 1 is not systemd); the per-connection cgroup is what Debian\'s ssh.socket gives',
    apply(dir, meta) {
      const inetd = (meta.activatorPid as number | undefined) ?? -1;
      const expected = (meta.expected as { sessions: { pid: number; remotePort: number; localPort: number; user: string | null; processes: { pid: number; uid: number }[] }[] }).sessions;
      expected.forEach((s, i) => {
        editStat(dir, s.pid, (c, f) => {
          f[1] = '1';
          return [c, f];
        });
        // pre-auth the connection sits in its own service cgroup; pam_systemd moves a logged-in
        // one (the monitor, which opens the PAM session, and all it forks) to a logind scope
        const unit = `system.slice/system-ssh.slice/ssh@${i}-127.0.0.1:${s.localPort}-127.0.0.1:${s.remotePort}.service`;
        const uid = s.processes.find((p) => p.uid !== 0)?.uid ?? 0;
        const where = s.user === null ? unit : `user.slice/user-${uid}.slice/session-${i + 1}.scope`;
        for (const p of s.processes) writeFileSync(join(dir, 'proc', String(p.pid), 'cgroup'), `0::/${where}\n`);
      });
      rmSync(join(dir, 'proc', String(inetd)), { recursive: true, force: true });
      meta.activator = 'systemd ssh.socket Accept=yes (hand-made from the inetd capture: parent set to pid 1; cgroup: the per-connection ssh@.service before login, a logind session scope after)';
      meta.parentPids = [];
    },
  },
};

function replaceInExpected(meta: Record<string, unknown>, from: string, to: string): void {
  meta.expected = JSON.parse(JSON.stringify(meta.expected).split(from).join(to));
}

/** the hand-made layout `recipe` in full at `into/recipe`: its base copied, the recipe applied */
export function deriveFull(recipe: string, into: string): string {
  const d = DERIVATIONS[recipe];
  if (!d) throw new Error(`no recipe ${recipe}; known: ${Object.keys(DERIVATIONS).join(', ')}`);
  const dst = join(into, recipe);
  rmSync(dst, { recursive: true, force: true });
  cpSync(join(FIXTURES, d.from), dst, { recursive: true, verbatimSymlinks: true });
  const meta = JSON.parse(readFileSync(join(dst, 'meta.json'), 'utf8')) as Record<string, unknown>;
  d.apply(dst, meta);
  const out = { ...meta, name: recipe, handMade: { from: d.from, why: d.why, derivedAt: new Date().toISOString() } };
  writeFileSync(join(dst, 'meta.json'), JSON.stringify(out, null, 2) + '\n');
  return dst;
}

/** a file of one layout and the same path in another hold the same bytes (or symlink target) */
function sameEntry(a: string, b: string): boolean {
  const la = lstatSync(a, { throwIfNoEntry: false });
  const lb = lstatSync(b, { throwIfNoEntry: false });
  if (!la || !lb || la.isSymbolicLink() !== lb.isSymbolicLink()) return false;
  return la.isSymbolicLink() ? readlinkSync(a) === readlinkSync(b) : readFileSync(a).equals(readFileSync(b));
}

/**
 * Derive `recipe` and store it in FIXTURES as an overlay on its base: the files it changes, its
 * meta.json, and under `handMade.deleted` what it removes (test/support/fixtures.ts rebuilds it).
 */
export function deriveFixture(recipe: string): string {
  const tmp = mkdtempSync(join(tmpdir(), 'sshtop-derive-'));
  try {
    const full = deriveFull(recipe, tmp);
    const meta = JSON.parse(readFileSync(join(full, 'meta.json'), 'utf8')) as { handMade: { from: string; deleted?: string[] } };
    const base = join(FIXTURES, meta.handMade.from);
    const changed = filesUnder(full).filter((rel) => rel !== 'meta.json' && !sameEntry(join(full, rel), join(base, rel)));
    const added = changed.filter((rel) => !lstatSync(join(base, rel), { throwIfNoEntry: false }));
    // the overlay only edits and deletes: a file it adds could not tell a stale base from a new file
    if (added.length > 0) throw new Error(`recipe ${recipe} adds ${added.join(', ')}: only edits and deletions can be stored`);
    // a removed directory is recorded once, as the topmost path the derivation lacks
    const deleted = new Set<string>();
    for (const rel of filesUnder(base)) {
      if (lstatSync(join(full, rel), { throwIfNoEntry: false })) continue;
      const parts = rel.split('/');
      const top = parts.findIndex((_, i) => !lstatSync(join(full, ...parts.slice(0, i + 1)), { throwIfNoEntry: false }));
      deleted.add(parts.slice(0, top + 1).join('/'));
    }
    if (deleted.size > 0) meta.handMade.deleted = [...deleted].sort();
    const dst = join(FIXTURES, recipe);
    rmSync(dst, { recursive: true, force: true });
    mkdirSync(dst, { recursive: true });
    writeFileSync(join(dst, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
    for (const rel of changed) cpSync(join(full, rel), join(dst, rel), { recursive: true, verbatimSymlinks: true });
    return dst;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function main(argv: string[]): void {
  if (argv[0] === 'derive') {
    for (const r of argv.slice(1)) console.log(deriveFixture(r));
    return;
  }
  const name = argv[0];
  const roots: number[] = [];
  let meta: Record<string, unknown> = {};
  for (let i = 1; i < argv.length; i++) {
    if (argv[i] === '--root') roots.push(Number(argv[++i]));
    else if (argv[i] === '--meta') meta = JSON.parse(readFileSync(argv[++i] as string, 'utf8')) as Record<string, unknown>;
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (!name || roots.length === 0 || roots.some((r) => !Number.isInteger(r) || r <= 0)) {
    throw new Error('usage: capture-proc.ts <name> --root <pid> [--root <pid>…] [--meta <file>] | derive <recipe>…');
  }
  console.log(captureProc({ name, roots, meta }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  }
}
