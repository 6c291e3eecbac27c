// The audit trail against an attacker who controls the log's path (SSHTOP_AUDIT_LOG, a shared
// directory), a full or read-only disk, and names chosen to corrupt the log. Each case checks
// the warning returned AND that nothing was written anywhere but the intended file.
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAuditTrail } from '../../src/act/audit.js';
import { createSignaller, type SignalRecord, type Target } from '../../src/act/signal.js';

const REPO = new URL('../..', import.meta.url).pathname;
const isRoot = process.geteuid?.() === 0;
const NOBODY = Number(spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).stdout.trim()) || 65534;
if (!isRoot) {
  if (process.env.CI === 'true') throw new Error('audit suite: the ownership, mount and full-disk cases need root under CI');
  console.warn('\n!!! SKIPPING the root-only audit cases (other-owned paths, read-only and full tmpfs mounts): not root !!!\n');
}

let base: string;
const mounts: string[] = [];
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'sshtop-audit-'));
});
const unmountAll = () => {
  for (let m = mounts.pop(); m !== undefined; m = mounts.pop()) spawnSync('umount', [m]);
};
afterEach(unmountAll);
afterAll(() => {
  unmountAll();
  rmSync(base, { recursive: true, force: true });
});

let n = 0;
/** a fresh directory of the test's own (0700 under the 0700 base) */
const fresh = (): string => {
  const d = join(base, `case-${++n}`);
  mkdirSync(d, { mode: 0o700 });
  return d;
};

const target = (label = 'alice@pts/3 from 10.0.0.1:5000', pid = 4242): Target => ({
  pid,
  startTicks: 1,
  label,
  audit: { sessionUser: 'alice', remote: '10.0.0.1:5000', ttys: ['pts/3'], kind: 'session' },
});
const rec = (label?: string): SignalRecord => ({ pid: 4242, signal: 'TERM', outcome: 'sent', message: `sent SIGTERM to ${label ?? 'x'} (pid 4242)`, target: target(label) });
const trail = (path: string, onWarning?: (m: string) => void) => createAuditTrail({ tool: 'reap', path, syslog: false, onWarning });
const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);

function mountTmpfs(dir: string, options: string): void {
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'sshtop-test', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mount tmpfs on ${dir}: ${r.stderr}`);
  mounts.push(dir);
}

describe('the audit log, opened safely', () => {
  it('creates a missing directory 0750 and the file 0640, and writes one whole JSON line per record', () => {
    const d = fresh();
    const path = join(d, 'state', 'sshtop', 'audit.log');
    const t = trail(path);
    expect(t.record(rec())).toBeUndefined();
    expect(t.record(rec())).toBeUndefined();
    const umask = process.umask();
    expect(statSync(join(d, 'state', 'sshtop')).mode & 0o777).toBe(0o750 & ~umask);
    expect(statSync(path).mode & 0o777).toBe(0o640 & ~umask);
    expect(lines(path)).toHaveLength(2);
    expect(lines(path)[0]).toMatchObject({ tool: 'reap', pid: 4242, signal: 'SIGTERM', result: 'sent', sessionUser: 'alice' });
  });

  it('a symlink at the log path is not followed (to an existing file, or dangling)', () => {
    const d = fresh();
    mkdirSync(join(d, 'elsewhere'));
    const victim = join(d, 'elsewhere', 'victim');
    writeFileSync(victim, 'precious\n', { mode: 0o600 });
    const logs = join(d, 'logs');
    mkdirSync(logs, { mode: 0o750 });
    symlinkSync(victim, join(logs, 'audit.log'));
    symlinkSync(join(d, 'elsewhere', 'created'), join(logs, 'dangling.log'));
    const warnings: string[] = [];
    const w = trail(join(logs, 'audit.log'), (m) => warnings.push(m)).record(rec());
    expect(w).toMatch(new RegExp(`^audit log ${join(logs, 'audit.log')} not written: it is a symbolic link$`));
    expect(warnings).toEqual([w]);
    expect(trail(join(logs, 'dangling.log')).record(rec())).toMatch(/symbolic link/);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(readdirSync(join(d, 'elsewhere'))).toEqual(['victim']);
  });

  it('the descriptor checks alone (no lstat first) refuse a symlink: O_NOFOLLOW', async () => {
    const { openForAppend } = await import('../../src/act/safe-file.js');
    const d = fresh();
    writeFileSync(join(d, 'victim'), 'precious\n');
    symlinkSync(join(d, 'victim'), join(d, 'audit.log'));
    expect(openForAppend(join(d, 'audit.log'), process.geteuid?.() ?? 0)).toEqual({ reason: 'it is a symbolic link' });
    expect(readFileSync(join(d, 'victim'), 'utf8')).toBe('precious\n');
  });

  it('a symlinked directory component is checked where it leads (an attacker-controlled directory)', () => {
    const d = fresh();
    const attacker = join(d, 'attacker');
    mkdirSync(attacker, { mode: 0o755 });
    if (isRoot) chownSync(attacker, NOBODY, NOBODY);
    else chmodSync(attacker, 0o777);
    symlinkSync(attacker, join(d, 'logs'));
    const w = trail(join(d, 'logs', 'sshtop', 'audit.log')).record(rec());
    expect(w).toMatch(isRoot ? new RegExp(`${attacker} is owned by uid ${NOBODY}`) : new RegExp(`${attacker} is writable by others`));
    // not even the missing sshtop/ directory was made inside it
    expect(readdirSync(attacker)).toEqual([]);
  });

  it('a symlinked directory component leading to a trusted directory is fine (the check is on the real path)', () => {
    const d = fresh();
    mkdirSync(join(d, 'real'), { mode: 0o750 });
    symlinkSync(join(d, 'real'), join(d, 'logs'));
    expect(trail(join(d, 'logs', 'audit.log')).record(rec())).toBeUndefined();
    expect(lines(join(d, 'real', 'audit.log'))).toHaveLength(1);
  });

  it('a group- or world-writable directory (the log directory or an ancestor) is refused', () => {
    for (const mode of [0o770, 0o777, 0o775]) {
      const d = fresh();
      const logs = join(d, 'logs');
      mkdirSync(logs);
      chmodSync(logs, mode);
      const w = trail(join(logs, 'audit.log')).record(rec());
      expect(w).toMatch(new RegExp(`${logs} is writable by (its group|others) \\(mode ${mode.toString(8)}\\)`));
      expect(readdirSync(logs)).toEqual([]);
    }
    // an ancestor anyone may write (no sticky bit): nothing is created below it
    const d = fresh();
    chmodSync(d, 0o777);
    const w = trail(join(d, 'new', 'audit.log')).record(rec());
    expect(w).toMatch(new RegExp(`${d} is writable by others`));
    expect(readdirSync(d)).toEqual([]);
  });

  it.runIf(isRoot)("a root-owned group-writable ancestor is accepted (Ubuntu's /var/log is root:syslog 0775); the log's own directory never", () => {
    const d = fresh();
    chmodSync(d, 0o775);
    expect(trail(join(d, 'sshtop', 'audit.log')).record(rec())).toBeUndefined();
    expect(lines(join(d, 'sshtop', 'audit.log'))).toHaveLength(1);
    expect(statSync(join(d, 'sshtop')).mode & 0o777).toBe(0o750);
    // a member of that group puts a directory of their own in its place: refused
    rmSync(join(d, 'sshtop'), { recursive: true });
    mkdirSync(join(d, 'sshtop'));
    chownSync(join(d, 'sshtop'), NOBODY, NOBODY);
    expect(trail(join(d, 'sshtop', 'audit.log')).record(rec())).toMatch(/owned by uid 65534/);
    expect(readdirSync(join(d, 'sshtop'))).toEqual([]);
  });

  it('a group-writable log file is refused and left as it was', () => {
    const d = fresh();
    writeFileSync(join(d, 'audit.log'), 'old\n');
    chmodSync(join(d, 'audit.log'), 0o660);
    expect(trail(join(d, 'audit.log')).record(rec())).toMatch(/it is writable by its group \(mode 660\)/);
    expect(readFileSync(join(d, 'audit.log'), 'utf8')).toBe('old\n');
  });

  it('a hard link to another file of the operator (as to /etc/shadow for root) is refused', () => {
    const d = fresh();
    mkdirSync(join(d, 'elsewhere'));
    const victim = join(d, 'elsewhere', 'shadow');
    writeFileSync(victim, 'root:x:1:0:99999:7:::\n', { mode: 0o600 });
    linkSync(victim, join(d, 'audit.log'));
    expect(trail(join(d, 'audit.log')).record(rec())).toMatch(/it has 2 hard links/);
    expect(readFileSync(victim, 'utf8')).toBe('root:x:1:0:99999:7:::\n');
  });

  it.runIf(isRoot)('a log file owned by another user is refused and left as it was', () => {
    const d = fresh();
    writeFileSync(join(d, 'audit.log'), 'theirs\n', { mode: 0o600 });
    chownSync(join(d, 'audit.log'), NOBODY, NOBODY);
    expect(trail(join(d, 'audit.log')).record(rec())).toMatch(new RegExp(`it is owned by uid ${NOBODY}, not uid 0`));
    expect(readFileSync(join(d, 'audit.log'), 'utf8')).toBe('theirs\n');
  });

  it.runIf(isRoot)('a log directory owned by another user (even 0755) is refused', () => {
    const d = fresh();
    const logs = join(d, 'logs');
    mkdirSync(logs, { mode: 0o755 });
    chownSync(logs, NOBODY, NOBODY);
    expect(trail(join(logs, 'audit.log')).record(rec())).toMatch(new RegExp(`${logs} is owned by uid ${NOBODY}`));
    expect(readdirSync(logs)).toEqual([]);
  });

  it.runIf(!isRoot)('a read-only (0444) log file gives a warning (root would write through it)', () => {
    const d = fresh();
    writeFileSync(join(d, 'audit.log'), 'old\n');
    chmodSync(join(d, 'audit.log'), 0o444);
    expect(trail(join(d, 'audit.log')).record(rec())).toMatch(/cannot open it \(EACCES/);
    expect(readFileSync(join(d, 'audit.log'), 'utf8')).toBe('old\n');
  });

  it.runIf(isRoot)('a read-only filesystem gives a warning, for a new and for an existing log', () => {
    const d = fresh();
    mountTmpfs(d, 'size=64k,mode=0755');
    writeFileSync(join(d, 'audit.log'), 'old\n', { mode: 0o640 });
    expect(spawnSync('mount', ['-o', 'remount,ro', d]).status).toBe(0);
    expect(trail(join(d, 'audit.log')).record(rec())).toMatch(/cannot open it \(EROFS/);
    expect(trail(join(d, 'new.log')).record(rec())).toMatch(/cannot open it \(EROFS/);
    expect(readFileSync(join(d, 'audit.log'), 'utf8')).toBe('old\n');
    expect(existsSync(join(d, 'new.log'))).toBe(false);
  });

  it.runIf(isRoot)('a full disk leaves no half record: a short write is cut back, and a refused one warns', () => {
    const d = fresh();
    mountTmpfs(d, 'size=4k,mode=0755');
    const path = join(d, 'audit.log');
    const t = trail(path);
    expect(t.record(rec())).toBeUndefined();
    const before = readFileSync(path, 'utf8');
    // one 4 KiB page is all there is: the log holds it, so a record larger than its slack is cut short
    const big = rec('x'.repeat(5000));
    const w = t.record(big);
    expect(w).toMatch(/short write \(\d+ of \d+ bytes; disk full\?\)/);
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect(lines(path)).toHaveLength(1);
    // a second log needs a page of its own: none is left, so the write fails outright
    writeFileSync(join(d, 'other.log'), '');
    expect(trail(join(d, 'other.log')).record(rec())).toMatch(/write failed \(ENOSPC: no space left on device\)$/);
    expect(readFileSync(join(d, 'other.log'), 'utf8')).toBe('');
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('C1, bidi and line-separator characters are stored as \\u escapes, and round-trip', () => {
    const d = fresh();
    const path = join(d, 'audit.log');
    const evil = 'bob\u0085\u009b31m\u202eexe.txt\u2066\u2069\u200e\u200f\u202a\u2028\u2029end';
    const r = rec(evil);
    r.target.audit = { sessionUser: `u\u202e${evil}`, remote: null, ttys: [`pts/\u009b1`], kind: 'session' };
    expect(trail(path).record(r)).toBeUndefined();
    const raw = readFileSync(path, 'utf8');
    expect(raw).not.toMatch(/[\u0080-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    expect(raw).toContain('\\u202e');
    expect(raw).toContain('\\u0085');
    expect(raw).toContain('\\u2028');
    expect(raw.split('\n')).toHaveLength(2);
    const [back] = lines(path);
    expect(back?.message).toBe(`sent SIGTERM to ${evil} (pid 4242)`);
    expect(back?.sessionUser).toBe(`u\u202e${evil}`);
    expect(back?.ttys).toEqual(['pts/\u009b1']);
  });
});

describe('a FIFO at the log path never blocks', () => {
  // a blocked open would block this worker too (no vitest timeout could fire), so the calls run in
  // a child with a hard timeout: it exits by itself, or it is killed and the test fails
  it('returns at once with a warning, with or without a reader on the FIFO', { timeout: 30_000 }, () => {
    const d = fresh();
    const fifo = join(d, 'audit.log');
    expect(spawnSync('mkfifo', ['-m', '0600', fifo]).status).toBe(0);
    const script = `
      const { createAuditTrail } = await import(${JSON.stringify(join(REPO, 'src/act/audit.ts'))});
      const { openForAppend } = await import(${JSON.stringify(join(REPO, 'src/act/safe-file.ts'))});
      const fs = await import('node:fs');
      const t = createAuditTrail({ tool: 'reap', path: ${JSON.stringify(fifo)}, syslog: false });
      const r = { pid: 4242, signal: 'TERM', outcome: 'sent', message: 'm', target: { pid: 4242, startTicks: 1, label: 'x' } };
      const out = { record: t.record(r), noReader: openForAppend(${JSON.stringify(fifo)}, process.geteuid()) };
      const reader = fs.openSync(${JSON.stringify(fifo)}, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      out.withReader = openForAppend(${JSON.stringify(fifo)}, process.geteuid());
      out.read = fs.readSync(reader, Buffer.alloc(64), 0, 64, null);
      console.log(JSON.stringify(out));
    `;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO, encoding: 'utf8', timeout: 20_000 });
    expect(r.signal, `the child blocked and was killed: ${r.stderr}`).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as Record<string, unknown>;
    expect(out.record).toBe(`audit log ${fifo} not written: it is a FIFO`);
    expect(out.noReader).toEqual({ reason: 'it is a FIFO or socket with no reader' });
    expect(out.withReader).toEqual({ reason: 'it is a FIFO' });
    expect(out.read).toBe(0);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });
});

describe('the signaller and the audit trail', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const sleeper = () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, sig) => r(sig)));
    const t = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
    return { child, pid: child.pid as number, exited, startTicks: Number(t.slice(t.lastIndexOf(')') + 2).split(' ')[19]) };
  };

  const wire = (path: string) => {
    const audit = trail(path);
    const intents: number[] = [];
    const sig = createSignaller({
      onSignal: (r) => audit.record(r),
      onIntent: (i) => {
        intents.push(i.pid);
        return audit.intent(i);
      },
    });
    return { sig, intents };
  };

  it('endsSelf: the intent record is on disk before process.kill, the outcome after', async () => {
    const path = join(fresh(), 'audit.log');
    const s = sleeper();
    const { sig, intents } = wire(path);
    const realKill = process.kill.bind(process);
    const onDiskAtKill: string[][] = [];
    vi.spyOn(process, 'kill').mockImplementation((pid: number, signal?: string | number) => {
      onDiskAtKill.push(existsSync(path) ? lines(path).map((l) => String(l.result)) : []);
      return realKill(pid, signal);
    });
    const t = target('my own session');
    t.audit = { ...t.audit!, endsSelf: true };
    const r = sig.send(sig.pin({ ...t, pid: s.pid, startTicks: s.startTicks }), 'TERM');
    expect(r.outcome).toBe('sent');
    expect(await s.exited).toBe('SIGTERM');
    expect(intents).toEqual([s.pid]);
    expect(onDiskAtKill).toEqual([['sending']]);
    expect(lines(path).map((l) => [l.result, l.pid, l.signal])).toEqual([
      ['sending', s.pid, 'SIGTERM'],
      ['sent', s.pid, 'SIGTERM'],
    ]);
  });

  it('a target that is sshtop itself or an ancestor gets an intent record even unmarked', () => {
    const path = join(fresh(), 'audit.log');
    const { sig, intents } = wire(path);
    const t = readFileSync(`/proc/${process.pid}/stat`, 'utf8');
    const self = { pid: process.pid, startTicks: Number(t.slice(t.lastIndexOf(')') + 2).split(' ')[19]), label: 'sshtop itself' };
    // SIGCONT to ourselves: harmless, and it walks the same path a kill of our own session would
    expect(sig.send(sig.pin(self), 'CONT').outcome).toBe('sent');
    expect(intents).toEqual([process.pid]);
    expect(lines(path).map((l) => l.result)).toEqual(['sending', 'sent']);
  });

  it('any other target gets exactly one record, and no intent', async () => {
    const path = join(fresh(), 'audit.log');
    const s = sleeper();
    const { sig, intents } = wire(path);
    expect(sig.send(sig.pin({ ...target(), pid: s.pid, startTicks: s.startTicks }), 'TERM').outcome).toBe('sent');
    await s.exited;
    expect(intents).toEqual([]);
    expect(lines(path).map((l) => l.result)).toEqual(['sent']);
  });

  it('an audit failure reaches the result: auditWarning, and the message the status line shows', async () => {
    const d = fresh();
    writeFileSync(join(d, 'victim'), 'precious\n');
    symlinkSync(join(d, 'victim'), join(d, 'audit.log'));
    const s = sleeper();
    const { sig } = wire(join(d, 'audit.log'));
    const t = target('bob@pts/1 from ?');
    t.audit = { ...t.audit!, endsSelf: true };
    const r = sig.send(sig.pin({ ...t, pid: s.pid, startTicks: s.startTicks }), 'TERM');
    await s.exited;
    const warning = `audit log ${join(d, 'audit.log')} not written: it is a symbolic link`;
    expect(r).toMatchObject({ outcome: 'sent', auditWarning: warning });
    // intent and outcome fail alike: said once
    expect(r.message).toBe(`sent SIGTERM to bob@pts/1 from ? (pid ${s.pid}); ${warning}`);
    expect(readFileSync(join(d, 'victim'), 'utf8')).toBe('precious\n');
  });

  it('a refused attempt with an unwritable log still says both', () => {
    const d = fresh();
    chmodSync(d, 0o777);
    const { sig } = wire(join(d, 'audit.log'));
    const r = sig.send(sig.pin({ pid: 0, startTicks: 0, label: 'x' }), 'TERM');
    expect(r.outcome).toBe('failed');
    expect(r.message).toMatch(new RegExp(`^refusing to signal pid 0; audit log ${d}/audit.log not written: ${d} is writable by others`));
    expect(readdirSync(d)).toEqual([]);
  });
});
