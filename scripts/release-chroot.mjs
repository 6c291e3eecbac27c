#!/usr/bin/env node
// A fresh Debian server for the .deb: a minimal bookworm root made by debootstrap from the archive
// this machine's apt uses (no Node in it), cached as a tarball under /var/cache/sshtop-lab/ keyed
// by the debootstrap arguments, unpacked into a temp dir per run. Commands run in it with chroot,
// with /proc, /dev and /dev/pts bound from the host (sshtop there sees the host's processes and
// sessions, as on a server). Used by test/release/deb.e2e.test.ts; by hand:
//
//   node scripts/release-chroot.mjs dist/release/sshtop_<v>_amd64.deb   install, run, remove
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, copyFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CACHE = process.env.SSHTOP_LAB_ROOT_CACHE ?? '/var/cache/sshtop-lab';

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${(r.stderr || r.stdout || '').trim().slice(-3000)}`);
  return r.stdout;
}

/** the mirror the host's apt uses (deb.debian.org unless it says otherwise) */
export function debianMirror() {
  const texts = [];
  for (const f of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) if (existsSync(f)) texts.push(readFileSync(f, 'utf8'));
  const all = texts.join('\n');
  const m = /^URIs:\s*(\S+\/debian)\/?\s*$/m.exec(all) ?? /^deb\s+(?:\[[^\]]*\]\s+)?(\S+\/debian)\/?\s+\S+\s+main/m.exec(all);
  return m?.[1] ?? 'http://deb.debian.org/debian';
}

/** why this machine cannot make the root, or undefined */
export function cannotRun() {
  if (process.getuid?.() !== 0) return 'not root (chroot, mount and debootstrap need root)';
  if (process.platform !== 'linux') return 'not Linux';
  if (!existsSync('/usr/sbin/debootstrap')) {
    const r = spawnSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap'], { encoding: 'utf8' });
    if (r.status !== 0 || !existsSync('/usr/sbin/debootstrap')) return `debootstrap is missing and could not be installed: ${(r.stderr ?? '').trim().slice(-300)}`;
  }
  return undefined;
}

export function debootstrapArgs(arch = 'amd64') {
  return ['--variant=minbase', `--arch=${arch}`, 'bookworm', '@ROOT@', debianMirror()];
}

/** the cached root tarball, made on first use (a few minutes) */
export function ensureRootTarball(arch = 'amd64') {
  const args = debootstrapArgs(arch);
  const key = createHash('sha256').update(args.join('\0')).digest('hex').slice(0, 16);
  const tgz = join(CACHE, `debootstrap-bookworm-minbase-${arch}-${key}.tar.gz`);
  if (existsSync(tgz)) return tgz;
  mkdirSync(CACHE, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'sshtop-debootstrap-'));
  try {
    sh('debootstrap', args.map((a) => (a === '@ROOT@' ? join(dir, 'root') : a)), { stdio: ['ignore', 'ignore', 'pipe'] });
    // apt caches are not part of a server
    sh('sh', ['-c', 'rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*_Packages', 'clean', join(dir, 'root')]);
    sh('tar', ['-czf', `${tgz}.part`, '-C', join(dir, 'root'), '.']);
    renameSync(`${tgz}.part`, tgz);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return tgz;
}

/** a fresh root from the cache, with /proc, /dev and /dev/pts bound in; close() unmounts and deletes */
export function openRoot(arch = 'amd64') {
  const tgz = ensureRootTarball(arch);
  const dir = mkdtempSync(join(tmpdir(), 'sshtop-chroot-'));
  const root = join(dir, 'root');
  mkdirSync(root);
  const mounts = [];
  const close = () => {
    for (const m of mounts.reverse()) spawnSync('umount', ['-l', m]);
    mounts.length = 0;
    // only once nothing is mounted under it
    const still = readFileSync('/proc/self/mounts', 'utf8').split('\n').some((l) => l.split(' ')[1]?.startsWith(root));
    if (!still) rmSync(dir, { recursive: true, force: true });
    else throw new Error(`mounts left under ${root}: not deleting it`);
  };
  try {
    sh('tar', ['-xzf', tgz, '-C', root]);
    const bind = (src, dst, ro) => {
      sh('mount', ['--bind', src, join(root, dst)]);
      mounts.push(join(root, dst));
      if (ro) sh('mount', ['-o', 'remount,bind,ro', join(root, dst)]);
    };
    mkdirSync(join(root, 'proc'), { recursive: true });
    bind('/proc', 'proc', false);
    bind('/dev', 'dev', true);
    bind('/dev/pts', 'dev/pts', false);
    // name resolution is not needed; the host name is
    copyFileSync('/etc/hostname', join(root, 'etc/hostname'));
  } catch (e) {
    close();
    throw e;
  }
  /** run a shell command in the root as root, with a server's environment */
  const run = (command, opts = {}) =>
    spawnSync('chroot', [root, '/bin/sh', '-c', command], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
      env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', HOME: '/root', TERM: 'dumb', ...opts.env },
      timeout: opts.timeout ?? 60_000,
    });
  /** every path in the root outside the virtual file systems, with type: the list dpkg -r is judged by */
  const files = () =>
    sh('chroot', [root, 'find', '/', '-xdev', '(', '-path', '/proc', '-o', '-path', '/dev', '-o', '-path', '/tmp', '-o', '-path', '/var/cache', '-o', '-path', '/var/lib/dpkg', '-o', '-path', '/var/log/apt', '-o', '-path', '/var/log/dpkg.log', '-o', '-path', '/run', ')', '-prune', '-o', '-printf', '%y %p\\n'])
      .split('\n')
      .filter(Boolean)
      .sort();
  return { root, run, files, close, copyIn: (file) => (copyFileSync(file, join(root, 'tmp', basename(file))), `/tmp/${basename(file)}`) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const deb = process.argv[2];
  const why = cannotRun();
  if (why) {
    console.error(`release-chroot: ${why}`);
    process.exit(1);
  }
  console.log(`release-chroot: root ${ensureRootTarball()}`);
  if (deb) {
    const r = openRoot();
    try {
      const inRoot = r.copyIn(deb);
      for (const c of [`dpkg -i ${inRoot}`, 'sshtop --version', 'sshtop --once', 'sshtop --json | head -c 400', 'sshtop reap --idle 1s', 'dpkg -r sshtop']) {
        const o = r.run(c);
        console.log(`$ ${c}  (exit ${o.status})\n${o.stdout}${o.stderr}`);
      }
    } finally {
      r.close();
    }
  }
}
