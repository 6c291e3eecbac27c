// The model over /proc trees captured from real daemons (scripts/tools/capture-proc.ts, run by
// test/e2e/daemons.e2e.test.ts with SSHTOP_CAPTURE=1), and over the few hand-made ones for
// layouts that cannot run here (their meta.json says so under `handMade`). Every expectation comes
// from the ground truth recorded at capture time (ss, /proc, the shells' `tty`), never from sshtop.
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildModel } from '../../src/model/sessions.js';
import type { Model } from '../../src/model/types.js';
import { ProcReader } from '../../src/proc/reader.js';
import { deriveFull, DERIVATIONS, type ExpectedSession } from '../../scripts/tools/capture-proc.js';
import { filesUnder, materialiseFixtures, type HandMade, type Layout } from '../support/fixtures.js';

// hand-made layouts built from base + overlay, and every dev/ copied: the atimes are set there, not in the checkout
const built = materialiseFixtures();
afterAll(() => built.dispose());

interface Meta {
  name: string;
  capturedAt: string;
  daemon: { name: string; version: string };
  ptsAtimes: Record<string, number>;
  handMade?: HandMade;
  expected: { listenerPids: number[]; sessions: ExpectedSession[] };
}

const fixtures = built.names;

/** read one fixture as sshtop would at the moment it was captured */
function modelOf(dir: Layout, meta: Meta): Model {
  // git keeps no atimes: put back the ones recorded at capture time
  for (const [tty, atimeMs] of Object.entries(meta.ptsAtimes)) {
    const f = join(dir.dev, tty);
    utimesSync(f, atimeMs / 1000, statSync(f).mtime);
  }
  vi.setSystemTime(new Date(meta.capturedAt));
  const reader = new ProcReader({ procRoot: dir.proc, devRoot: dir.dev, passwdPath: dir.passwd });
  try {
    return buildModel(reader.read(), { idleSeconds: 600, selfPid: -1 });
  } finally {
    reader.close();
  }
}

describe('captured /proc trees', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('are all here: every real layout and the hand-made ones', () => {
    expect(fixtures).toEqual(
      expect.arrayContaining([
        'openssh-9.2p1',
        'openssh-10.0p1',
        'openssh-10.3p1',
        'dropbear-2022.83',
        'inetd-openssh-9.2',
        'inetd-openssh-10.3p1',
        'restarted-listener-openssh-9.2',
        'openssh-9.8-layout',
        'dropbear-numeric-comm',
        'systemd-accept',
      ]),
    );
  });

  for (const name of fixtures) {
    describe(name, () => {
      const dir = built.layout(name);
      const meta = JSON.parse(readFileSync(dir.meta, 'utf8')) as Meta;

      it(`${meta.daemon.name} ${meta.daemon.version}${meta.handMade ? ' (hand-made)' : ''}: listeners`, () => {
        const model = modelOf(dir, meta);
        expect(model.listeners.map((l) => l.pid).sort()).toEqual([...meta.expected.listenerPids].sort());
      });

      it('one session per recorded connection, nothing more', () => {
        const model = modelOf(dir, meta);
        expect(model.sessions.map((s) => s.pid).sort((a, b) => a - b)).toEqual(meta.expected.sessions.map((s) => s.pid).sort((a, b) => a - b));
      });

      for (const e of meta.expected.sessions) {
        it(`${e.kind} session (pid ${e.pid}): user, ttys, ports, listener, flags, roles`, () => {
          const model = modelOf(dir, meta);
          const s = model.sessions.find((x) => x.pid === e.pid);
          expect(s, `session ${e.pid}`).toBeDefined();
          if (!s) return;
          expect(s.user).toBe(e.user);
          expect(s.ttys).toEqual(e.ttys);
          expect(s.remote?.port).toBe(e.remotePort);
          expect(s.local?.port).toBe(e.localPort);
          expect(s.listenerPid).toBe(e.listenerPid);
          expect([...s.flags].sort()).toEqual([...e.flags].sort());
          expect(s.processes.map((p) => `${p.pid}:${p.role}`).sort()).toEqual(e.processes.map((p) => `${p.pid}:${p.role}`).sort());
          // the titles are kept as the daemon wrote them (padding trimmed)
          for (const p of e.processes) {
            const got = s.processes.find((x) => x.pid === p.pid);
            expect(got?.comm).toBe(p.comm);
            if (p.cmdline !== '') expect(got?.command).toBe(p.cmdline.split('|').join(' '));
          }
        });
      }
    });
  }
});

/** a layout's files and meta.json, with the record of when and how it was derived left out */
function contents(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of filesUnder(dir)) {
    const p = join(dir, rel);
    out[rel] = lstatSync(p).isSymbolicLink() ? `-> ${readlinkSync(p)}` : readFileSync(p, 'latin1');
  }
  const meta = JSON.parse(out['meta.json'] ?? '{}') as { handMade?: Partial<HandMade> };
  delete meta.handMade?.derivedAt;
  delete meta.handMade?.deleted;
  out['meta.json'] = JSON.stringify(meta);
  return out;
}

describe('hand-made layouts', () => {
  // the overlay is the recipe's output stored; a changed recipe or base must be re-derived
  for (const recipe of Object.keys(DERIVATIONS)) {
    it(`${recipe}: base + overlay is what its recipe derives from the base today`, () => {
      const tmp = mkdtempSync(join(tmpdir(), 'sshtop-rederive-'));
      try {
        expect(contents(built.layout(recipe).root)).toEqual(contents(deriveFull(recipe, tmp)));
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    });
  }
});
