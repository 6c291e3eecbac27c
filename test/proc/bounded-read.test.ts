// Config paths come from outside sshtop: no FIFO, device or huge file may hang it or eat memory.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_CONFIG_BYTES, readRegularFile } from '../../src/proc/bounded-read.js';
import { readConfigFiles, readPolicy } from '../../src/proc/policy.js';

const dir = mkdtempSync(join(tmpdir(), 'sshtop-bounded-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fifo(name: string): string {
  const path = join(dir, name);
  expect(spawnSync('mkfifo', [path]).status).toBe(0);
  return path;
}

describe('readRegularFile', () => {
  it('reads a regular file whole', () => {
    writeFileSync(join(dir, 'cfg'), 'ClientAliveInterval 30\n');
    expect(readRegularFile(join(dir, 'cfg'))).toEqual({ ok: true, text: 'ClientAliveInterval 30\n', truncated: false });
  });
  // each of these hung or exhausted the reader before (a blocking open, or a read to EOF)
  it.each([
    ['a FIFO nobody writes', () => fifo('f1')],
    ['a symlink to a FIFO', () => (symlinkSync(fifo('f2'), join(dir, 'l2')), join(dir, 'l2'))],
    ['/dev/zero', () => '/dev/zero'],
    ['/dev/tty-like character device /dev/null', () => '/dev/null'],
    ['a directory', () => dir],
  ])('refuses %s without blocking', (_, make) => {
    const r = readRegularFile(make());
    expect(r.ok).toBe(false);
  });
  it('reads at most the bound of a huge file', () => {
    const big = join(dir, 'big');
    writeFileSync(big, Buffer.alloc(MAX_CONFIG_BYTES + 4096, 0x41));
    const r = readRegularFile(big);
    expect(r.ok && r.text.length).toBe(MAX_CONFIG_BYTES);
    expect(r.ok && r.truncated).toBe(true);
  });
});

describe('policy from a hostile config path', () => {
  it('a listener whose -f names a FIFO gives an unknown policy, at once, and runs no sshd -T', async () => {
    const path = fifo('cfg-fifo');
    expect(readConfigFiles(path)).toBeNull();
    // useSshdT with a binary that would record being run: it must not be
    const marker = join(dir, 'ran');
    const fake = join(dir, 'fake-sshd');
    writeFileSync(fake, `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
    const p = await readPolicy({ listenerCommand: `sshd: /usr/sbin/sshd -D -f ${path} [listener] 0 of 10-100 startups`, useSshdT: true, sshdPath: fake });
    expect(p.source).toBe('unknown');
    expect(spawnSync('test', ['-e', marker]).status).not.toBe(0);
  });
  it('Include depth is bounded: a file that includes itself', () => {
    const cfg = join(dir, 'loop.conf');
    writeFileSync(cfg, `Include ${cfg}\nClientAliveInterval 7\n`);
    expect(readConfigFiles(cfg)?.get('clientaliveinterval')).toBe('7');
  });
  it('Include fan-out is bounded: 10 files each including 10 more are not all read', () => {
    const fan = join(dir, 'fan');
    mkdirSync(join(fan, 'a'), { recursive: true });
    mkdirSync(join(fan, 'b'));
    for (let i = 0; i < 10; i++) {
      writeFileSync(join(fan, 'a', `${i}.conf`), `Include ${fan}/b/*.conf\nKeyA${i} yes\n`);
      writeFileSync(join(fan, 'b', `${i}.conf`), `KeyB${i} yes\n`);
    }
    writeFileSync(join(fan, 'main.conf'), `Include ${fan}/a/*.conf\n`);
    const values = readConfigFiles(join(fan, 'main.conf'));
    // 1 + 10 × (1 + 10) = 111 files without a budget; 64 with it: the first five a files and part of the sixth
    expect(values?.get('keya0')).toBe('yes');
    expect(values?.has('keya9')).toBe(false);
  });
});
