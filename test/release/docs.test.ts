// The man pages and completions are generated from the option tables, the usage texts and the
// key table (scripts/release-docs.ts); the committed copies must be what the generator makes now,
// man must render them without a warning, and bash must complete from them for real.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { generated } from '../../scripts/release-docs.js';
import { OPTIONS, REAP_OPTIONS, USAGE } from '../../src/cli/args.js';
import { REAP_USAGE } from '../../src/cli/reap-args.js';
import { keyHelp } from '../../src/ui/keymap.js';
import { SIGNALS } from '../../src/model/signal-names.js';

const REPO = new URL('../..', import.meta.url).pathname;
const CI = process.env.CI === 'true';

describe('generated docs', () => {
  it.each(Object.entries(generated()))('%s is what scripts/release-docs.ts makes from the sources (run npm run release:docs)', (rel, text) => {
    expect(readFileSync(join(REPO, rel), 'utf8')).toBe(text);
  });

  it('the man pages carry every option, every key and the usage lines', () => {
    const man = spawnSync('man', ['-l', join(REPO, 'man/sshtop.1')], { encoding: 'utf8', env: { ...process.env, MANWIDTH: '200', MAN_KEEP_FORMATTING: '' } }).stdout.replace(/.\u0008/g, '');
    const reap = spawnSync('man', ['-l', join(REPO, 'man/sshtop-reap.1')], { encoding: 'utf8', env: { ...process.env, MANWIDTH: '200' } }).stdout.replace(/.\u0008/g, '');
    for (const k of Object.keys(OPTIONS)) expect(man, `--${k}`).toContain(`--${k}`);
    for (const k of Object.keys(REAP_OPTIONS).filter((k) => k !== 'help')) expect(reap, `--${k}`).toContain(`--${k}`);
    for (const [, what] of keyHelp(false)) expect(man.replace(/\s+/g, ' ')).toContain(what.replace(/\s+/g, ' '));
    expect(USAGE).toContain('sshtop [--watch | --once | --json] [options]');
    expect(man).toContain('sshtop [--watch | --once | --json] [options]');
    expect(REAP_USAGE.split('\n')[0]).toMatch(/^usage: /);
  });

  it.each(['man/sshtop.1', 'man/sshtop-reap.1'])('man --warnings -l %s renders without a warning', (page) => {
    const r = spawnSync('man', ['--warnings', '-l', join(REPO, page)], { encoding: 'utf8', env: { ...process.env, MANWIDTH: '80', LANG: 'C.UTF-8' } });
    if (r.error && !CI) return; // no man here
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/SYNOPSIS/);
  });
});

/** what bash's programmable completion offers for the words typed so far (the last is being typed) */
function complete(...words: string[]): string[] {
  const script = `source ${join(REPO, 'completions/sshtop.bash')}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; COMP_LINE="\${COMP_WORDS[*]}"; COMP_POINT=\${#COMP_LINE}
_sshtop; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean);
}

describe('bash completion, asked of bash', () => {
  it('completes sshtop options and the reap subcommand', () => {
    expect(complete('sshtop', '--')).toEqual(Object.keys(OPTIONS).map((k) => `--${k}`));
    expect(complete('sshtop', 're')).toEqual(['reap']);
    expect(complete('sshtop', '--w')).toEqual(['--watch']);
  });
  it("completes reap's own options after the word reap", () => {
    expect(complete('sshtop', 'reap', '--sig')).toEqual(['--signal']);
    expect(complete('sshtop', '--no-color', 'reap', '--')).toEqual(Object.keys(REAP_OPTIONS).map((k) => `--${k}`));
  });
  it('completes signal names, in any case', () => {
    expect(complete('sshtop', 'reap', '--signal', '')).toEqual([...SIGNALS]);
    expect(complete('sshtop', 'reap', '--signal', 'h')).toEqual(['HUP']);
    expect(complete('sshtop', 'reap', '--signal', '=', '')).toEqual([...SIGNALS]);
  });
  it('completes users from the user database', () => {
    expect(complete('sshtop', '--user', 'roo')).toContain('root');
    expect(complete('sshtop', 'reap', '--exclude-user', 'ro')).toContain('root');
  });
  it('offers example durations, sort columns', () => {
    expect(complete('sshtop', 'reap', '--idle', '')).toEqual(expect.arrayContaining(['90s', '30m', '2h', '1d']));
    expect(complete('sshtop', '--idle', '=', '3')).toEqual(['30s', '30m']);
    expect(complete('sshtop', '--sort', 'i')).toEqual(['idle']);
  });
});

describe('zsh completion', () => {
  it('parses', () => {
    const r = spawnSync('zsh', ['-n', join(REPO, 'completions/_sshtop')], { encoding: 'utf8' });
    if (r.error && !CI) return; // no zsh here
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
