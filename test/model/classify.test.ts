// Title classification, table-driven: every form in docs/openssh-titles.md, plus the exact strings
// seen on the real daemons this project runs (OpenSSH 9.2 from Debian 12, upstream 10.0p1 and
// 10.3p1 built from source, Dropbear 2022.83); test/e2e/daemons.e2e.test.ts is where those strings
// were seen.
import { describe, expect, it } from 'vitest';
import { classifyProcess, parseStartups } from '../../src/model/classify.js';
import { familyOf } from '../../src/proc/parse-ssh-title.js';
import type { Classified } from '../../src/model/types.js';

interface Row {
  /**
   * where the string comes from: the daemon it was seen on, or `SPEC`: a form only the project's
   * first design notes list (docs/openssh-titles.md), not seen on a daemon here
   */
  seen: string;
  comm: string;
  argv: string[];
  parentIsDropbear?: boolean;
  want: Partial<Classified>;
}

const DB_LISTENER = ['/usr/sbin/dropbear', '-F', '-E', '-p', '127.0.0.1:35567', '-r', '/tmp/sshtop-lab-EmiF7S/dropbear_ed25519', '-P', '/tmp/sshtop-lab-EmiF7S/dropbear.pid'];

const ROWS: Row[] = [
  // ---- listeners
  { seen: 'SPEC', comm: 'sshd', argv: ['sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups'], want: { role: 'listener', daemon: 'openssh', startups: { active: 0, start: 10, rate: null, full: 100 } } },
  { seen: 'SPEC (< 8.2: plain argv)', comm: 'sshd', argv: ['/usr/sbin/sshd', '-D'], want: { role: 'listener', daemon: 'openssh', startups: null } },
  { seen: 'OpenSSH 9.2', comm: 'sshd', argv: ['sshd: /usr/sbin/sshd -D -f /tmp/sshtop-lab-58DAW1/sshd_config -E /tmp/sshtop-lab-58DAW1/sshd.log [listener] 1 of 10-100 startups'], want: { role: 'listener', startups: { active: 1, start: 10, rate: null, full: 100 } } },
  { seen: 'OpenSSH 10.3p1', comm: 'sshd', argv: ['sshd: /var/cache/sshtop-lab/openssh-10.3p1/sbin/sshd -D -f /tmp/sshtop-lab-nrPl0u/sshd_config -E /tmp/sshtop-lab-nrPl0u/sshd.log [listener] 3 of 10-100 startups'], want: { role: 'listener', startups: { active: 3, start: 10, rate: null, full: 100 } } },

  // ---- pre-auth
  { seen: 'SPEC, OpenSSH 9.2', comm: 'sshd', argv: ['sshd: [accepted]'], want: { role: 'preauth', user: undefined } },
  { seen: 'SPEC', comm: 'sshd', argv: ['sshd: [rexeced]'], want: { role: 'preauth' } },
  { seen: 'SPEC, OpenSSH 9.2 (login as a user that does not exist)', comm: 'sshd', argv: ['sshd: unknown [priv]'], want: { role: 'preauth', user: undefined } },
  { seen: 'SPEC, OpenSSH 9.2 (login as a user that does not exist)', comm: 'sshd', argv: ['sshd: unknown [net]'], want: { role: 'preauth', user: undefined } },
  { seen: 'OpenSSH 10.0p1, 10.3p1 (login as a user that does not exist)', comm: 'sshd-session', argv: ['sshd-session: unknown [priv]'], want: { role: 'preauth', user: undefined } },
  { seen: 'OpenSSH 10.0p1, 10.3p1 (login as a user that does not exist)', comm: 'sshd-auth', argv: ['sshd-auth: unknown [net]'], want: { role: 'preauth', user: undefined } },
  { seen: 'SPEC, OpenSSH 9.2 (password prompt up)', comm: 'sshd', argv: ['sshd: sshtop-t1 [net]'], want: { role: 'preauth', user: 'sshtop-t1' } },
  // the privsep child before the client named a user: no `unknown`, just the tag
  { seen: 'OpenSSH 9.2 (banner sent, kex pending)', comm: 'sshd', argv: ['sshd: [net]'], want: { role: 'preauth', user: undefined } },
  { seen: 'SPEC', comm: 'sshd-auth', argv: ['sshd-auth: [session-auth early]'], want: { role: 'preauth' } },
  { seen: 'SPEC, OpenSSH 10.0p1 (banner), 10.3p1 (at once)', comm: 'sshd-auth', argv: ['sshd-auth: [session-auth]'], want: { role: 'preauth', user: undefined } },
  { seen: 'OpenSSH 10.0p1, 10.3p1 (password prompt up)', comm: 'sshd-auth', argv: ['sshd-auth: sshtop-t1 [net]'], want: { role: 'preauth', user: 'sshtop-t1' } },
  { seen: 'OpenSSH 10.0p1, 10.3p1', comm: 'sshd-session', argv: ['sshd-session: [accepted]'], want: { role: 'preauth', user: undefined } },
  { seen: 'SPEC (9.8/9.9 privsep child)', comm: 'sshd-session', argv: ['sshd-session: [net]'], want: { role: 'preauth' } },
  { seen: 'SPEC (re-exec child before its title)', comm: 'sshd', argv: ['/usr/sbin/sshd', '-D', '-R'], want: { role: 'preauth' } },
  { seen: 'SPEC (inetd child before its title)', comm: 'sshd', argv: ['/usr/sbin/sshd', '-i', '-f', '/etc/ssh/sshd_config'], want: { role: 'preauth' } },
  { seen: 'SPEC (sshd-auth before its title)', comm: 'sshd-auth', argv: ['/usr/libexec/sshd-auth'], want: { role: 'preauth' } },
  // seen here: sshtop's own policy read (as root), and one a hostile -f path had kept waiting
  { seen: 'sshtop (sshd -T child)', comm: 'sshd', argv: ['/usr/sbin/sshd', '-T', '-f', '/dev/zero'], want: { role: 'process' } },
  { seen: 'admin (sshd -t)', comm: 'sshd', argv: ['/usr/sbin/sshd', '-t'], want: { role: 'process' } },

  // ---- monitors
  { seen: 'SPEC, OpenSSH 9.2', comm: 'sshd', argv: ['sshd: sshtop-t1 [priv]'], want: { role: 'monitor', user: 'sshtop-t1' } },
  { seen: 'SPEC, OpenSSH 10.0p1, 10.3p1', comm: 'sshd-session', argv: ['sshd-session: sshtop-t3 [priv]'], want: { role: 'monitor', user: 'sshtop-t3' } },
  { seen: 'OpenSSH 10.0p1, 10.3p1 (root login: monitor/child split)', comm: 'sshd-session', argv: ['sshd-session: root [priv]'], want: { role: 'monitor', user: 'root' } },
  // the design notes said "newest releases"; upstream 10.3p1 has no such title (setproctitle calls checked)
  { seen: 'SPEC only', comm: 'sshd-session', argv: ['sshd-session: alice [postauth]'], want: { role: 'monitor', user: 'alice' } },

  // ---- PAM helper
  { seen: 'SPEC', comm: 'sshd', argv: ['sshd: alice [pam]'], want: { role: 'pam', user: 'alice' } },
  // the PAM conversation of a keyboard-interactive login in progress: a root child of the monitor
  { seen: 'OpenSSH 9.2 (keyboard-interactive prompt up)', comm: 'sshd', argv: ['sshd: sshtop-t2 [pam]'], want: { role: 'pam', user: 'sshtop-t2' } },
  { seen: 'OpenSSH 10.0p1, 10.3p1 (keyboard-interactive prompt up)', comm: 'sshd-session', argv: ['sshd-session: sshtop-t2 [pam]'], want: { role: 'pam', user: 'sshtop-t2' } },

  // ---- user children
  { seen: 'SPEC', comm: 'sshd', argv: ['sshd: alice@pts/3'], want: { role: 'user', user: 'alice', ttys: ['pts/3'] } },
  { seen: 'OpenSSH 9.2', comm: 'sshd', argv: ['sshd: sshtop-t1@pts/31'], want: { role: 'user', user: 'sshtop-t1', ttys: ['pts/31'] } },
  { seen: 'OpenSSH 9.2 (root login: the one process)', comm: 'sshd', argv: ['sshd: root@pts/32'], want: { role: 'user', user: 'root', ttys: ['pts/32'] } },
  { seen: 'SPEC', comm: 'sshd', argv: ['sshd: alice@notty'], want: { role: 'user', user: 'alice', notty: true } },
  { seen: 'OpenSSH 10.3p1', comm: 'sshd-session', argv: ['sshd-session: sshtop-t4@notty'], want: { role: 'user', user: 'sshtop-t4', notty: true } },
  { seen: 'SPEC', comm: 'sshd', argv: ['sshd: alice'], want: { role: 'user', user: 'alice', forwardOnly: true } },
  { seen: 'OpenSSH 10.3p1 (-N)', comm: 'sshd-session', argv: ['sshd-session: sshtop-t4'], want: { role: 'user', user: 'sshtop-t4', forwardOnly: true } },
  { seen: 'SPEC', comm: 'sshd', argv: ['sshd: alice@pts/3,pts/7'], want: { role: 'user', user: 'alice', ttys: ['pts/3', 'pts/7'] } },
  { seen: 'OpenSSH 10.0p1 (ControlMaster, two ttys)', comm: 'sshd-session', argv: ['sshd-session: sshtop-t3@pts/31,pts/32'], want: { role: 'user', user: 'sshtop-t3', ttys: ['pts/31', 'pts/32'] } },

  // ---- sftp
  { seen: 'SPEC, OpenSSH 9.2', comm: 'sshd', argv: ['sshd: sshtop-t2@internal-sftp'], want: { role: 'sftp', user: 'sshtop-t2' } },
  { seen: 'OpenSSH 10.3p1', comm: 'sshd-session', argv: ['sshd-session: sshtop-t2@internal-sftp'], want: { role: 'sftp', user: 'sshtop-t2' } },
  { seen: 'SPEC (external sftp-server is an ordinary process)', comm: 'sftp-server', argv: ['/usr/lib/openssh/sftp-server'], want: { role: 'process', daemon: 'other' } },

  // ---- what is not a title
  // OpenSSH 10.x `sshd -i` under inetd leaves its rexec-state child unreaped: a zombie, no argv
  { seen: 'OpenSSH 10.3p1 under inetd (zombie)', comm: 'sshd', argv: [], want: { role: 'unknown', daemon: 'openssh' } },
  { seen: 'SPEC (unknown title kept)', comm: 'sshd', argv: ['sshd: something else entirely'], want: { role: 'unknown', daemon: 'openssh' } },
  { seen: 'SPEC (unknown bracket tag kept)', comm: 'sshd-session', argv: ['sshd-session: alice [frobbed]'], want: { role: 'unknown' } },
  { seen: 'not a daemon', comm: 'bash', argv: ['-bash'], want: { role: 'process', daemon: 'other' } },
  { seen: 'not a daemon (title look-alike in another program)', comm: 'python3', argv: ['python3', 'sshd: alice [priv]'], want: { role: 'process', daemon: 'other' } },
  // `exec -a 'sshd: root [priv]' sleep 1000`: comm stays `sleep`; argv is attacker-controlled
  { seen: 'not a daemon (exec -a spoofing a title)', comm: 'sleep', argv: ['sshd: root [priv]'], want: { role: 'process', daemon: 'other' } },
  { seen: 'not a daemon (exec -a spoofing the binary)', comm: 'sleep', argv: ['/usr/sbin/dropbear', '-2', '5'], want: { role: 'process', daemon: 'other' } },

  // ---- Dropbear: never retitled
  { seen: 'Dropbear 2022.83 (listener)', comm: 'dropbear', argv: DB_LISTENER, want: { role: 'listener', daemon: 'dropbear' } },
  { seen: 'Dropbear 2022.83 (re-executed connection)', comm: 'dropbear', argv: [...DB_LISTENER, '-2', '8'], want: { role: 'connection', daemon: 'dropbear' } },
  { seen: 'SPEC (older Dropbear: forked, not re-executed)', comm: 'dropbear', argv: DB_LISTENER, parentIsDropbear: true, want: { role: 'connection', daemon: 'dropbear' } },
  { seen: 'SPEC (Dropbear under inetd)', comm: 'dropbear', argv: ['/usr/sbin/dropbear', '-i'], want: { role: 'connection', daemon: 'dropbear' } },
  { seen: 'SPEC (re-exec on older kernels: numeric comm)', comm: '8', argv: [...DB_LISTENER, '-2', '8'], want: { role: 'connection', daemon: 'dropbear' } },
];

describe('classifyProcess', () => {
  it.each(ROWS.map((r) => [`${r.seen}: ${r.comm} ${JSON.stringify(r.argv.join('|'))}`, r] as const))('%s', (_name, r) => {
    const got = classifyProcess(r.comm, r.argv, r.parentIsDropbear ?? false);
    for (const [k, v] of Object.entries(r.want)) expect(got[k as keyof Classified], k).toEqual(v);
  });

  it('covers every role the model knows', () => {
    const roles = new Set(ROWS.map((r) => r.want.role));
    for (const role of ['listener', 'preauth', 'monitor', 'pam', 'user', 'sftp', 'connection', 'unknown', 'process']) expect(roles).toContain(role);
  });
});

describe('familyOf', () => {
  it.each([
    ['sshd', ['sshd: alice [priv]'], 'sshd'],
    ['sshd-session', ['sshd-session: [accepted]'], 'sshd-session'],
    ['sshd-auth', ['sshd-auth: [session-auth]'], 'sshd-auth'],
    ['dropbear', DB_LISTENER, 'dropbear'],
    ['8', [...DB_LISTENER, '-2', '8'], 'dropbear'],
    ['5', ['dropbear', '-2', '5'], 'dropbear'],
    ['12', ['sshd: alice@pts/1'], 'sshd'],
    ['bash', ['-bash'], undefined],
    ['sleep', ['sshd: root [priv]'], undefined],
    ['7', ['/usr/bin/python3', 'x.py'], undefined],
  ] as const)('%s %j → %s', (comm, argv, want) => {
    expect(familyOf(comm, argv)).toBe(want);
  });
});

describe('parseStartups', () => {
  it.each([
    ['sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups', { active: 0, start: 10, rate: null, full: 100 }],
    ['sshd: /usr/sbin/sshd -D [listener] 7 of 10-30-100 startups', { active: 7, start: 10, rate: 30, full: 100 }],
    ['/usr/sbin/sshd -D', null],
  ] as const)('%s', (title, want) => {
    expect(parseStartups(title)).toEqual(want);
  });
});
