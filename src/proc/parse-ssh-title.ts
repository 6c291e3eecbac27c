// Executable names of the SSH daemons sshtop understands (SPEC 1.1 detection rule). Pure; shared
// by the reader (which processes to read in depth) and the classifier.
const FAMILY = new Set(['sshd', 'sshd-session', 'sshd-auth', 'dropbear']);
const TITLE_PREFIX = /^(sshd|sshd-session|sshd-auth): /;

/**
 * The daemon binary a process runs: comm names it (comm is never rewritten), except after a
 * Dropbear re-exec on older kernels, where comm may be a bare number and argv[0] tells.
 */
export function familyOf(comm: string, argv: readonly string[]): string | undefined {
  if (FAMILY.has(comm)) return comm;
  // any program can put `sshd: root [priv]` in its argv (`exec -a`): argv only speaks when comm cannot
  if (!commIsAmbiguous(comm)) return undefined;
  const first = argv[0] ?? '';
  const m = TITLE_PREFIX.exec(first);
  if (m) return m[1];
  const base = (first.split(' ')[0] ?? '').split('/').pop() ?? '';
  return FAMILY.has(base) ? base : undefined;
}

/** whether comm alone may hide a family process and argv must be read to tell */
export function commIsAmbiguous(comm: string): boolean {
  return /^\d+$/.test(comm);
}
