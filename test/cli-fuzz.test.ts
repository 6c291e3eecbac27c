// A fuzz of the command line: every option of both parsers' tables, before and after every
// subcommand, with good, bad, missing and empty values. Bad usage is one line and exit 2; an option
// where the mode does not honour it is refused, never ignored. The pure parsers take thousands of
// cases; a subset runs the built CLI (never with --yes outside a captured tree: nothing live is touched).
import { execFile, spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OPTIONS, parseCommandLine, REAP_HONOURS, REAP_OPTIONS, UsageError } from '../src/cli/args.js';
import { SORT_COLUMNS } from '../src/model/filter.js';
import { SIGNALS } from '../src/model/signal-names.js';
import { parseReapArgs } from '../src/cli/reap-args.js';
import { ensureBuilt, SSHTOP } from './support/lab.js';

const FIXTURE = new URL('./fixtures/openssh-9.2p1', import.meta.url).pathname;
const CAPTURED = ['--proc-root', `${FIXTURE}/proc`, '--dev-root', `${FIXTURE}/dev`, '--passwd', `${FIXTURE}/passwd`];

type Table = Record<string, { type: 'string' | 'boolean' }>;
const GLOBAL = OPTIONS as Table;
const REAP = REAP_OPTIONS as Table;
const NAMES = [...new Set([...Object.keys(GLOBAL), ...Object.keys(REAP)])].sort();
const TESTING = ['proc-root', 'dev-root', 'passwd'];

/** values a user would give; an option not listed here is still fuzzed (with 'x') for where it may go */
const GOOD: Record<string, string[]> = {
  interval: ['2', '0.5', '1m'],
  idle: ['90s', '30m', '2h', '1d'],
  user: ['alice'],
  filter: ['pts'],
  sort: [...SORT_COLUMNS],
  'proc-root': [`${FIXTURE}/proc`],
  'dev-root': [`${FIXTURE}/dev`],
  passwd: [`${FIXTURE}/passwd`],
  'max-age': ['12h', '0s'],
  'preauth-older': ['2m', '0s'],
  'leftovers-older': ['1h', '0s'],
  'exclude-user': ['deploy'],
  'exclude-command': ['^tmux', 'screen|nohup'],
  port: ['22', '65535'],
  signal: [...SIGNALS, 'sigterm', 'SIGHUP'],
  grace: ['10s', '600'],
  warn: ['idle for 30 minutes: disconnecting'],
};
const BAD: Record<string, string[]> = {
  interval: ['0', '0.05', '3601', '-1', 'abc', '1x', 'Infinity', ' '],
  // 0 is refused as the display threshold and taken as a reap rule: tested apart, below
  idle: ['abc', '-5', '1y', '1e3'],
  sort: ['bogus', 'PID'],
  'max-age': ['x', '-1h'],
  'preauth-older': ['soon'],
  'leftovers-older': ['later', '-1s'],
  'exclude-command': ['(unclosed', '*tmux'],
  port: ['0', '65536', '22a', '-1', '1.5', 'ssh'],
  signal: ['FOO', '9', 'SIG', 'SIGTERMX', '-TERM'],
  grace: ['0', '601', 'abc', '1w'],
  warn: ['line one\nline two', '\u001b[31mred', 'bell\u0007', 'rtl\u202eoverride'],
};
/** values that are fine or not depending on where they are used */
const valuesOf = (name: string, type: string): string[] => (type === 'boolean' ? [] : [...(GOOD[name] ?? ['x']), ...(BAD[name] ?? [])]);

type Place = 'none' | 'before-reap' | 'after-reap';
const PLACES: Place[] = ['none', 'before-reap', 'after-reap'];

/** whether the mode reached through this place takes the option at all, read from the tables */
function honoured(name: string, place: Place): boolean {
  if (place === 'none') return name in GLOBAL;
  if (place === 'before-reap') return (REAP_HONOURS as readonly string[]).includes(name);
  return name in REAP;
}

/** one option in place, with what it needs around it (a rule for reap, --proc-root for --dev-root) */
function argvFor(place: Place, opt: string[], name: string): string[] {
  const companion = (name === 'dev-root' || name === 'passwd') && place !== 'after-reap' ? ['--proc-root', `${FIXTURE}/proc`] : [];
  const rule = name === 'dead-peer' ? ['--max-age', '1h'] : ['--dead-peer'];
  if (place === 'none') return [...companion, ...opt];
  if (place === 'before-reap') return [...companion, ...opt, 'reap', ...rule];
  return ['reap', ...rule, ...opt];
}

type Outcome = { ok: true; argv: string[]; mode?: string; reapYes?: boolean } | { ok: false; argv: string[]; message: string };

/** both parsers, as the CLI runs them; anything but a UsageError escapes and fails the test */
function parseAll(argv: string[]): Outcome {
  try {
    const p = parseCommandLine(argv, {});
    if (p.kind !== 'run') return { ok: true, argv };
    if (p.options.mode !== 'reap') return { ok: true, argv, mode: p.options.mode };
    const r = parseReapArgs(p.options.rest, p.options);
    return { ok: true, argv, mode: 'reap', reapYes: r.yes };
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    return { ok: false, argv, message: e.message };
  }
}

function expectOneLine(o: Outcome): void {
  if (!o.ok) expect(o.message, JSON.stringify(o.argv)).toMatch(/^[^\n\r]+$/);
}

describe('every option, in every place, with every kind of value (pure parsers)', () => {
  it('the tables are what the fuzz covers', () => {
    // a new option lands in one of these tables, so it is fuzzed without touching this file
    expect(NAMES.length).toBeGreaterThanOrEqual(Object.keys(GLOBAL).length);
    for (const h of REAP_HONOURS) expect(GLOBAL, h).toHaveProperty(h);
  });

  for (const name of NAMES) {
    const type = (GLOBAL[name] ?? REAP[name])?.type as string;
    /** each form of the option, and whether it is fine where the option is taken (undefined: not known) */
    const forms: [string[], boolean | undefined][] =
      type === 'boolean'
        ? [
            [[`--${name}`], true],
            [[`--${name}=1`], false],
            [[`--${name}=`], false],
          ]
        : [
            ...valuesOf(name, type).flatMap((v): [string[], boolean | undefined][] => {
              const fine = GOOD[name]?.includes(v) ? true : BAD[name]?.includes(v) ? false : undefined;
              return [
                [[`--${name}`, v], fine],
                [[`--${name}=${v}`], fine],
              ];
            }),
            // missing at the end, missing before another option, empty
            [[`--${name}`], false],
            [[`--${name}`, '--dead-peer'], false],
            [[`--${name}=`], false],
            [[`--${name}`, ''], false],
          ];
    for (const place of PLACES) {
      it(`--${name} ${place}`, () => {
        for (const [opt, fine] of forms) {
          const argv = argvFor(place, opt, name);
          const o = parseAll(argv);
          expectOneLine(o);
          const label = JSON.stringify(argv);
          // never ignored: an option the mode does not take is refused, whatever its value
          if (!honoured(name, place)) expect(o.ok, label).toBe(false);
          else if (fine !== undefined) expect(o.ok, `${label}: ${o.ok ? '' : o.message}`).toBe(fine);
        }
      });
    }
  }

  it('0s: refused as the display threshold (every session would be idle), taken as a reap rule (all of them)', () => {
    expect(parseAll(['--idle', '0s']).ok).toBe(false);
    expect(parseAll(['--idle', '0.5']).ok).toBe(false);
    const r = parseAll(['reap', '--idle', '0s']);
    expect(r.ok && r.mode === 'reap' && r.reapYes === false).toBe(true);
    expect(parseAll(['reap', '--max-age', '0', '--grace', '0']).ok).toBe(false);
  });

  it('a value is never taken for the subcommand: --<option> reap is the option with the value reap', () => {
    for (const name of NAMES.filter((n) => (GLOBAL[n] ?? REAP[n])?.type === 'string')) {
      const o = parseAll([`--${name}`, 'reap']);
      expectOneLine(o);
      if (o.ok) expect(o.mode, name).not.toBe('reap');
    }
  });

  it('random command lines: only UsageErrors, one line each, and the invariants hold', () => {
    const word = fc.oneof(
      fc.constantFrom(...NAMES.map((n) => `--${n}`), 'reap', 'reap', 'extra', '--', '-h', '-x', '--bogus'),
      fc.constantFrom(...Object.values(GOOD).flat(), ...Object.values(BAD).flat(), '', '='),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.array(word, { maxLength: 8 }), (argv) => {
        const o = parseAll(argv);
        expectOneLine(o);
        if (!o.ok) return;
        const reapAt = o.mode === 'reap' ? argv.indexOf('reap') : -1;
        // nothing signals over a captured tree: not the TUI, not reap --yes
        const testing = argv.some((a) => TESTING.some((t) => a === `--${t}` || a.startsWith(`--${t}=`)));
        if (testing) expect(o.mode, JSON.stringify(argv)).not.toBe('tui');
        if (testing && o.mode === 'reap') expect(o.reapYes, JSON.stringify(argv)).toBe(false);
        // no option sshtop itself does not know got through in a global mode
        if (o.mode !== undefined && o.mode !== 'reap') {
          for (const a of argv) if (/^--[a-z-]+$/.test(a) && !(a.slice(2) in GLOBAL)) expect.fail(`${a} accepted in ${JSON.stringify(argv)}`);
        }
        if (reapAt >= 0) {
          for (const a of argv.slice(0, reapAt)) {
            const n = /^--([a-z-]+)/.exec(a)?.[1];
            if (n !== undefined) expect(REAP_HONOURS as readonly string[], `${a} before reap in ${JSON.stringify(argv)}`).toContain(n);
          }
        }
      }),
      { numRuns: 5000 },
    );
  });
});

describe('the built CLI, a representative subset', () => {
  ensureBuilt();
  const env = { ...process.env, NO_COLOR: '1' };
  const run = (argv: string[]) => spawnSync(process.execPath, [SSHTOP, ...argv], { encoding: 'utf8', timeout: 20_000, env });
  /** the same, three at a time: the subset stays within its budget on two cores */
  const runAsync = (argv: string[]) =>
    new Promise<{ status: number | null; signal: string | null; stdout: string; stderr: string; error?: Error }>((resolve) => {
      execFile(process.execPath, [SSHTOP, ...argv], { encoding: 'utf8', timeout: 20_000, env }, (error, stdout, stderr) => {
        const e = error as (Error & { code?: unknown; signal?: string | null; killed?: boolean }) | null;
        const status = e === null ? 0 : typeof e.code === 'number' ? e.code : null;
        resolve({ status, signal: e?.signal ?? null, stdout, stderr, error: e && typeof e.code !== 'number' ? e : undefined });
      });
    });

  /** per option: every place it is refused (a good value), and where it is taken a bad and a missing value */
  function cases(): { argv: string[]; refused: boolean }[] {
    const out: { argv: string[]; refused: boolean }[] = [];
    for (const name of NAMES) {
      const type = (GLOBAL[name] ?? REAP[name])?.type;
      for (const place of PLACES) {
        const good = type === 'boolean' ? [`--${name}`] : [`--${name}`, GOOD[name]?.[0] ?? 'x'];
        const bad = type === 'boolean' ? [`--${name}=yes`] : BAD[name] ? [`--${name}`, BAD[name][0] as string] : [`--${name}=`];
        // every run reads the captured tree, never the live /proc: no spawn can reach a live session
        const where = (opt: string[]) => (TESTING.includes(name) ? argvFor(place, opt, name) : [...CAPTURED, ...argvFor(place, opt, name)]);
        if (!honoured(name, place)) {
          out.push({ argv: where(good), refused: true });
          continue;
        }
        out.push({ argv: where(bad), refused: true });
        if (type === 'string' && place !== 'before-reap') out.push({ argv: where([`--${name}`]), refused: true });
        // a success for reap's options (a dry run over the tree); the global modes' reads are slow, two suffice
        // (--yes is the exception: over a captured tree it must be refused)
        if (place === 'after-reap' || ['json', 'sort'].includes(name)) out.push({ argv: where(good), refused: name === 'yes' });
      }
    }
    return out;
  }

  it('exit 0 or 2 (never 1, a signal or a hang); a refusal is one line on stderr and nothing on stdout', async () => {
    const all = cases();
    // --yes only ever next to a captured tree, where it must be refused
    for (const c of all) if (c.argv.includes('--yes')) expect(c.argv).toContain('--proc-root');
    const t0 = Date.now();
    const results: Awaited<ReturnType<typeof runAsync>>[] = [];
    let next = 0;
    await Promise.all(
      [0, 1, 2].map(async () => {
        while (next < all.length) {
          const i = next++;
          results[i] = await runAsync((all[i] as { argv: string[] }).argv);
        }
      }),
    );
    all.forEach((c, i) => {
      const r = results[i] as Awaited<ReturnType<typeof runAsync>>;
      const label = JSON.stringify(c.argv);
      expect(r.error, label).toBeUndefined();
      expect(r.signal, label).toBeNull();
      expect([0, 2], `${label}: ${r.stderr}`).toContain(r.status);
      expect(r.status, `${label}: ${r.stderr}`).toBe(c.refused ? 2 : 0);
      if (r.status === 2) {
        expect(r.stdout, label).toBe('');
        expect(r.stderr, label).toMatch(/^sshtop: [^\n]+ \(see sshtop --help\)\n$/);
      } else expect(r.stderr, label).toBe('');
    });
    expect(all.length).toBeGreaterThan(60);
    console.log(`${all.length} runs in ${Date.now() - t0} ms`);
  }, 90_000);

  it('--yes with a captured tree, before or after the rules, is refused and names the option', () => {
    for (const argv of [
      [...CAPTURED, 'reap', '--dead-peer', '--yes'],
      ['--proc-root', `${FIXTURE}/proc`, 'reap', '--yes', '--idle', '1s'],
      ['--proc-root', `${FIXTURE}/proc`, '--dev-root', `${FIXTURE}/dev`, 'reap', '--max-age', '1s', '--yes', '--json'],
    ]) {
      const r = run(argv);
      expect(r.status, JSON.stringify(argv)).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^sshtop: reap --yes signals live processes: not with --proc-root .*\n$/);
    }
  });
});
