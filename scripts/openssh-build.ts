// Builds a real upstream OpenSSH (10.x: sshd → sshd-session → sshd-auth) from Debian's copy of
// the release tarball, so the suites can run sessions on a release this machine does not ship.
//
//   const ossh = await buildOpenssh();         // cached: a finished build is reused
//   await startLab({ sshd: ossh.sshd });       // lab.ts runs it like the system's sshd
//
// The tarball's sha256 is pinned; the build goes to a cache outside the repo when root
// (/var/cache/sshtop-lab, kept across CI clones on the same machine), else to .lab/ (gitignored).
// Also runnable on its own: `npx tsx scripts/openssh-build.ts [version]` prints the sshd path.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface OpensshRelease {
  version: string;
  /** sha256 of openssh_<version>.orig.tar.gz (Debian's copy of upstream's openssh-<version>.tar.gz) */
  sha256: string;
}

// pinned when first fetched; a different download is refused, never built
export const OPENSSH_RELEASES: Record<string, OpensshRelease> = {
  '10.0p1': { version: '10.0p1', sha256: '021a2e709a0edf4250b1256bd5a9e500411a90dddabea830ed59cef90eb9d85c' },
  '10.3p1': { version: '10.3p1', sha256: '56682a36bb92dcf4b4f016fd8ec8e74059b79a8de25c15d670d731e7d18e45f4' },
};
/** the newest release Debian's pool holds (checked by hand; 10.1p1 and 10.2p1 are not there) */
export const OPENSSH_LATEST = '10.3p1';

const POOL = 'http://deb.debian.org/debian/pool/main/o/openssh';
const REPO = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
// the configure line is part of the cache key: a changed line means a new build
const CONFIGURE = (prefix: string) => [
  `--prefix=${prefix}`,
  '--with-privsep-path=/run/sshd',
  '--with-privsep-user=sshd',
  '--with-pam',
  '--without-zlib-version-check',
  '--disable-strip',
];
// -dev packages the build needs; a fresh Debian CI machine may lack them
const BUILD_DEPS: [string, string][] = [
  ['/usr/include/openssl/evp.h', 'libssl-dev'],
  ['/usr/include/zlib.h', 'zlib1g-dev'],
  ['/usr/include/security/pam_appl.h', 'libpam0g-dev'],
  ['/usr/bin/make', 'make'],
  ['/usr/bin/cc', 'gcc'],
];

export interface OpensshBuild {
  version: string;
  prefix: string;
  sshd: string;
  sshdSession: string;
  sshdAuth: string;
  /** seconds the build took, 0 when a finished build was reused */
  builtSeconds: number;
}

export function cacheRoot(): string {
  if (process.env.SSHTOP_LAB_CACHE) return process.env.SSHTOP_LAB_CACHE;
  return process.getuid?.() === 0 ? '/var/cache/sshtop-lab' : join(REPO, '.lab', 'cache');
}

function run(cmd: string, args: string[], cwd: string, log: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const fd = openSync(log, 'a');
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', fd, fd] });
    child.on('error', (e) => {
      closeSync(fd);
      reject(e);
    });
    child.on('exit', (code) => {
      closeSync(fd);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} failed (exit ${code}); see ${log}`));
    });
  });
}

function installMissingDeps(): void {
  const missing = BUILD_DEPS.filter(([file]) => !existsSync(file)).map(([, pkg]) => pkg);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) throw new Error(`building OpenSSH needs ${missing.join(', ')} (not root: cannot install)`);
  const r = spawnSync('sh', ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing.join(' ')}`], { stdio: 'inherit' });
  const still = BUILD_DEPS.filter(([file]) => !existsSync(file)).map(([, pkg]) => pkg);
  if (r.status !== 0 || still.length > 0) throw new Error(`apt-get install ${missing.join(' ')} failed (${r.status})`);
}

async function download(release: OpensshRelease, dest: string): Promise<void> {
  const sum = (buf: Buffer) => createHash('sha256').update(buf).digest('hex');
  if (existsSync(dest) && sum(readFileSync(dest)) === release.sha256) return;
  const url = `${POOL}/openssh_${release.version}.orig.tar.gz`;
  const res = await fetch(url);
  if (!res.ok) throw new Error(`download ${url}: HTTP ${res.status}`);
  const buf = Buffer.from(await res.arrayBuffer());
  const got = sum(buf);
  if (got !== release.sha256) throw new Error(`${url}: sha256 ${got}, expected the pinned ${release.sha256}`);
  writeFileSync(`${dest}.part`, buf);
  renameSync(`${dest}.part`, dest);
}

/** one builder at a time per cache (two suites may ask at once); a dead holder's lock is taken over */
async function withLock<T>(lock: string, fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch {
      const holder = Number(readFileSync(lock, 'utf8').trim());
      let holderAlive = false;
      try {
        process.kill(holder, 0);
        holderAlive = holder !== process.pid;
      } catch {
        holderAlive = false;
      }
      if (!holderAlive) rmSync(lock, { force: true });
      else await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

function finished(prefix: string, stamp: string): boolean {
  const f = join(prefix, '.sshtop-build');
  return existsSync(f) && readFileSync(f, 'utf8') === stamp && existsSync(join(prefix, 'sbin', 'sshd'));
}

/** Download (sha256-checked), build and install OpenSSH `version` into the cache; reuse a finished build. */
export async function buildOpenssh(version = OPENSSH_LATEST): Promise<OpensshBuild> {
  const release = OPENSSH_RELEASES[version];
  if (!release) throw new Error(`no pinned sha256 for OpenSSH ${version}`);
  const root = cacheRoot();
  mkdirSync(root, { recursive: true });
  const prefix = join(root, `openssh-${version}`);
  const stamp = JSON.stringify({ sha256: release.sha256, configure: CONFIGURE(prefix) });
  const result = (builtSeconds: number): OpensshBuild => ({
    version,
    prefix,
    sshd: join(prefix, 'sbin', 'sshd'),
    sshdSession: join(prefix, 'libexec', 'sshd-session'),
    sshdAuth: join(prefix, 'libexec', 'sshd-auth'),
    builtSeconds,
  });
  if (finished(prefix, stamp)) return result(0);

  return withLock(join(root, `openssh-${version}.lock`), async () => {
    if (finished(prefix, stamp)) return result(0);
    const started = Date.now();
    installMissingDeps();
    const tarball = join(root, `openssh_${version}.orig.tar.gz`);
    await download(release, tarball);
    const work = join(root, `build-${version}`);
    const staging = join(root, `staging-${version}`);
    const log = join(root, `build-${version}.log`);
    for (const d of [work, staging, prefix]) rmSync(d, { recursive: true, force: true });
    rmSync(log, { force: true });
    mkdirSync(work, { recursive: true });
    await run('tar', ['-xzf', tarball, '-C', work, '--strip-components=1'], work, log);
    await run('./configure', CONFIGURE(prefix), work, log);
    await run('make', [`-j${Math.max(2, Number(spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()) || 2)}`], work, log);
    // install-nokeys: no host keys in the prefix; the lab brings its own. Staged, then moved in
    // whole, so a half-installed prefix is never taken for a finished one.
    await run('make', ['install-nokeys', `DESTDIR=${staging}`], work, log);
    renameSync(join(staging, prefix), prefix);
    writeFileSync(join(prefix, '.sshtop-build'), stamp);
    for (const d of [work, staging]) rmSync(d, { recursive: true, force: true });
    return result(Math.round((Date.now() - started) / 1000));
  });
}

// `npx tsx scripts/openssh-build.ts [version]`: build (or find) it and print where it is
if (import.meta.url === `file://${process.argv[1]}`) {
  buildOpenssh(process.argv[2]).then(
    (b) => console.log(`${b.sshd} (OpenSSH ${b.version}${b.builtSeconds > 0 ? `, built in ${b.builtSeconds}s` : ', cached'})`),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exitCode = 1;
    },
  );
}
