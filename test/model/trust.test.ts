// Who is believed: a process named like an SSH daemon is one only if what it runs (its binary)
// and who runs it (its uid) say so. Titles and comm are anyone's to write.
import { describe, expect, it } from 'vitest';
import { selectForReap } from '../../src/model/reap-rules.js';
import { buildModel, classifyAll } from '../../src/model/sessions.js';
import { forgedReason, isTrustedListener } from '../../src/model/trust.js';
import type { ExeFacts, ProcEntry } from '../../src/model/types.js';
import { proc, snapshot } from '../support/mem-snapshot.js';

const opts = { idleSeconds: 600, selfPid: 99_999 };
const SSHD: ExeFacts = { path: '/usr/sbin/sshd', uid: 0, mode: 0o755, regular: true };
const exe = (over: Partial<ExeFacts>): ExeFacts => ({ ...SSHD, ...over });

describe('forgedReason', () => {
  const p = (extra: Partial<ProcEntry>) => proc(500, 1, 'sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups', extra);
  it.each<[string, Partial<ProcEntry>, boolean, RegExp | undefined]>([
    ['the system binary, as root', { exe: SSHD }, true, undefined],
    ['a binary an upgrade replaced (link text had " (deleted)")', { exe: exe({ path: '/usr/sbin/sshd' }) }, true, undefined],
    ['OpenSSH 10 helpers', { exe: exe({ path: '/usr/lib/openssh/sshd-session' }) }, false, undefined],
    ['Dropbear', { exe: exe({ path: '/usr/sbin/dropbear' }) }, true, undefined],
    ['not readable by this user: unverified, not forged', { exe: null }, true, undefined],
    ['not read at all (captured tree)', {}, true, undefined],
    ['a python that renamed itself', { exe: exe({ path: '/usr/bin/python3.11' }) }, false, /no SSH daemon/],
    ['a copy in /tmp owned by the user', { exe: exe({ path: '/tmp/sshd', uid: 1001 }) }, false, /owned by uid 1001/],
    ['a root-owned binary others may write', { exe: exe({ mode: 0o777 }) }, false, /others may write/],
    ['group-writable', { exe: exe({ mode: 0o775 }) }, false, /others may write/],
    ['not a regular file', { exe: exe({ regular: false }) }, false, /not a regular file/],
    ['the real binary run by a user, as a listener', { exe: SSHD, uid: 1001 }, true, /runs as uid 1001/],
    ['the real binary run by a user, below a daemon', { exe: SSHD, uid: 1001 }, false, undefined],
  ])('%s', (_, extra, top, expected) => {
    const why = forgedReason(p(extra), top);
    if (expected === undefined) expect(why).toBeUndefined();
    else expect(why).toMatch(expected);
  });
});

describe('isTrustedListener: whose -f root runs sshd -T on, before the model is built', () => {
  const title = 'sshd: /usr/sbin/sshd -D -f /home/bob/cfg [listener] 0 of 10-100 startups';
  it.each<[string, ProcEntry, boolean]>([
    ['the system listener', proc(100, 1, title, { exe: SSHD }), true],
    ['a Dropbear listener', proc(100, 1, 'dropbear -F -p 22', { comm: 'dropbear', exe: exe({ path: '/usr/sbin/dropbear' }) }), true],
    ['a python titled as a listener', proc(100, 1, title, { uid: 1001, exe: exe({ path: '/usr/bin/python3.11' }) }), false],
    ['a copy of sshd owned by the user', proc(100, 1, title, { uid: 1001, exe: exe({ path: '/home/bob/sshd', uid: 1001 }) }), false],
    ['the real binary run by a user', proc(100, 1, title, { uid: 1001, exe: SSHD }), false],
    ['a connection whose listener is gone', proc(100, 1, 'sshd: alice [priv]', { exe: SSHD }), false],
  ])('%s: %s', (_, p, want) => {
    expect(isTrustedListener(p)).toBe(want);
  });
});

describe('a fake daemon is never believed', () => {
  const listener = proc(100, 1, 'sshd: /usr/sbin/sshd -D -f /etc/ssh/sshd_config [listener] 0 of 10-100 startups', { exe: SSHD });
  const monitor = proc(200, 100, 'sshd: alice [priv]', { exe: SSHD, sockets: [] });
  const child = proc(201, 200, 'sshd: alice@pts/3', { exe: SSHD, uid: 1000, tty: 'pts/3' });
  const shell = proc(202, 201, 'bash', { uid: 1000, tty: 'pts/3' });

  it('a user process titled as a listener is no listener: its -f path is never used', () => {
    const fake = proc(900, 1, 'sshd: /usr/sbin/sshd -D -f /tmp/fifo [listener] 0 of 10-100 startups', {
      uid: 1001,
      exe: exe({ path: '/usr/bin/python3.11' }),
    });
    const model = buildModel(snapshot([listener, monitor, child, shell, fake]), opts);
    expect(model.listeners.map((l) => l.pid)).toEqual([100]);
    const s = model.sessions.find((x) => x.pid === 900);
    expect(s?.flags).toEqual(['untrusted']);
    expect(s?.reasons.untrusted).toMatch(/python3/);
    // the user is who runs it, not what the title claims
    expect(s?.user).toBe('bob');
    expect(classifyAll(snapshot([fake])).get(900)?.role).toBe('process');
  });

  it('a fake session of another user is flagged, keeps its real owner, and no rule reaps it', () => {
    const fake = proc(900, 1, 'sshd: root [priv]', { uid: 1001, exe: exe({ path: '/home/bob/sshd', uid: 1001 }) });
    const kid = proc(901, 900, 'sshd: root@pts/9', { uid: 1001, exe: exe({ path: '/home/bob/sshd', uid: 1001 }) });
    const model = buildModel(snapshot([listener, monitor, child, shell, fake, kid]), opts);
    const s = model.sessions.find((x) => x.pid === 900);
    expect(s?.user).toBe('bob');
    expect(s?.flags[0]).toBe('untrusted');
    expect(s?.processes.map((p) => p.pid)).toEqual([900, 901]);
    // its children are part of it, never sessions of their own
    expect(model.sessions.filter((x) => x.pid === 901)).toEqual([]);
    const sel = selectForReap(model, { maxAgeSeconds: 0 });
    expect(sel.matched.map((d) => d.session.pid)).toEqual([200]);
    expect(sel.spared.find((d) => d.session.pid === 900)?.reasons.join(' ')).toMatch(/not a real SSH session/);
  });

  it('the real sshd binary run as a user is not a root daemon (no exe needed: the uid says it)', () => {
    const own = proc(900, 1, 'sshd: /usr/sbin/sshd -D -f /dev/zero [listener] 0 of 10-100 startups', { uid: 1001 });
    const model = buildModel(snapshot([listener, own]), opts);
    expect(model.listeners.map((l) => l.pid)).toEqual([100]);
    expect(model.sessions.find((s) => s.pid === 900)?.flags).toEqual(['untrusted']);
  });

  it('a title of their choosing exec\'d below a user child stays the user\'s process', () => {
    // `exec -a 'sshd: root [priv]' /usr/sbin/sshd …` from the login shell: a real binary, as the user
    const fake = proc(203, 201, 'sshd: root [priv]', { uid: 1000, exe: SSHD, tty: 'pts/3' });
    const model = buildModel(snapshot([listener, monitor, child, fake]), opts);
    expect(model.sessions.map((s) => s.pid)).toEqual([200]);
    const s = model.sessions[0];
    expect(s?.user).toBe('alice');
    expect(s?.processes.find((p) => p.pid === 203)?.role).toBe('process');
  });

  it('a process renamed sshd inside a real session is that session\'s process, not a second session', () => {
    const renamed = proc(203, 202, 'sshd: root@pts/0', { uid: 1000, exe: exe({ path: '/usr/bin/perl' }), tty: 'pts/3' });
    const model = buildModel(snapshot([listener, monitor, child, shell, renamed]), opts);
    expect(model.sessions.map((s) => s.pid)).toEqual([200]);
    expect(model.sessions[0]?.flags).not.toContain('untrusted');
    expect(model.sessions[0]?.processes.map((p) => p.pid)).toEqual([200, 201, 202, 203]);
  });

  it('a root-started sshd inside a login heads its own tree: no process is in two sessions', () => {
    const sudo = proc(203, 202, 'sudo /usr/sbin/sshd -D -p 2222', { comm: 'sudo', tty: 'pts/3' });
    const nested = proc(300, 203, 'sshd: /usr/sbin/sshd -D -p 2222 [listener] 0 of 10-100 startups', { exe: SSHD });
    const nMon = proc(301, 300, 'sshd: bob [priv]', { exe: SSHD });
    const nKid = proc(302, 301, 'sshd: bob@pts/4', { exe: SSHD, uid: 1001, tty: 'pts/4' });
    const nSh = proc(303, 302, 'bash', { uid: 1001, tty: 'pts/4' });
    const model = buildModel(snapshot([listener, monitor, child, shell, sudo, nested, nMon, nKid, nSh]), opts);
    expect(model.listeners.map((l) => l.pid)).toEqual([100, 300]);
    const owners = new Map<number, number[]>();
    for (const s of model.sessions) for (const p of s.processes) owners.set(p.pid, [...(owners.get(p.pid) ?? []), s.pid]);
    for (const [pid, list] of owners) expect([pid, list]).toEqual([pid, [list[0]]]);
    expect(model.sessions.find((s) => s.pid === 301)?.listenerPid).toBe(300);
    expect(model.sessions.find((s) => s.pid === 200)?.processes.map((p) => p.pid)).toEqual([200, 201, 202, 203]);
  });
});
