// classifyAll across ticks: a process whose title did not change (the reader hands out the same argv
// array) keeps its class without being classified again; one whose title, comm or parent changed
// is classified afresh, so a reused class is never a stale one.
import { describe, expect, it } from 'vitest';
import { classifyAll } from '../../src/model/sessions.js';
import { proc, snapshot } from '../support/mem-snapshot.js';

const listener = proc(100, 1, 'sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups');
const monitor = proc(200, 100, 'sshd-session: alice [priv]');

describe('classifyAll from one tick to the next', () => {
  it('an unchanged argv array keeps the very class of the last tick', () => {
    const first = classifyAll(snapshot([listener, monitor])).get(200);
    const next = classifyAll(snapshot([listener, { ...monitor }])).get(200);
    expect(first).toMatchObject({ role: 'monitor', user: 'alice' });
    expect(next).toBe(first);
  });

  it('a new title (a new argv array) is classified again', () => {
    const preauth = proc(300, 100, 'sshd-session: unknown [priv]');
    expect(classifyAll(snapshot([listener, preauth])).get(300)?.role).toBe('preauth');
    const named = { ...preauth, argv: ['sshd-session: bob [priv]'], cmdline: 'sshd-session: bob [priv]' };
    expect(classifyAll(snapshot([listener, named])).get(300)).toMatchObject({ role: 'monitor', user: 'bob' });
  });

  it('the same argv under another comm or parent is classified again', () => {
    const argv = ['dropbear', '-F', '-p', '2222'];
    const alone = proc(400, 1, 'dropbear', { comm: 'dropbear', argv });
    expect(classifyAll(snapshot([alone])).get(400)?.role).toBe('listener');
    // forked by a Dropbear listener, the same argv is a connection
    const parent = proc(399, 1, 'dropbear', { comm: 'dropbear', argv: ['dropbear', '-F'] });
    expect(classifyAll(snapshot([parent, { ...alone, ppid: 399 }])).get(400)?.role).toBe('connection');
    // exec'd into something else that kept the array (a captured tree may): comm decides
    expect(classifyAll(snapshot([{ ...alone, comm: 'bash' }])).get(400)?.role).toBe('process');
  });
});
