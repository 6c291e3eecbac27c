// The SSH daemons' names and titles, in one place (docs/openssh-titles.md): which binaries are
// SSH daemons, how an OpenSSH title splits, and which titles only change with the process's
// children. Pure; shared by the reader (what to read in depth, how often) and the classifier.
const FAMILY = new Set(['sshd', 'sshd-session', 'sshd-auth', 'dropbear']);
/** `sshd: alice@pts/3`, `sshd-session: alice [priv]`, `sshd-auth: unknown [net]`: binary and the rest */
const TITLE = /^(sshd|sshd-session|sshd-auth): (.*)$/s;
/** a logged-in user's title: `alice`, `alice@pts/3`, `alice@notty`, `alice [priv]` */
const USER_TITLE = /^([^\s@[\]]+)(?:@\S+| \[priv\])?$/;

/** an OpenSSH title split into the binary that set it and what follows `: ` */
export function splitTitle(title: string): { binary: string; rest: string } | undefined {
  const m = TITLE.exec(title);
  return m ? { binary: m[1] as string, rest: m[2] as string } : undefined;
}

/**
 * The daemon binary a process runs: comm names it (comm is never rewritten), except after a
 * Dropbear re-exec on older kernels, where comm may be a bare number and argv[0] tells.
 */
export function familyOf(comm: string, argv: readonly string[]): string | undefined {
  if (FAMILY.has(comm)) return comm;
  // any program can put `sshd: root [priv]` in its argv (`exec -a`): argv only speaks when comm cannot
  if (!commIsAmbiguous(comm)) return undefined;
  const first = argv[0] ?? '';
  const title = splitTitle(first);
  if (title) return title.binary;
  const base = (first.split(' ')[0] ?? '').split('/').pop() ?? '';
  return FAMILY.has(base) ? base : undefined;
}

/** first bytes a family process's comm may start with: a family name's, or a digit (ambiguous) */
const FAMILY_FIRST = new Set([...[...FAMILY].map((n) => n.charCodeAt(0)), ...'0123456789'.split('').map((d) => d.charCodeAt(0))]);

/** whether a comm starting with this byte may be a family process (a cheap first look, no decoding) */
export function mayBeFamilyComm(firstByte: number | undefined): boolean {
  return firstByte !== undefined && FAMILY_FIRST.has(firstByte);
}

/** whether comm alone may hide a family process and argv must be read to tell */
export function commIsAmbiguous(comm: string): boolean {
  return /^\d+$/.test(comm);
}

/**
 * Whether an SSH daemon's title changes only together with its children: a logged-in user's
 * (`alice@pts/3`, `alice@notty`, `alice`, `alice [priv]`) changes when a channel opens or closes,
 * and that forks or reaps a child; Dropbear never retitles. A listener's startups count and the
 * pre-auth forms (`[net]`, `unknown [priv]`, sshd-auth) change without that: they are read every
 * tick.
 */
export function isSettledTitle(comm: string, argv: readonly string[]): boolean {
  if (comm === 'dropbear') return true;
  const title = argv.length === 1 ? splitTitle(argv[0] as string) : undefined;
  if (!title || title.binary === 'sshd-auth') return false;
  const user = USER_TITLE.exec(title.rest)?.[1];
  return user !== undefined && user !== 'unknown';
}
