// Hostile strings for real: a lab user starts processes whose argv and comm carry terminal escape
// sequences (OSC title, CSI clear/move, SGR), C1 bytes, DEL, invalid UTF-8 and a bidi override,
// plus a fake "sshd" whose title names a hostile user, and a shell with a forged SSH_CONNECTION.
// Every output of sshtop must show a placeholder where those bytes were and never emit them raw.
// The fake (a root-owned copy of sleep named sshd, run by a lab user, out of its session) is
// shown as what it is: an untrusted process of that user, its title never believed.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LAB_USERS, ensureBuilt, requireLab, SSHTOP, startLab, startTicksOf, type Client, type Lab, SSHTOP_ARGV, SSHTOP_SH } from '../support/lab.js';
import { startTmux, type Tmux } from '../support/tmux.js';
import type { JsonSession } from '../../src/report/json.js';
import { waitFor } from '../support/wait.js';

const skipReason = requireLab();

const P = '\ufffd';
// letters only: a pid typed into the search never matches inside it
const TAG = `tag${Array.from({ length: 8 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('')}`;
const COMM = '\x1b]0;PWNED\x07';

/** argv of the hostile process; `cat -` blocks on the tty and never opens the other "files" */
const ARGV: Buffer[] = [
  Buffer.from('T\x1b]0;PWNED\x07'), // OSC 0 ended by BEL: sets the window and pane title
  Buffer.from('-'),
  Buffer.from('\x1b]2;OWNED\x1b\\'), // OSC 2 ended by ST
  Buffer.from('\x1b[2J\x1b[H\x1b[31mRED'), // clear screen, cursor home, SGR red
  Buffer.from([0x63, 0x31, 0xc2, 0x9b, 0x32, 0x4a]), // "c1" U+009B (CSI as a valid UTF-8 C1) "2J"
  Buffer.from([0x72, 0x61, 0x77, 0x9b, 0x32, 0x4a]), // "raw" 0x9b alone (invalid UTF-8) "2J"
  Buffer.from('del\x7f'),
  Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe]), // "bad" + invalid UTF-8
  Buffer.from('bidi\u202eevil'), // RIGHT-TO-LEFT OVERRIDE
  Buffer.from(TAG),
  Buffer.from(`${'漢'.repeat(60)}${'😀'.repeat(10)}${'e\u0301'.repeat(5)}`), // double-width and combining: must not widen a row
];
/** what /proc/PID/cmdline means as text (invalid UTF-8 decodes to U+FFFD) */
const COMMAND = `T\x1b]0;PWNED\x07 - \x1b]2;OWNED\x1b\\ \x1b[2J\x1b[H\x1b[31mRED c1\u009b2J raw${P}2J del\x7f bad${P}${P} bidi\u202eevil ${TAG} ${'漢'.repeat(60)}${'😀'.repeat(10)}${'e\u0301'.repeat(5)}`;
/** what a terminal may show instead (the start of it: the wide tail is cut to the column) */
const COMMAND_SHOWN = `T${P}]0;PWNED${P} - ${P}]2;OWNED${P}\\ ${P}[2J${P}[H${P}[31mRED c1${P}2J raw${P}2J del${P} bad${P}${P} bidi${P}evil ${TAG}`;

/** the user a fake sshd names in its title */
const FAKE_USER = `x\x1b]0;PWNED\x07\x1b[2J\u009b\x7f\u202e${TAG}`;
const FAKE_USER_SHOWN = `x${P}]0;PWNED${P}${P}[2J${P}${P}${P}${TAG}`;

/** SSH_CONNECTION forged in a shell's environ: a non-root viewer falls back to it */
const FORGED_REMOTE = 'Z\x1b]0;PWNED\x07\x1b[2J';
const FORGED_LOCAL = 'L\x1b[H';
const FORGED_SHOWN = `Z${P}]0;PWNED${P}${P}[2J:1`;

/** terminal cells of the characters used here: CJK and emoji take two, combining marks none */
function cells(line: string): number {
  let n = 0;
  for (const ch of line) {
    const c = ch.codePointAt(0) as number;
    if (c >= 0x0300 && c <= 0x036f) continue;
    n += (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x1f300 && c <= 0x1faff) ? 2 : 1;
  }
  return n;
}

/** bash ANSI-C quoting of raw bytes */
const quote = (b: Buffer) => `$'${[...b].map((x) => `\\x${x.toString(16).padStart(2, '0')}`).join('')}'`;

/** every way the bytes can hurt a terminal: returns what was found, empty when safe */
function terminalHazards(out: Buffer): string[] {
  const found: string[] = [];
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(out);
  } catch {
    return ['invalid UTF-8'];
  }
  for (const ch of text) {
    const c = ch.codePointAt(0) as number;
    if ((c < 0x20 && c !== 0x0a) || c === 0x7f) found.push(`C0/DEL U+${c.toString(16).padStart(4, '0')}`);
    else if (c >= 0x80 && c <= 0x9f) found.push(`C1 U+${c.toString(16).padStart(4, '0')}`);
    else if (c === 0x061c || c === 0x200e || c === 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) found.push(`bidi U+${c.toString(16)}`);
  }
  return [...new Set(found)];
}

/** JSON text must not carry raw control bytes either (JSON escaping keeps the content) */
function jsonHazards(out: Buffer): string[] {
  return terminalHazards(out);
}

/** run the built CLI, raw bytes out; as another user through sudo when asked */
function run(args: string[], user?: string): { status: number | null; stdout: Buffer; stderr: string } {
  const cmd = user ? ['sudo', '-u', user, ...SSHTOP_ARGV, ...args] : [...SSHTOP_ARGV, ...args];
  const { TMUX: _t, ...env } = process.env;
  const r = spawnSync(cmd[0] as string, cmd.slice(1), { env, timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

/** pid of the process whose /proc/PID/cmdline starts with these bytes */
function pidByCmdline(prefix: Buffer): number | undefined {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`).subarray(0, prefix.length).equals(prefix)) return Number(name);
    } catch {
      // gone
    }
  }
  return undefined;
}

describe.runIf(skipReason === undefined)('hostile strings from /proc never reach the terminal', () => {
  let lab: Lab;
  let dir: string;
  let tmux: Tmux | undefined;
  let hostile: Client, fake: Client, forged: Client;
  let hostilePid: number, fakePid: number;
  let fakeStart: number | undefined;
  const [u1, u2, u3] = LAB_USERS as [string, string, string];

  beforeAll(async () => {
    ensureBuilt();
    lab = await startLab();
    dir = mkdtempSync(join(tmpdir(), 'sshtop-hostile-'));
    chmodSync(dir, 0o755);
    // comm is the executable's basename: a copy of cat with a hostile name carries it
    copyFileSync('/bin/cat', join(dir, COMM));
    copyFileSync('/bin/sleep', join(dir, 'sshd'));
    for (const name of [COMM, 'sshd']) chmodSync(join(dir, name), 0o755);
    const script = (name: string, body: string) => {
      writeFileSync(join(dir, name), body + '\n', { mode: 0o644 });
      return join(dir, name);
    };
    const [argv0, ...args] = ARGV as [Buffer, ...Buffer[]];
    const h = script('hostile.sh', `exec -a ${quote(argv0)} "${dir}"/${quote(Buffer.from(COMM))} ${args.map(quote).join(' ')}`);
    // setsid -f: the fake leaves its login, as a daemon would, and heads a tree of its own
    const inner = script('fake-inner.sh', `exec -a ${quote(Buffer.from(`sshd: ${FAKE_USER} [priv]`))} "${dir}/sshd" 600`);
    const f = script('fake.sh', `setsid -f bash ${inner} </dev/null >/dev/null 2>&1`);
    const forgedValue = Buffer.from(`${FORGED_REMOTE} 1 ${FORGED_LOCAL} 2`);
    const g = script('forged.sh', `exec env SSH_CONNECTION=${quote(forgedValue)} bash --norc --noprofile`);
    [hostile, fake, forged] = await Promise.all([lab.openTty(u1), lab.openTty(u2), lab.openTty(u3)]);
    hostile.send(`bash ${h}\n`);
    fake.send(`bash ${f}\n`);
    forged.send(`exec bash ${g}\n`);
    hostilePid = await waitFor('the hostile process', () => pidByCmdline(Buffer.concat([ARGV[0] as Buffer, Buffer.from([0])])));
    fakePid = await waitFor('the fake sshd', () => pidByCmdline(Buffer.from(`sshd: ${FAKE_USER} [priv]`)));
    fakeStart = startTicksOf(fakePid);
    // the bytes really are in /proc: comm too
    expect(readFileSync(`/proc/${hostilePid}/comm`, 'utf8')).toBe(`${COMM}\n`);
    expect(readFileSync(`/proc/${hostilePid}/cmdline`).equals(Buffer.concat(ARGV.flatMap((a) => [a, Buffer.from([0])])))).toBe(true);
  });

  afterEach(() => {
    tmux?.kill();
    tmux = undefined;
  });

  afterAll(async () => {
    // the fake left the lab's sessions: ours to end, by pid, if it is still the same process
    if (fakePid && fakeStart !== undefined && startTicksOf(fakePid) === fakeStart) process.kill(fakePid, 'SIGKILL');
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('--json keeps every string, escaped, and writes no raw control byte', () => {
    const r = run(['--json']);
    expect(r.status).toBe(0);
    expect(jsonHazards(r.stdout)).toEqual([]);
    const text = r.stdout.toString('utf8');
    // the escaped forms of what was in argv are all there
    for (const esc of ['\\u001b]0;PWNED\\u0007', '\\u001b]2;OWNED\\u001b\\\\', '\\u001b[2J\\u001b[H\\u001b[31mRED', 'c1\\u009b2J', 'del\\u007f', 'bidi\\u202eevil'])
      expect(text).toContain(esc);
    const snap = JSON.parse(text) as { sessions: JsonSession[] };
    const session = snap.sessions.find((s) => s.processes.some((p) => p.pid === hostilePid));
    expect(session?.user).toBe(u1);
    expect(session?.command).toBe(COMMAND);
    expect(session?.processes.find((p) => p.pid === hostilePid)?.command).toBe(COMMAND);
    // the fake is listed, flagged, under the user who really runs it; its title is kept as its command
    const spoof = snap.sessions.find((s) => s.pid === fakePid);
    expect(spoof?.user).toBe(u2);
    expect(spoof?.flags).toEqual(['untrusted']);
    expect(spoof?.command).toBe(`sshd: ${FAKE_USER} [priv] 600`);
    expect(spoof?.processes.map((p) => p.role)).toEqual(['process']);
    expect(snap.sessions.filter((s) => s.user === FAKE_USER)).toEqual([]);
  });

  it('--once shows placeholders where the bytes were and nothing a terminal would act on', () => {
    const r = run(['--once']);
    expect(r.status).toBe(0);
    expect(terminalHazards(r.stdout)).toEqual([]);
    const lines = r.stdout.toString('utf8').split('\n');
    const row = lines.find((l) => l.includes(`│ ${hostile.tty} `));
    expect(row).toContain(COMMAND_SHOWN);
    expect(lines.find((l) => l.includes(` ${fakePid} `))).toContain(FAKE_USER_SHOWN);
  });

  it('reap (dry run, text and --json) spares the fake, says why with the hostile name made safe', () => {
    // --max-age 0s matches every session whatever the clock says: no age is compared to a second
    const args = ['reap', '--max-age', '0s', '--user', u2];
    const text = run(args);
    expect(text.status).toBe(0);
    expect(terminalHazards(text.stdout)).toEqual([]);
    const out = text.stdout.toString('utf8');
    expect(out).toContain(`spared: pid ${fakePid} ${u2}@notty from ?`);
    expect(out).toContain(`not a real SSH session ("sshd: ${FAKE_USER_SHOWN} [priv] 600" is named like an SSH daemon, but runs as uid`);
    expect(out).toContain(`would end (SIGTERM): pid`);
    expect(out).not.toMatch(new RegExp(`would end \\(SIGTERM\\): pid ${fakePid} `));
    const json = run([...args, '--json']);
    expect(json.status).toBe(0);
    expect(jsonHazards(json.stdout)).toEqual([]);
    expect(json.stdout.toString('utf8')).toContain(`x\\u001b]0;PWNED\\u0007\\u001b[2J\\u009b\\u007f\\u202e${TAG}`);
    const parsed = JSON.parse(json.stdout.toString('utf8')) as { dryRun: boolean; matched: { pid: number }[]; spared: { pid: number; user: string }[] };
    expect(parsed.dryRun).toBe(true);
    expect(parsed.matched.map((m) => m.pid)).not.toContain(fakePid);
    // other suites on a shared machine may run processes of their own named sshd as this user
    expect(parsed.spared).toEqual(expect.arrayContaining([expect.objectContaining({ pid: fakePid, user: u2 })]));
    for (const s of parsed.spared as { flags?: string[] }[]) expect(s.flags).toContain('untrusted');
  });

  it('a non-root viewer falls back to a forged SSH_CONNECTION: shown with placeholders, kept in JSON', async () => {
    const session = await waitFor('the forged environ as seen by the user', () => {
      const r = run(['--json', '--user', u3], u3);
      const found = (JSON.parse(r.stdout.toString('utf8')) as { sessions: JsonSession[] }).sessions.find((s) => s.ttys.includes(forged.tty as string));
      return found?.remote?.address === FORGED_REMOTE ? { found, r } : undefined;
    });
    expect(jsonHazards(session.r.stdout)).toEqual([]);
    expect(session.found.local).toEqual({ address: FORGED_LOCAL, port: 2 });
    const once = run(['--once', '--user', u3], u3);
    expect(once.status).toBe(0);
    expect(terminalHazards(once.stdout)).toEqual([]);
    expect(once.stdout.toString('utf8').split('\n').find((l) => l.includes(`│ ${forged.tty} `))).toContain(FORGED_SHOWN);
  });

  it('the TUI: title unchanged, screen in place, placeholders in the list, the detail pane and the dialog', async () => {
    const t = startTmux();
    tmux = t;
    const title = t.display('#{pane_title}');
    expect(title).not.toMatch(/PWNED|OWNED/);
    t.type(`${SSHTOP_SH} --no-color --filter ${TAG}`);
    t.send('Enter');
    const screen = await t.waitFor('hostile rows drawn', (s) => s.includes('F1 help') && s.includes(COMMAND_SHOWN) && s.includes(`${fakePid} ${u2}`));
    const inPlace = (s: string, what: string) => {
      const lines = s.replace(/\n+$/, '').split('\n');
      expect(lines[0], `header on the first line (${what})`).toMatch(/^sshtop /);
      expect(lines[lines.length - 1], `footer on the last line (${what})`).toMatch(/^F9\/x signal/);
      expect(lines.length, what).toBe(50);
      expect(t.display('#{pane_title}'), what).toBe(title);
    };
    inPlace(screen, 'list');
    // the column heading sits right under the header, the hostile session's row below it
    const lines = screen.split('\n');
    const heading = lines.findIndex((l) => /^ {3} +PID USER +TTY +FROM/.test(l));
    expect(heading).toBeGreaterThan(0);
    expect(heading).toBeLessThan(7);
    expect(lines.findIndex((l) => l.includes(COMMAND_SHOWN))).toBeGreaterThan(heading);
    // -J joins rows the terminal wrapped: the wide tail must have been cut, not wrapped
    const joined = spawnSync('tmux', ['-S', t.socket, 'capture-pane', '-p', '-J', '-t', '0'], { encoding: 'utf8' }).stdout.replace(/\n+$/, '').split('\n');
    expect(joined).toHaveLength(50);
    for (const line of joined) expect(cells(line.replace(/\s+$/, '')), line).toBeLessThanOrEqual(200);
    expect(joined.some((l) => l.includes(COMMAND_SHOWN) && l.includes('漢'))).toBe(true);
    // no SGR from argv took effect: nothing on the screen is red
    const styled = spawnSync('tmux', ['-S', t.socket, 'capture-pane', '-e', '-p', '-t', '0'], { encoding: 'utf8' }).stdout;
    expect(styled).not.toMatch(/\x1b\[(?:[0-9;]*;)?31(?:;[0-9;]*)?m/);

    // detail pane of the hostile session
    t.send('g');
    t.send('/');
    t.type(hostile.tty as string);
    t.send('Enter');
    await t.waitFor('hostile session selected', (s) => s.split('\n').some((l) => l.startsWith('>') && l.includes(COMMAND_SHOWN)));
    t.send('Enter');
    // a process line: pid, user, state, memory, tty, role, then the command made safe
    const procLine = (l: string) => l.includes(`${hostilePid} ${u1} S `) && l.includes(` ${hostile.tty} [process] ${COMMAND_SHOWN}`);
    const detail = await t.waitFor('detail pane', (s) => s.includes('processes:') && s.split('\n').some(procLine));
    inPlace(detail, 'detail pane');
    t.send('Escape');
    await t.waitFor('list again', (s) => s.includes('PID USER'));

    // the signal dialog names the processes by comm: a copy of cat named with an OSC sequence
    t.send('x');
    await t.waitFor('menu', (s) => s.includes('SIGTERM (default)'));
    t.send('Enter');
    const dialog = await t.waitFor('confirmation', (s) => s.includes('[y/N]'));
    expect(dialog).toContain(`End ${u1}@${hostile.tty} from 127.0.0.1 (4 processes: bash, ${P}]0;PWNED${P})`);
    inPlace(dialog, 'dialog');
    t.send('Escape');
    await t.waitFor('cancelled', (s) => s.includes('cancelled: nothing sent'));

    // detail pane of the fake session: the hostile user name
    t.send('g');
    t.send('/');
    t.type(String(fakePid));
    t.send('Enter');
    // the fake heads its own (untrusted) row, under its real user
    await t.waitFor('fake session selected', (s) => s.split('\n').some((l) => l.startsWith('>') && l.includes(`${fakePid} ${u2}`)));
    t.send('Enter');
    const fakeDetail = await t.waitFor('fake detail pane', (s) => s.includes(`session ${fakePid}: ${u2}@notty from ?`));
    expect(fakeDetail).toContain(`[process] sshd: ${FAKE_USER_SHOWN} [priv]`);
    expect(fakeDetail).toContain(`untrusted: "sshd: ${FAKE_USER_SHOWN} [priv] 600" is named like an SSH daemon`);
    inPlace(fakeDetail, 'fake detail pane');
    t.send('Escape');
    t.send('q');
    // the shell's own prompt, printed after sshtop exited: what is typed now is the shell's
    await t.waitFor('shell prompt back', (s) => !s.includes('F1 help') && /[#$] ?$/.test(s.trimEnd().split('\n').at(-1) ?? ''));
    expect(t.display('#{alternate_on}')).toBe('0');
    expect(t.display('#{pane_title}')).toBe(title);

    // control: the same bytes written raw DO retitle this pane, so the checks above can fail
    t.type(`tr '\\0' ' ' < /proc/${hostilePid}/cmdline; echo`);
    t.send('Enter');
    await waitFor('the raw bytes retitle the pane', () => t.display('#{pane_title}') === 'OWNED', 5000);
  });

  it('the TUI of a non-root viewer: the forged address has placeholders, in the list and the detail pane', async () => {
    const t = startTmux();
    tmux = t;
    const title = t.display('#{pane_title}');
    t.type(`sudo -u ${u3} ${SSHTOP_SH} --no-color --user ${u3} --filter PWNED`);
    t.send('Enter');
    await t.waitFor('forged row', (s) => s.includes('F1 help') && s.split('\n').some((l) => l.includes(forged.tty as string) && l.includes(FORGED_SHOWN)));
    t.send('g');
    t.send('/');
    t.type('PWNED');
    t.send('Enter');
    await t.waitFor('forged session selected', (s) => s.split('\n').some((l) => l.startsWith('>') && l.includes(FORGED_SHOWN)));
    t.send('Enter');
    const detail = await t.waitFor('detail pane', (s) => s.includes(`connection ${FORGED_SHOWN} → L${P}[H:2`));
    expect(detail.split('\n')[0]).toMatch(/^sshtop /);
    expect(t.display('#{pane_title}')).toBe(title);
    t.send('Escape');
    t.send('q');
    await t.waitFor('shell prompt back', (s) => !s.includes('F1 help'));
    expect(t.display('#{pane_title}')).toBe(title);
  });
});
