// The parsers that lived inside the reader, as tables: exit_signal from stat, the hidepid of a
// proc mount from mountinfo, and the one sshd-title grammar (split, settled).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseExitSignal, procMountHides } from '../../src/proc/parse.js';
import { familyOf, isSettledTitle, splitTitle } from '../../src/proc/parse-ssh-title.js';

/** a stat line whose field 38 (exit_signal) is `sig`, with `comm` as given */
const stat = (comm: string, sig: string): string =>
  `42 (${comm}) S ${Array.from({ length: 34 }, (_, i) => String(i + 1)).join(' ')} ${sig} 0 0 0`;

describe('parseExitSignal', () => {
  it.each([
    ['a process leader', stat('bash', '17'), 17],
    ['a thread (not its leader)', stat('bash', '-1'), -1],
    ['comm with spaces and parentheses', stat('a) (b', '17'), 17],
    ['no closing parenthesis', '42 (bash S 1 2', undefined],
    ['too few fields', '42 (bash) S 1 2 3', undefined],
    ['garbage in the field', stat('bash', 'x'), undefined],
    ['empty', '', undefined],
  ])('%s', (_, text, want) => {
    expect(parseExitSignal(text)).toBe(want);
  });

  it('finds the field in place exactly as splitting the line did', () => {
    const bySplit = (text: string): number | undefined => {
      const close = text.lastIndexOf(')');
      if (close < 0) return undefined;
      const n = Number(text.slice(close + 2).split(' ', 36)[35]);
      return Number.isInteger(n) ? n : undefined;
    };
    const token = fc.oneof(fc.constantFrom('', '-1', '17', '0', 'x', ')', ' ', '1e3', '+5', '\n'), fc.string({ maxLength: 4 }));
    const line = fc.tuple(fc.string({ maxLength: 8 }), fc.array(token, { maxLength: 45 })).map(([comm, f]) => `42 (${comm}) ${f.join(' ')}`);
    fc.assert(fc.property(fc.oneof(line, fc.string()), (text) => parseExitSignal(text) === bySplit(text)), { numRuns: 3000 });
  });
});

describe('procMountHides', () => {
  const line = (point: string, type: string, options: string) => `22 1 0:21 / ${point} rw,nosuid,nodev,noexec,relatime shared:12 - ${type} proc ${options}`;
  it.each([
    ['hidepid=2', line('/proc', 'proc', 'rw,hidepid=2'), '/proc', [1000], true],
    ['hidepid=invisible', line('/proc', 'proc', 'rw,hidepid=invisible'), '/proc', [1000], true],
    ['hidepid=ptraceable', line('/proc', 'proc', 'rw,hidepid=ptraceable'), '/proc', [1000], true],
    ['hidepid=4', line('/proc', 'proc', 'rw,hidepid=4'), '/proc', [1000], true],
    ['hidepid=1 shows every pid', line('/proc', 'proc', 'rw,hidepid=1'), '/proc', [1000], false],
    ['no hidepid', line('/proc', 'proc', 'rw'), '/proc', [1000], false],
    ['a member of gid= sees everything', line('/proc', 'proc', 'rw,gid=27,hidepid=2'), '/proc', [1000, 27], false],
    ['not a member of gid=', line('/proc', 'proc', 'rw,gid=27,hidepid=2'), '/proc', [1000], true],
    ['another mount point', line('/other', 'proc', 'rw,hidepid=2'), '/proc', [1000], false],
    ['not a proc mount', line('/proc', 'tmpfs', 'rw,hidepid=2'), '/proc', [1000], false],
    ['the last mount on the path wins', `${line('/proc', 'proc', 'rw,hidepid=2')}\n${line('/proc', 'proc', 'rw')}`, '/proc', [1000], false],
    ['octal escapes in the mount point', line('/my\\040proc', 'proc', 'rw,hidepid=2'), '/my proc', [1000], true],
    ['empty mountinfo', '', '/proc', [1000], false],
  ] as const)('%s', (_, mountinfo, target, groups, want) => {
    expect(procMountHides(mountinfo, target, groups)).toBe(want);
  });
});

describe('splitTitle', () => {
  it.each([
    ['sshd: alice@pts/3', { binary: 'sshd', rest: 'alice@pts/3' }],
    ['sshd-session: alice [priv]', { binary: 'sshd-session', rest: 'alice [priv]' }],
    ['sshd-auth: unknown [net]', { binary: 'sshd-auth', rest: 'unknown [net]' }],
    ['sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups', { binary: 'sshd', rest: '/usr/sbin/sshd -D [listener] 0 of 10-100 startups' }],
    ['sshd: a\nb', { binary: 'sshd', rest: 'a\nb' }],
    ['/usr/sbin/sshd -D', undefined],
    ['sshdx: alice', undefined],
    ['dropbear: alice', undefined],
    ['', undefined],
  ])('%j', (title, want) => {
    expect(splitTitle(title)).toEqual(want);
  });
  it('familyOf reads the same grammar when comm cannot tell', () => {
    expect(familyOf('12345', ['sshd-session: alice@pts/3'])).toBe('sshd-session');
    expect(familyOf('bash', ['sshd: alice@pts/3'])).toBeUndefined();
  });
});

describe('isSettledTitle', () => {
  it.each([
    ['sshd', ['sshd: alice@pts/3'], true],
    ['sshd', ['sshd: alice@pts/3,pts/7'], true],
    ['sshd', ['sshd: alice@notty'], true],
    ['sshd', ['sshd: alice'], true],
    ['sshd', ['sshd: alice [priv]'], true],
    ['sshd-session', ['sshd-session: alice@pts/3'], true],
    ['sshd', ['sshd: unknown [priv]'], false],
    ['sshd', ['sshd: alice [net]'], false],
    ['sshd', ['sshd: alice [pam]'], false],
    ['sshd-auth', ['sshd-auth: alice [net]'], false],
    ['sshd', ['sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups'], false],
    ['sshd', ['sshd: [accepted]'], false],
    ['sshd', ['sshd:', 'alice@pts/3'], false],
    ['sshd', [], false],
    ['sshd', ['/usr/sbin/sshd', '-D'], false],
    ['dropbear', ['/usr/sbin/dropbear', '-F'], true],
  ] as const)('%s %j', (comm, argv, want) => {
    expect(isSettledTitle(comm, argv)).toBe(want);
  });
});
