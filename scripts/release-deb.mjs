#!/usr/bin/env node
// `npm run release:deb`: Debian packages (amd64, arm64) of the executables `npm run release` made,
// built with dpkg-deb alone (no debhelper): /usr/bin/sshtop, the man pages, bash and zsh
// completion, sshtop-reap.service + .timer (installed disabled) with their rules in the conffile
// /etc/default/sshtop. Maintainer scripts: packaging/debian/. Reproducible as the tarballs are
// (file times SOURCE_DATE_EPOCH, dpkg-deb honours it for the archive members).
//
//   node scripts/release-deb.mjs [x64|arm64 …]   → dist/release/sshtop_<version>_<arch>.deb
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, lstatSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { artifactName, DEB_ARCH, RELEASE_DIR, ROOT, sourceDateEpoch, VERSION } from './release.mjs';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
export const debPath = (arch) => join(RELEASE_DIR, `sshtop_${VERSION}_${DEB_ARCH[arch]}.deb`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${(r.stderr || r.stdout || '').trim().slice(-2000)}`);
  return r.stdout;
}

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

function put(root, path, content, mode = 0o644) {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  if (Buffer.isBuffer(content) || typeof content === 'string') writeFileSync(full, content);
  else copyFileSync(content.from, full);
  chmodSync(full, mode);
}

/** gzip -9n: no name, no time stamp in the header */
const gz = (file) => run('sh', ['-c', 'gzip -9n -c "$1"', 'gz', file], { encoding: 'buffer' });

const COPYRIGHT = (year) => `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: sshtop
Comment: /usr/bin/sshtop is sshtop's JavaScript, with the npm packages it bundles, compiled into
 one executable with the Bun runtime (bun build --compile). The licence of every bundled package
 and the runtime's are in /usr/share/doc/sshtop/THIRD-PARTY-LICENSES.gz.

Files: *
Copyright: ${year} the sshtop authors
License: Expat

License: Expat
 Permission is hereby granted, free of charge, to any person obtaining a copy of this software
 and associated documentation files (the "Software"), to deal in the Software without
 restriction, including without limitation the rights to use, copy, modify, merge, publish,
 distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the
 Software is furnished to do so, subject to the following conditions:
 .
 The above copyright notice and this permission notice shall be included in all copies or
 substantial portions of the Software.
 .
 THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING
 BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
 NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
 DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
 OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
`;

function changelog(epoch) {
  const date = run('date', ['-u', '-R', '-d', `@${epoch}`]).trim();
  return `sshtop (${VERSION}) unstable; urgency=medium\n\n  * Release ${VERSION}: see the project's history for the changes.\n\n -- sshtop maintainers <sshtop@users.noreply.github.com>  ${date}\n`;
}

export function buildDeb(arch) {
  const epoch = sourceDateEpoch();
  const art = join(RELEASE_DIR, artifactName(arch));
  if (!existsSync(join(art, 'sshtop'))) throw new Error(`${art}/sshtop is missing: run npm run release first`);
  const root = join(RELEASE_DIR, `.deb-${arch}`);
  rmSync(root, { recursive: true, force: true });

  put(root, 'usr/bin/sshtop', { from: join(art, 'sshtop') }, 0o755);
  for (const page of ['sshtop.1', 'sshtop-reap.1']) put(root, `usr/share/man/man1/${page}.gz`, gz(join(ROOT, 'man', page)));
  put(root, 'usr/share/bash-completion/completions/sshtop', { from: join(ROOT, 'completions', 'sshtop.bash') });
  put(root, 'usr/share/zsh/vendor-completions/_sshtop', { from: join(ROOT, 'completions', '_sshtop') });
  // bookworm's place for a package's units (usr-merged /usr/lib/systemd/system comes with trixie)
  put(root, 'lib/systemd/system/sshtop-reap.service', { from: join(ROOT, 'packaging', 'systemd', 'sshtop-reap.service') });
  put(root, 'lib/systemd/system/sshtop-reap.timer', { from: join(ROOT, 'packaging', 'systemd', 'sshtop-reap.timer') });
  put(root, 'etc/default/sshtop', { from: join(ROOT, 'packaging', 'default', 'sshtop') });
  put(root, 'usr/share/doc/sshtop/copyright', COPYRIGHT(new Date(epoch * 1000).getUTCFullYear()));
  const tmpChangelog = join(root, '.changelog');
  writeFileSync(tmpChangelog, changelog(epoch));
  put(root, 'usr/share/doc/sshtop/changelog.gz', gz(tmpChangelog));
  rmSync(tmpChangelog);
  put(root, 'usr/share/doc/sshtop/THIRD-PARTY-LICENSES.gz', gz(join(art, 'THIRD-PARTY-LICENSES.txt')));
  put(root, 'usr/share/lintian/overrides/sshtop', { from: join(ROOT, 'packaging', 'debian', 'lintian-overrides') });

  const files = walk(root).sort();
  const installedKb = Math.ceil(files.reduce((n, f) => n + statSync(f).size, 0) / 1024);
  const md5 = files
    .filter((f) => !relative(root, f).startsWith('etc/'))
    .map((f) => `${createHash('md5').update(readFileSync(f)).digest('hex')}  ${relative(root, f)}`)
    .join('\n');
  put(root, 'DEBIAN/md5sums', md5 + '\n');
  put(root, 'DEBIAN/conffiles', '/etc/default/sshtop\n');
  for (const s of ['postinst', 'prerm', 'postrm']) put(root, `DEBIAN/${s}`, { from: join(ROOT, 'packaging', 'debian', s) }, 0o755);
  put(
    root,
    'DEBIAN/control',
    [
      'Package: sshtop',
      `Version: ${VERSION}`,
      `Architecture: ${DEB_ARCH[arch]}`,
      'Maintainer: sshtop maintainers <sshtop@users.noreply.github.com>',
      `Installed-Size: ${installedKb}`,
      // the executable needs the C library only (Bun's runtime: GLIBC_2.17 at most)
      'Depends: libc6 (>= 2.17)',
      // ss (iproute2) gives idle times of sessions without a tty and dead-peer detection
      'Recommends: iproute2',
      'Section: admin',
      'Priority: optional',
      `Description: htop for SSH sessions`,
      ' sshtop shows every SSH session on a Linux server as a live process tree,',
      ' read from /proc. It marks your own session and the idle, stale, dead-peer',
      ' and unauthenticated ones, and ends exactly the right session with a few',
      ' keys, or by rule with sshtop reap (its systemd timer is installed disabled).',
      '',
    ].join('\n'),
  );
  // every file and folder at the same time: the archive depends on the contents alone
  run('sh', ['-c', 'find "$1" -exec touch -h -d "@$2" {} +', 'touch', root, String(epoch)]);
  for (const d of [root, ...walkDirs(root)]) chmodSync(d, 0o755);
  const out = debPath(arch);
  run('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', root, out], { env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch) } });
  rmSync(root, { recursive: true, force: true });
  return out;
}

function walkDirs(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !lstatSync(join(dir, e.name)).isSymbolicLink())
    .flatMap((e) => [join(dir, e.name), ...walkDirs(join(dir, e.name))]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arches = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(DEB_ARCH).filter((a) => existsSync(join(RELEASE_DIR, artifactName(a), 'sshtop')));
  try {
    for (const a of arches) console.log(`release-deb: ${relative(ROOT, buildDeb(a))}`);
  } catch (e) {
    console.error(`release-deb: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
