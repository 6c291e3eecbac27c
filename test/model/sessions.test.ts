// buildModel over in-memory snapshots: cases no real daemon layout captures on demand.
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/model/sessions.js';
import { proc, snapshot } from '../support/mem-snapshot.js';

const opts = { idleSeconds: 600, selfPid: 99_999 };

describe('buildModel', () => {
  it('an exited sshd that init has not reaped yet is no session', () => {
    const snap = snapshot([
      proc(100, 1, 'sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups'),
      // seen on a host whose init reaps slowly: the monitor exited, its child was reparented
      proc(300, 1, '', { comm: 'sshd-session', argv: [], cmdline: '', state: 'Z' }),
      proc(400, 1, 'sshd: alice [priv]', { sockets: [] }),
    ]);
    const model = buildModel(snap, opts);
    expect(model.sessions.map((s) => s.pid)).toEqual([400]);
    expect(model.sessions[0]?.flags).toContain('orphan');
  });
});
