// Classify an sshd-family process by its title (docs/openssh-titles.md). Pure.
import { familyOf, splitTitle } from '../proc/parse-ssh-title.js';
import type { Classified, Startups } from './types.js';

const STARTUPS = /\[listener\] (\d+) of (\d+)-(\d+)(?:-(\d+))? startups/;
const TTY_LIST = /^pts\/\d+(?:,pts\/\d+)*$|^tty\w*$/;

export function parseStartups(title: string): Startups | null {
  const m = STARTUPS.exec(title);
  if (!m) return null;
  // OpenSSH prints `<active> of <start>-<full>`; the rate only comes from the config
  const n = m.slice(1).map((x) => (x === undefined ? undefined : Number(x)));
  const [active, start, second, third] = n as [number, number, number, number | undefined];
  return third === undefined
    ? { active, start, rate: null, full: second }
    : { active, start, rate: second, full: third };
}

/**
 * Classify one process. `parentIsDropbear` tells a Dropbear connection child (forked by the
 * listener) from the listener itself: Dropbear does not rewrite its title.
 */
export function classifyProcess(comm: string, argv: readonly string[], parentIsDropbear = false): Classified {
  const family = familyOf(comm, argv);
  if (family === undefined) return { role: 'process', daemon: 'other' };
  if (family === 'dropbear') {
    const connection = parentIsDropbear || argv.includes('-2') || argv.includes('-i');
    return { role: connection ? 'connection' : 'listener', daemon: 'dropbear' };
  }
  // no argv at all: a zombie (OpenSSH 10.x `sshd -i` never reaps its rexec-state child) or a
  // process exiting; it is part of the tree, but never a listener
  if (argv.length === 0) return { role: 'unknown', daemon: 'openssh' };
  const title = argv.join(' ');
  const split = splitTitle(title);
  if (!split) {
    // a configuration test (`sshd -T -f …`, sshtop's own policy read included) serves nobody
    if (argv.some((a) => a === '-T' || a === '-t' || a === '-V')) return { role: 'process', daemon: 'openssh' };
    // not retitled: an old listener (`/usr/sbin/sshd -D`), a re-exec child before its title, inetd
    if (argv.includes('-R') || argv.includes('-i') || family === 'sshd-auth') return { role: 'preauth', daemon: 'openssh' };
    if (family === 'sshd-session') return { role: 'preauth', daemon: 'openssh' };
    return { role: 'listener', daemon: 'openssh', startups: null };
  }
  const { binary, rest } = split;
  if (rest.includes('[listener]')) return { role: 'listener', daemon: 'openssh', startups: parseStartups(rest) };
  // `[net]` alone: the privsep child before the client named a user (seen on 9.2)
  if (/^\[(accepted|rexeced|net|session-auth[^\]]*)\]$/.test(rest)) return { role: 'preauth', daemon: 'openssh' };
  if (binary === 'sshd-auth') {
    // 10.x: `sshd-auth: alice [net]` once the client named a valid user
    const who = /^(\S+) \[net\]$/.exec(rest)?.[1];
    return who === undefined || who === 'unknown' ? { role: 'preauth', daemon: 'openssh' } : { role: 'preauth', user: who, daemon: 'openssh' };
  }

  const bracket = /^(\S+) \[(\w[\w-]*)\]$/.exec(rest);
  if (bracket) {
    const [, who, tag] = bracket as unknown as [string, string, string];
    const user = who === 'unknown' ? undefined : who;
    switch (tag) {
      case 'priv':
      case 'postauth':
        return who === 'unknown' ? { role: 'preauth', daemon: 'openssh' } : { role: 'monitor', user: who, daemon: 'openssh' };
      case 'net':
        return user === undefined ? { role: 'preauth', daemon: 'openssh' } : { role: 'preauth', user, daemon: 'openssh' };
      case 'pam':
        return user === undefined ? { role: 'pam', daemon: 'openssh' } : { role: 'pam', user, daemon: 'openssh' };
      default:
        return { role: 'unknown', daemon: 'openssh' };
    }
  }
  const at = /^([^\s@]+)@(\S+)$/.exec(rest);
  if (at) {
    const [, user, where] = at as unknown as [string, string, string];
    if (where === 'internal-sftp') return { role: 'sftp', user, daemon: 'openssh' };
    if (where === 'notty') return { role: 'user', user, notty: true, daemon: 'openssh' };
    if (TTY_LIST.test(where)) return { role: 'user', user, ttys: where.split(','), daemon: 'openssh' };
    return { role: 'unknown', user, daemon: 'openssh' };
  }
  // `sshd: alice`: a connection with no session channel (-N forwarding)
  if (/^[^\s@[\]]+$/.test(rest)) return { role: 'user', user: rest, forwardOnly: true, daemon: 'openssh' };
  return { role: 'unknown', daemon: 'openssh' };
}
