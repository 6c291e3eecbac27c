// The TUI over a partial session (hidepid): its hidden pid is never pinned nor signalled, the
// status line says why, and its visible processes can still be signalled.
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/model/sessions.js';
import { App } from '../../src/ui/App.js';
import { proc, snapshot } from '../support/mem-snapshot.js';
import { fakeSignaller, fakeStore } from '../support/fake-model.js';
import { until } from '../support/wait.js';

const strip = (s: string | undefined) => (s ?? '').replace(/\u001b\[[0-9;]*m/g, '');

/** alice's one channel under hidepid: shell 501 (pts/3) below hidden sshd 500, sleep 510 below it */
function partialModel() {
  const mine = { uid: 1000, tty: 'pts/3', ttyNr: 136 * 256 + 3 };
  const snap = snapshot([proc(501, 500, '-bash', { ...mine, comm: 'bash', tpgid: 510 }), proc(510, 501, 'sleep 900', { ...mine, comm: 'sleep', pgrp: 510, sid: 501, tpgid: 510 })], {
    hiddenSessionTops: new Map([[501, { pid: 501, parent: 500, sshConnection: '203.0.113.7 52414 198.51.100.2 22', sshTty: 'pts/3' }]]),
  });
  return buildModel(snap, { idleSeconds: 600, selfPid: 4242 });
}

describe('a partial session in the TUI', () => {
  it('lists it under the hidden-listener group with its shell, refuses to signal it, signals its processes', async () => {
    const signaller = fakeSignaller();
    const app = render(<App store={fakeStore(partialModel())} signaller={signaller} readOnly={false} host="web-1" color={false} sort="user" size={{ columns: 140, rows: 30 }} />);
    const f = await until(app.lastFrame, (x) => x.includes('F1 help') && x.includes('sleep 900'), 'the session and its processes');
    expect(f).toContain('listener hidden (/proc hidepid)');
    // the shell is a row of its own (not taken for the hidden connection process)
    expect(f.split('\n').some((l) => / 501 /.test(l) && l.includes('-bash'))).toBe(true);
    const selected = () => strip(app.lastFrame()).split('\n').find((l) => l.startsWith('>')) ?? '';
    // select the session row, then ask to signal it
    for (let i = 0; i < 5 && !/ 500 /.test(selected()); i++) {
      app.stdin.write('\u001b[A');
      await new Promise((r) => setTimeout(r, 30));
    }
    expect(selected()).toMatch(/ 500 .*alice/);
    app.stdin.write('x');
    const refused = await until(app.lastFrame, (x) => x.includes('nothing sent'), 'the refusal');
    expect(refused).toMatch(/hidden by hidepid/);
    expect(refused).not.toContain('SIGTERM (default)');
    expect(signaller.pinned).toEqual([]);
    // a visible process of the session: the menu opens and pins it by its own starttime
    for (let i = 0; i < 5 && !/ 510 /.test(selected()); i++) {
      app.stdin.write('\u001b[B');
      await new Promise((r) => setTimeout(r, 30));
    }
    expect(selected()).toContain('sleep 900');
    app.stdin.write('K');
    await until(app.lastFrame, (x) => x.includes('SIGTERM (default)'), 'the signal menu');
    expect(signaller.pinned.map((t) => [t.pid, t.startTicks])).toEqual([[510, 1510]]);
    app.unmount();
  });
});
