// A synthetic /proc tree with many SSH sessions, for the scale case of the benchmark: a listener,
// and per session a monitor, a user child and a shell, each with stat, status, cmdline and fds.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SyntheticTree {
  root: string;
  procRoot: string;
  devRoot: string;
  passwd: string;
  cleanup(): void;
}

const hex4 = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');

function writeProc(procRoot: string, pid: number, ppid: number, comm: string, title: string, uid: number, ttyNr: number, sockets: number[], children: number[] = []) {
  const dir = join(procRoot, String(pid));
  mkdirSync(join(dir, 'fd'), { recursive: true });
  mkdirSync(join(dir, 'task', String(pid)), { recursive: true });
  writeFileSync(join(dir, 'task', String(pid), 'children'), children.map((c) => `${c} `).join(''));
  const start = 1000 + pid;
  writeFileSync(
    join(dir, 'stat'),
    `${pid} (${comm}) S ${ppid} ${pid} ${pid} ${ttyNr} ${ttyNr ? pid : -1} 4194560 100 0 0 0 3 2 0 0 20 0 1 0 ${start} 1000000 100 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n`,
  );
  writeFileSync(join(dir, 'status'), `Name:\t${comm}\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\n`);
  writeFileSync(join(dir, 'cmdline'), title + '\0');
  writeFileSync(join(dir, 'comm'), comm + '\n');
  sockets.forEach((inode, i) => symlinkSync(`socket:[${inode}]`, join(dir, 'fd', String(3 + i))));
}

export function buildSyntheticTree(sessions: number): SyntheticTree {
  const root = mkdtempSync(join(tmpdir(), 'sshtop-synth-'));
  const procRoot = join(root, 'proc');
  const devRoot = join(root, 'dev');
  mkdirSync(join(procRoot, 'net'), { recursive: true });
  mkdirSync(join(devRoot, 'pts'), { recursive: true });
  writeFileSync(join(procRoot, 'stat'), 'cpu  1 2 3 4\nbtime 1764000000\n');
  const passwd = join(root, 'passwd');
  const users = ['root:x:0:0::/root:/bin/bash'];
  for (let u = 0; u < 50; u++) users.push(`user${u}:x:${2000 + u}:${2000 + u}::/home/user${u}:/bin/bash`);
  writeFileSync(passwd, users.join('\n') + '\n');

  const tcp = ['  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode'];
  const monitors = Array.from({ length: sessions }, (_, i) => 1000 + i * 4);
  writeProc(procRoot, 100, 1, 'sshd', 'sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups', 0, 0, [], monitors);
  const now = Date.now() / 1000;
  for (let i = 0; i < sessions; i++) {
    const pid = 1000 + i * 4;
    const uid = 2000 + (i % 50);
    const user = `user${i % 50}`;
    const inode = 500000 + i;
    const pts = i;
    const ttyNr = ((136 + (pts >> 8)) << 8) | (pts & 0xff);
    writeProc(procRoot, pid, 100, 'sshd', `sshd: ${user} [priv]`, 0, 0, [inode], [pid + 1]);
    writeProc(procRoot, pid + 1, pid, 'sshd', `sshd: ${user}@pts/${pts}`, uid, 0, [inode], [pid + 2]);
    writeProc(procRoot, pid + 2, pid + 1, 'bash', '-bash', uid, ttyNr, []);
    tcp.push(`${i}: 0100007F:0016 0100007F:${hex4(10000 + i)} 01 00000000:00000000 02:000AFA52 00000000     0        0 ${inode} 2 0000000000000000 20 4 30 10 -1`);
    const ptsFile = join(devRoot, 'pts', String(pts));
    writeFileSync(ptsFile, '');
    const atime = now - (i % 7) * 600;
    utimesSync(ptsFile, atime, atime);
  }
  writeFileSync(join(procRoot, 'net', 'tcp'), tcp.join('\n') + '\n');
  writeFileSync(join(procRoot, 'net', 'tcp6'), tcp[0] + '\n');
  return { root, procRoot, devRoot, passwd, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
