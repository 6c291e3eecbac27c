// Descriptors held on /proc/PID files: one per file, closed by a sweep when the pid is no longer
// wanted, and dropped when a read fails (the process ended).
import { readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { HeldFiles } from '../../src/proc/held-files.js';
import { FakeProcRoot } from '../support/fake-proc.js';

const fake = new FakeProcRoot();
afterAll(() => fake.dispose());
for (const pid of [10, 11, 12]) fake.add({ pid, ppid: 1, comm: `p${pid}`, argv: [`p${pid}`] });
const openFds = (): number => readdirSync('/proc/self/fd').length;

describe('HeldFiles', () => {
  it('holds one descriptor per file, closes those of pids a sweep does not keep, and drops a file that fails', () => {
    const held = new HeldFiles(fake.procRoot);
    const before = openFds();
    for (const pid of [10, 11, 12]) {
      expect(held.read(pid, 'stat', 'latin1')).toMatch(new RegExp(`^${pid} \\(p${pid}\\)`));
      held.read(pid, 'cmdline', 'latin1');
    }
    // read again through the same descriptors
    expect(held.read(11, 'cmdline', 'latin1')).toBe('p11\0');
    expect(held.size).toBe(6);
    expect(openFds() - before).toBe(6);
    held.sweep(new Set([10, 12]));
    expect(held.size).toBe(4);
    expect(openFds() - before).toBe(4);
    // a file that cannot be read (gone) is not held
    expect(() => held.read(12, 'nothing-here', 'latin1')).toThrow(/ENOENT/);
    expect(held.size).toBe(4);
    held.closeAll();
    expect(held.size).toBe(0);
    expect(openFds()).toBe(before);
  });
});
