// reap's memory of leftovers (src/act/leftover-memory.ts): appended whole, read back only from a
// safe file, the earliest sighting of each key kept.
import { chmodSync, linkSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { leftoverMemoryPath, readFirstSeen, recordFirstSeen } from '../../src/act/leftover-memory.js';

const tmp = mkdtempSync(join(tmpdir(), 'sshtop-memory-'));
chmodSync(tmp, 0o700);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(mkdtempSync(join(tmp, `d${n++}-`)), 'leftovers.log');

describe('leftover memory', () => {
  it('lives beside the audit log', () => {
    expect(leftoverMemoryPath('/var/log/sshtop/audit.log')).toBe('/var/log/sshtop/leftovers.log');
  });

  it('none yet: nothing seen, no warning', () => {
    expect(readFirstSeen(fresh())).toEqual({ seen: new Map() });
  });

  it('keeps the earliest sighting of each key, across runs', () => {
    const path = fresh();
    expect(recordFirstSeen(path, [{ key: 'b1/audit:7', at: 2000, user: 'alice', remote: '203.0.113.7:5000' }])).toBeUndefined();
    expect(recordFirstSeen(path, [{ key: 'b1/audit:7', at: 1000, user: 'alice', remote: null }, { key: 'b1/audit:8', at: 3000, user: 'bob', remote: null }])).toBeUndefined();
    expect(readFirstSeen(path).seen).toEqual(new Map([['b1/audit:7', 1000], ['b1/audit:8', 3000]]));
  });

  it('skips lines that are no record', () => {
    const path = fresh();
    writeFileSync(path, 'garbage\n{"key":1,"at":2}\n{"key":"k","at":"x"}\n{"key":"k","at":5}\n', { mode: 0o600 });
    expect(readFirstSeen(path).seen).toEqual(new Map([['k', 5]]));
  });

  it.each([
    ['a symlink', (p: string) => symlinkSync('/etc/passwd', p)],
    ['a second hard link', (p: string) => {
      writeFileSync(p, '{"key":"k","at":1}\n', { mode: 0o600 });
      linkSync(p, `${p}.2`);
    }],
    ['writable by others', (p: string) => {
      writeFileSync(p, '{"key":"k","at":1}\n', { mode: 0o600 });
      chmodSync(p, 0o666);
    }],
  ])('%s is not read, with a warning', (_what, make) => {
    const path = fresh();
    make(path);
    const r = readFirstSeen(path);
    expect(r.seen.size).toBe(0);
    expect(r.warning).toMatch(/not read/);
  });
});
