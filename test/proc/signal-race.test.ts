// The pid-reuse guard against a REAL reused pid: the pinned process exits, the kernel is made to
// hand its pid to an innocent new process (root writes pid-1 to /proc/sys/kernel/ns_last_pid just
// before the fork), and send() must refuse while the innocent process lives on.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createSignaller } from '../../src/act/signal.js';

const NS_LAST_PID = '/proc/sys/kernel/ns_last_pid';

function whyNot(): string | undefined {
  if (process.getuid?.() !== 0) return 'forcing a pid needs root (ns_last_pid)';
  try {
    accessSync(NS_LAST_PID, constants.W_OK);
  } catch {
    return `${NS_LAST_PID} is not writable here`;
  }
  return undefined;
}
const skipReason = whyNot();
if (skipReason && process.env.CI === 'true') throw new Error(`pid-reuse suite cannot run under CI: ${skipReason}`);
if (skipReason) console.warn(`\n!!! SKIPPING the real pid-reuse tests: ${skipReason} !!!\n`);

function startTicks(pid: number): number {
  const t = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(t.slice(t.lastIndexOf(')') + 2).split(' ')[19]);
}

/** alive and not a zombie, read from /proc (not through the module under test) */
function running(pid: number): boolean {
  try {
    const t = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return t.slice(t.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function sleeper(): { child: ChildProcess; pid: number; exited: Promise<void> } {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return { child, pid: child.pid as number, exited };
}

const started: ChildProcess[] = [];

/**
 * A new sleeper that holds exactly `pid`. Other processes on the machine fork too, so the forced
 * pid may be taken first: try again once that one is gone. undefined when one keeps it (a bench's
 * idle processes live for minutes): the caller needs another pid.
 */
async function sleeperWithPid(pid: number): Promise<{ child: ChildProcess; pid: number; attempts: number } | undefined> {
  for (let attempt = 1; attempt <= 200; attempt++) {
    writeFileSync(NS_LAST_PID, String(pid - 1));
    const s = sleeper();
    started.push(s.child);
    if (s.pid === pid) return { child: s.child, pid, attempts: attempt };
    s.child.kill('SIGKILL');
    await s.exited;
    // someone else got it: wait until that process is gone before trying again
    for (let i = 0; i < 100 && running(pid); i++) await new Promise((r) => setTimeout(r, 20));
    if (running(pid)) return undefined;
  }
  return undefined;
}

/**
 * A sleeper (the target) that is killed and reaped, and an innocent sleeper on its pid. `whileAlive`
 * runs while the target lives (it pins the target, or notes its start time); `gapMs` passes between
 * the reap and the reuse. When another process keeps the freed pid, it starts again with a new target,
 * and `discard` lets go of what the abandoned round's `whileAlive` took (a pin holds a descriptor).
 */
async function reusedPid<T>(
  whileAlive: (pid: number) => T,
  gapMs = 0,
  discard: (seen: T) => void = () => undefined,
): Promise<{ seen: T; innocent: { child: ChildProcess; pid: number } }> {
  for (let round = 1; round <= 5; round++) {
    const target = sleeper();
    started.push(target.child);
    const seen = whileAlive(target.pid);
    target.child.kill('SIGKILL');
    await target.exited; // reaped: the pid is free
    if (gapMs > 0) await new Promise((res) => setTimeout(res, gapMs));
    const innocent = await sleeperWithPid(target.pid);
    if (innocent) return { seen, innocent };
    discard(seen);
  }
  throw new Error('could not get a freed pid reused in 5 rounds: other processes kept taking it');
}

describe.runIf(skipReason === undefined)('signalling across a real pid reuse', () => {
  const before = skipReason === undefined ? Number(readFileSync(NS_LAST_PID, 'utf8')) : 0;

  afterAll(() => {
    for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    // put the pid counter back where it was, unless the machine has moved past it meanwhile
    const now = Number(readFileSync(NS_LAST_PID, 'utf8'));
    if (now < before) writeFileSync(NS_LAST_PID, String(before));
  });

  it('pinned before the exit: send() refuses the innocent process that now holds the pid', async () => {
    const sig = createSignaller();
    const { seen: target, innocent } = await reusedPid(
      (pid) => ({ pid, pinned: sig.pin({ pid, startTicks: startTicks(pid), label: 'the target' }) }),
      0,
      (abandoned) => sig.release(abandoned.pinned),
    );
    const { pinned } = target;
    // the pid really is reused, by another process (its own start time)
    expect(innocent.pid).toBe(target.pid);
    expect(running(innocent.pid)).toBe(true);
    // (its start time may even equal the target's, within one clock tick: the pinned fd still tells)

    const r = sig.send(pinned, 'KILL');
    expect(r.outcome).toBe('gone');
    expect(r.message).toMatch(/nothing sent/);
    expect(sig.alive(pinned)).toBe(false);
    await new Promise((res) => setTimeout(res, 200));
    expect(running(innocent.pid)).toBe(true);
    expect(innocent.child.exitCode).toBeNull();
    expect(innocent.child.signalCode).toBeNull();
    sig.release(pinned);
  });

  it('pinned after the reuse (the dialog opened late): the start time differs, send() refuses', async () => {
    // start times are in clock ticks: 30 ms makes sure the innocent one starts in a later tick
    const { seen: target, innocent } = await reusedPid((pid) => ({ pid, ticks: startTicks(pid) }), 30);
    const seen = target.ticks;
    expect(innocent.pid).toBe(target.pid);
    expect(startTicks(innocent.pid)).not.toBe(seen);
    const sig = createSignaller();
    // the operator acted on the snapshot that showed the old process
    const pinned = sig.pin({ pid: target.pid, startTicks: seen, label: 'the target' });
    const r = sig.send(pinned, 'TERM');
    expect(r.outcome).toBe('identity-changed');
    expect(r.message).toMatch(/start time changed\): nothing sent/);
    await new Promise((res) => setTimeout(res, 200));
    expect(running(innocent.pid)).toBe(true);
    expect(innocent.child.signalCode).toBeNull();
    sig.release(pinned);
  });
});
