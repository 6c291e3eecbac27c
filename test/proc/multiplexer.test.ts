// The multiplexer sshtop runs in is found from its ancestors, not from $TMUX (sudo drops $TMUX):
// the attached clients' terminals are the server's /dev/pts fds. Shapes taken from a real tmux 3.3a
// and a real GNU screen 4.09 (`ls -l /proc/PID/fd`, `/proc/PID/comm`).
import { rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLIENT_LINKS_REFRESH_MS, isMultiplexerServer, MultiplexerClients, multiplexerClientTtys, multiplexerServers, ptsOfLinks } from '../../src/proc/multiplexer.js';
import { ProcReader } from '../../src/proc/reader.js';
import { FakeProcRoot, type FakeProcess } from '../support/fake-proc.js';

const trees: FakeProcRoot[] = [];
afterAll(() => {
  for (const t of trees) t.dispose();
});

function tree(procs: FakeProcess[]): FakeProcRoot {
  const f = new FakeProcRoot();
  trees.push(f);
  for (const p of procs) f.add(p);
  return f;
}

const init: FakeProcess = { pid: 1, ppid: 0, comm: 'systemd', argv: ['/sbin/init'], uid: 0, startTicks: 1 };
// a root operator's tmux (daemonised: ppid 1), attached on pts/4 and pts/7; sshtop under sudo in a pane
const tmuxTree: FakeProcess[] = [
  init,
  { pid: 600, ppid: 1, comm: 'tmux: server', argv: ['tmux'], uid: 0, startTicks: 960, fds: { 0: '/dev/null', 5: '/dev/pts/4', 6: '/dev/pts/7', 7: '/dev/ptmx', 8: 'socket:[7000]' } },
  { pid: 601, ppid: 600, comm: 'bash', argv: ['-bash'], uid: 0, startTicks: 961, fds: { 0: '/dev/pts/9', 1: '/dev/pts/9' } },
  { pid: 602, ppid: 601, comm: 'sudo', argv: ['sudo', 'sshtop'], uid: 0, startTicks: 962, fds: { 0: '/dev/pts/9' } },
  { pid: 603, ppid: 602, comm: 'sudo', argv: ['sudo', 'sshtop'], uid: 0, startTicks: 963, fds: { 0: '/dev/pts/10' } },
  { pid: 604, ppid: 603, comm: 'node', argv: ['node', 'sshtop'], uid: 0, startTicks: 964, fds: { 0: '/dev/pts/10' } },
];
// screen reattached from another terminal: SCREEN (comm screen) reparented to init, holding pts/5
const screenTree: FakeProcess[] = [
  init,
  { pid: 700, ppid: 1, comm: 'screen', argv: ['SCREEN', '-S', 'work'], uid: 0, startTicks: 970, fds: { 0: '/dev/null', 3: '/dev/ptmx', 4: '/dev/pts/5' } },
  { pid: 701, ppid: 700, comm: 'bash', argv: ['/bin/bash'], uid: 0, startTicks: 971, fds: { 0: '/dev/pts/11' } },
  { pid: 702, ppid: 701, comm: 'node', argv: ['node', 'sshtop'], uid: 0, startTicks: 972, fds: { 0: '/dev/pts/11' } },
];

describe('multiplexer servers and their clients', () => {
  it.each([
    ['tmux: server', true],
    ['screen', true],
    ['SCREEN', true],
    ['tmux: client', false],
    ['tmux', false],
    ['bash', false],
    ['screenfetch', false],
  ])('comm %j is a server: %s', (comm, is) => {
    expect(isMultiplexerServer(comm)).toBe(is);
  });

  it.each([
    ['no multiplexer', [{ pid: 5, comm: 'node' }, { pid: 4, comm: 'bash' }, { pid: 1, comm: 'systemd' }], []],
    ['tmux above sudo', [{ pid: 5, comm: 'node' }, { pid: 4, comm: 'sudo' }, { pid: 3, comm: 'tmux: server' }, { pid: 1, comm: 'systemd' }], [3]],
    ['screen nested in tmux: nearest first', [{ pid: 9, comm: 'node' }, { pid: 8, comm: 'screen' }, { pid: 7, comm: 'bash' }, { pid: 3, comm: 'tmux: server' }], [8, 3]],
  ])('multiplexerServers: %s', (_what, chain, servers) => {
    expect(multiplexerServers(chain)).toEqual(servers);
  });

  it.each([
    [['/dev/pts/4', '/dev/ptmx', 'socket:[1]', '/dev/null', '/dev/pts/4', '/dev/pts/17'], ['pts/4', 'pts/17']],
    [['/dev/pts/x', '/dev/pts/', '/dev/tty1', '/dev/pts/3 (deleted)'], []],
  ])('ptsOfLinks %j', (links, ttys) => {
    expect(ptsOfLinks(links)).toEqual(ttys);
  });

  it('sudo sshtop in a tmux pane: the server is found from the ancestors, with no $TMUX', () => {
    const f = tree(tmuxTree);
    expect(multiplexerClientTtys(f.procRoot, 604, undefined)?.sort()).toEqual(['pts/4', 'pts/7']);
    // and through the reader, as the TUI reads it
    const snap = new ProcReader({ procRoot: f.procRoot, devRoot: f.devRoot, passwdPath: f.passwdPath, selfPid: 604 }).read();
    expect([...(snap.tmuxClientTtys ?? [])].sort()).toEqual(['pts/4', 'pts/7']);
  });

  it('screen: its server (comm screen) holds the attached terminal', () => {
    const f = tree(screenTree);
    expect(multiplexerClientTtys(f.procRoot, 702, undefined)).toEqual(['pts/5']);
  });

  it('$TMUX is a hint: used when the ancestry has no server, ignored when it names no tmux server', () => {
    const f = tree([...tmuxTree, { pid: 800, ppid: 1, comm: 'node', argv: ['node', 'sshtop'], uid: 0, startTicks: 980 }]);
    // a process that left the pane (setsid, reparented): only $TMUX still names the server
    expect(multiplexerClientTtys(f.procRoot, 800, '/tmp/tmux-0/default,600,0')?.sort()).toEqual(['pts/4', 'pts/7']);
    // a stale $TMUX whose pid is now something else (here the pane's shell, holding pts/9)
    expect(multiplexerClientTtys(f.procRoot, 800, '/tmp/tmux-0/default,601,0')).toEqual([]);
    expect(multiplexerClientTtys(f.procRoot, 800, '/tmp/tmux-0/default,999,0')).toEqual([]);
    expect(multiplexerClientTtys(f.procRoot, 800, undefined)).toBeNull();
    expect(multiplexerClientTtys(f.procRoot, undefined, undefined)).toBeNull();
  });

  it('a ppid loop (a garbled /proc) ends the walk', () => {
    const f = tree([init, { pid: 900, ppid: 901, comm: 'a', argv: ['a'] }, { pid: 901, ppid: 900, comm: 'b', argv: ['b'] }]);
    expect(multiplexerClientTtys(f.procRoot, 900, undefined)).toBeNull();
  });

  describe('a polling reader (MultiplexerClients)', () => {
    // the ancestors' stat as the tick read them: the chain exists only here, not as stat files
    const chain = new Map([
      [604, { comm: 'node', ppid: 601 }],
      [601, { comm: 'bash', ppid: 600 }],
      [600, { comm: 'tmux: server', ppid: 1 }],
      [1, { comm: 'systemd', ppid: 0 }],
    ]);
    const statOf = (pid: number) => chain.get(pid);
    const serverOnly = () => tree([{ pid: 600, ppid: 1, comm: 'tmux: server', argv: ['tmux'], uid: 0, startTicks: 960, fds: { 0: '/dev/null', 5: '/dev/pts/4', 7: '/dev/ptmx' } }]);
    const fd = (f: FakeProcRoot, n: number) => join(f.procRoot, '600', 'fd', String(n));

    it("finds the server from the ancestors' stat it is given, not from stat files", () => {
      const f = serverOnly();
      expect(new MultiplexerClients(f.procRoot).read(604, undefined, statOf, 0)).toEqual(['pts/4']);
      expect(new MultiplexerClients(f.procRoot).read(604, undefined, () => undefined, 0)).toBeNull();
    });

    it('a client that attaches is seen at the next read: its terminal is a new descriptor', () => {
      const f = serverOnly();
      const clients = new MultiplexerClients(f.procRoot);
      expect(clients.read(604, undefined, statOf, 1000)).toEqual(['pts/4']);
      symlinkSync('/dev/pts/8', fd(f, 9));
      expect(clients.read(604, undefined, statOf, 1001)?.sort()).toEqual(['pts/4', 'pts/8']);
      rmSync(fd(f, 5));
      expect(clients.read(604, undefined, statOf, 1002)).toEqual(['pts/8']);
    });

    it('a detach and an attach on the same fd number between two reads: seen within the refresh time', () => {
      const f = serverOnly();
      const clients = new MultiplexerClients(f.procRoot);
      expect(clients.read(604, undefined, statOf, 1000)).toEqual(['pts/4']);
      rmSync(fd(f, 5));
      symlinkSync('/dev/pts/6', fd(f, 5));
      // the same fd list: the links read last are kept (this is the cut: no readlink per fd per tick)
      expect(clients.read(604, undefined, statOf, 1000 + CLIENT_LINKS_REFRESH_MS - 1)).toEqual(['pts/4']);
      expect(clients.read(604, undefined, statOf, 1000 + CLIENT_LINKS_REFRESH_MS)).toEqual(['pts/6']);
    });
  });
});
