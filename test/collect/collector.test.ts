// The collector's early children: a one-shot starts `ss` before its read, and each listener's
// `sshd -T` as soon as the scan finds it (a hook of the read), only for a listener the model
// trusts (a user's fake listener's -f is never what root's sshd -T reads). The children are
// replaced by recorders; the read is the real reader over a fake /proc.
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCollector } from '../../src/collect/collector.js';
import { ProcReader } from '../../src/proc/reader.js';
import type { SnapshotSource } from '../../src/proc/source.js';
import { FakeProcRoot } from '../support/fake-proc.js';

const events = vi.hoisted(() => [] as string[]);
vi.mock('../../src/proc/policy.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/proc/policy.js')>();
  return {
    ...real,
    readPolicy: async (opts: { listenerCommand?: string } = {}) => {
      events.push(`sshd -T for ${real.configFileFor(opts.listenerCommand)}`);
      return { values: null, source: 'unknown', configFile: null, kernel: null };
    },
  };
});
vi.mock('../../src/proc/ss.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/proc/ss.js')>();
  return {
    ...real,
    runSs: async () => {
      events.push('ss');
      return null;
    },
  };
});

const fake = new FakeProcRoot();
afterAll(() => fake.dispose());
fake.add({ pid: 1, ppid: 0, comm: 'systemd', argv: ['/sbin/init'], uid: 0, startTicks: 1 });
fake.add({ pid: 100, ppid: 1, comm: 'sshd', argv: ['sshd: /usr/sbin/sshd -D -f /etc/ssh/main_config [listener] 0 of 10-100 startups'], uid: 0, startTicks: 500 });
fake.add({ pid: 200, ppid: 100, comm: 'sshd', cmdlineRaw: 'sshd: alice [priv]\0', uid: 0, startTicks: 900 });
// a user's process that calls itself a listener, with a config of the user's choosing
fake.add({ pid: 700, ppid: 1, comm: 'sshd', argv: ['sshd: /usr/sbin/sshd -D -f /home/mallory/evil_config [listener] 0 of 10-100 startups'], uid: 1000, startTicks: 600 });

/** the real reader over the fake tree, noting when its read begins and ends */
function source(): SnapshotSource {
  const reader = new ProcReader({ procRoot: fake.procRoot, devRoot: fake.devRoot, passwdPath: fake.passwdPath });
  return {
    kind: 'proc',
    read: async (hooks) => {
      events.push('read begins');
      const snap = reader.read(hooks);
      events.push('read ends');
      return snap;
    },
  };
}

beforeEach(() => {
  events.length = 0;
});

describe("a one-shot's children", () => {
  it("ss before the read; the trusted listener's sshd -T while the scan is under way; none for a user's fake listener", async () => {
    // no procRoot in the collector's options: it takes the source for the live /proc
    const got = await createCollector(source(), { idleSeconds: 600, sort: 'login' }).take({ secondLook: false });
    // and nothing after the read: the policy read the hook started is the one the model gets
    expect(events).toEqual(['ss', 'read begins', 'sshd -T for /etc/ssh/main_config', 'read ends']);
    expect(got.model.sessions.map((s) => s.pid)).toContain(200);
  });

  it('a polling caller starts neither ss nor sshd -T during its read', async () => {
    await createCollector(source(), { idleSeconds: 600, sort: 'login' }).take({ background: true, noPolicy: true });
    expect(events).toEqual(['read begins', 'read ends']);
  });
});
