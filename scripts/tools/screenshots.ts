// `npm run screenshots`: real frames of sshtop against a real lab sshd, for the README. Opens the
// kinds of sessions an operator meets, runs the built TUI inside an SSH session in a private tmux
// server, drives it with keys, and turns each captured screen (with its colours) into an SVG.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAB_USERS, REPO, SSHTOP, requireLab, startLab } from '../../test/support/lab.js';
import { startTmux, type Tmux } from '../../test/support/tmux.js';
import { ansiToSvg } from './ansi-svg.js';

const OUT = join(REPO, 'screenshots');
const [u1, u2, u3, u4] = LAB_USERS as [string, string, string, string];

function save(t: Tmux, name: string, columns: number, title: string): void {
  const screen = spawnSync('tmux', ['-S', t.socket, 'capture-pane', '-e', '-p', '-t', '0'], { encoding: 'utf8' }).stdout;
  writeFileSync(join(OUT, `${name}.svg`), ansiToSvg(screen, { columns, title }));
  console.log(`screenshots/${name}.svg  ${title}`);
}

async function main(): Promise<void> {
  const why = requireLab();
  if (why) throw new Error(`cannot run the lab: ${why}`);
  mkdirSync(OUT, { recursive: true });
  const lab = await startLab();
  const panes: Tmux[] = [];
  try {
    const [editing, idle] = await Promise.all([
      lab.openTty(u1),
      lab.openTty(u2),
      lab.openControlMaster(u3),
      lab.openForward(u4),
      lab.openExec(u4, 'sleep 900'),
      lab.openSftp(u2),
      lab.openRaw(),
    ]);
    editing.send('vim -n /tmp/notes.txt\n');
    lab.makeIdle(idle.tty as string, 2 * 3600 + 17 * 60);

    // the operator's own session: ssh in as root, then run sshtop there
    const columns = 132;
    const t = startTmux({ width: columns, height: 34 });
    panes.push(t);
    t.type(`ssh ${lab.sshArgs('root').join(' ')} -tt 127.0.0.1`);
    t.send('Enter');
    await t.waitFor('remote shell', (s) => /#\s*$/m.test(s));
    t.type(`${process.execPath} ${SSHTOP}`);
    t.send('Enter');
    await t.waitFor('sessions', (s) => s.includes('you are here') && s.includes(u4) && s.includes('vim'));
    // wait for a %CPU delta and the vim process under its shell
    await new Promise((r) => setTimeout(r, 2500));
    save(t, 'sshtop', columns, 'sshtop: the session tree, your own session marked *');

    t.send('/');
    t.type(idle.tty as string);
    t.send('Enter');
    await t.waitFor('idle session selected', (s) => s.split('\n').some((l) => l.startsWith('>') && l.includes(u2) && l.includes('idle')));
    t.send('Enter');
    await t.waitFor('detail pane', (s) => s.includes('why:'));
    save(t, 'detail', columns, 'Enter: why is this session stale, and what would end it');
    t.send('Escape');

    t.send('/');
    t.type(editing.tty as string);
    t.send('Enter');
    await t.waitFor('session selected', (s) => s.split('\n').some((l) => l.startsWith('>') && l.includes(u1)));
    t.send('x');
    await t.waitFor('signal menu', (s) => s.includes('SIGTERM (default)'));
    t.send('Enter');
    await t.waitFor('confirmation', (s) => s.includes('[y/N]'));
    save(t, 'confirm', columns, 'x, Enter: the confirmation names exactly what ends');
    t.send('Escape');
    t.send('q');

    // watch mode, narrow, as on a small terminal
    const w = startTmux({ width: 100, height: 24 });
    panes.push(w);
    w.type(`${process.execPath} ${SSHTOP} --watch`);
    w.send('Enter');
    await w.waitFor('watch mode', (s) => s.includes('READ-ONLY') && s.includes(u4));
    await new Promise((r) => setTimeout(r, 1500));
    save(w, 'watch', 100, 'sshtop --watch: read-only, columns dropped by priority on a narrow terminal');
    w.send('q');

    const once = spawnSync(process.execPath, [SSHTOP, '--once'], { encoding: 'utf8', env: { ...process.env, COLUMNS: '132' } });
    writeFileSync(join(OUT, 'once.txt'), once.stdout);
    console.log('screenshots/once.txt  sshtop --once');
  } finally {
    for (const p of panes) p.kill();
    await lab.stop();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
