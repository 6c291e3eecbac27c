import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSignaller, type SignalRecord } from '../../src/act/signal.js';

function startTicks(pid: number): number {
  const t = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(t.slice(t.lastIndexOf(')') + 2).split(' ')[19]);
}

function sleeper() {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, sig) => r(sig)));
  return { child, pid: child.pid as number, exited };
}

describe('signalling a real process', () => {
  it('sends to the pinned process when its identity is unchanged', async () => {
    const records: SignalRecord[] = [];
    const s = sleeper();
    const sig = createSignaller({ onSignal: (r) => void records.push(r) });
    const pinned = sig.pin({ pid: s.pid, startTicks: startTicks(s.pid), label: 'sleeper' });
    expect(sig.alive(pinned)).toBe(true);
    const r = sig.send(pinned, 'TERM');
    expect(r.outcome).toBe('sent');
    expect(await s.exited).toBe('SIGTERM');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ outcome: 'sent', signal: 'TERM', pid: s.pid });
    sig.release(pinned);
  });

  it('refuses once the pinned process has exited (a reused pid can never be hit)', async () => {
    const s = sleeper();
    const sig = createSignaller();
    const pinned = sig.pin({ pid: s.pid, startTicks: startTicks(s.pid), label: 'sleeper' });
    s.child.kill('SIGKILL');
    await s.exited; // reaped: the pid is free for reuse now
    expect(sig.alive(pinned)).toBe(false);
    const r = sig.send(pinned, 'KILL');
    expect(r.outcome).toBe('gone');
    expect(r.message).toMatch(/already exited: nothing sent/);
  });

  it('refuses when the start time differs from the one the operator saw', async () => {
    const s = sleeper();
    const sig = createSignaller();
    const pinned = sig.pin({ pid: s.pid, startTicks: startTicks(s.pid) - 1, label: 'sleeper' });
    const r = sig.send(pinned, 'KILL');
    expect(r.outcome).toBe('identity-changed');
    expect(r.message).toMatch(/no longer sleeper/);
    await new Promise((res) => setTimeout(res, 100));
    expect(s.child.exitCode).toBeNull();
    s.child.kill();
    await s.exited;
  });

  it('pins through the live /proc even when handed a captured tree: a fixture pid never hits a live process', async () => {
    const s = sleeper();
    // a --proc-root fixture that claims the live sleeper's pid, with the start time it shows
    const fixture = mkdtempSync(join(tmpdir(), 'sshtop-fixture-'));
    try {
      mkdirSync(join(fixture, String(s.pid)));
      const fake = 12345;
      writeFileSync(join(fixture, String(s.pid), 'stat'), `${s.pid} (sleep) S 1 ${s.pid} ${s.pid} 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 ${fake} 0 0\n`);
      const sig = createSignaller({ procRoot: fixture } as Parameters<typeof createSignaller>[0]);
      const r = sig.send(sig.pin({ pid: s.pid, startTicks: fake, label: 'fixture session' }), 'TERM');
      expect(r.outcome).toBe('identity-changed');
      await new Promise((res) => setTimeout(res, 100));
      expect(s.child.exitCode).toBeNull();
      expect(s.child.signalCode).toBeNull();
    } finally {
      s.child.kill();
      await s.exited;
      rmSync(fixture, { recursive: true, force: true });
    }
  });

  it('never signals pid 0, 1 or a negative pid (process groups)', () => {
    const sig = createSignaller();
    for (const pid of [0, 1, -5]) expect(sig.send(sig.pin({ pid, startTicks: 0, label: 'x' }), 'TERM').outcome).toBe('failed');
  });

  it('process.kill is called from exactly one module of src/', () => {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else if (/\.tsx?$/.test(e.name) && /process\.kill\(/.test(readFileSync(join(d, e.name), 'utf8'))) files.push(join(d, e.name));
      }
    };
    walk(new URL('../../src', import.meta.url).pathname);
    expect(files.map((f) => f.slice(f.indexOf('src/')))).toEqual(['src/act/signal.ts']);
  });
});
