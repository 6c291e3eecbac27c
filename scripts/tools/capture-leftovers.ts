// Captures test/fixtures/leftovers/openssh-9.2p1 (apart from the daemon layouts: its meta records leftovers, not sessions): a real lab (Debian's OpenSSH, UsePAM with
// pam_loginuid) with one live login that started a setsid job, a root login that runs a job as
// another user (loginuid differs from uid), and one ended login that left a detached tmux, a
// nohup job and a job with its environment cleared. The ground truth in meta.json is read from
// /proc directly (sessionid files, argv markers), never by sshtop.
//
//   npx tsx scripts/tools/capture-leftovers.ts        (as root; the lab is stopped afterwards)
import { readFileSync, readdirSync } from 'node:fs';
import { startLab } from '../../test/support/lab.js';
import { sleep, waitFor } from '../../test/support/wait.js';
import { captureProc } from './capture-proc.js';

const read = (pid: number, f: string) => readFileSync(`/proc/${pid}/${f}`, 'latin1');
const ppid = (pid: number) => Number(read(pid, 'stat').slice(read(pid, 'stat').lastIndexOf(')') + 2).split(' ')[1]);
/** pids whose argv holds `arg` as a whole argument */
function withArg(arg: string): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .filter((p) => {
      try {
        return read(p, 'cmdline').split('\0').includes(arg);
      } catch {
        return false;
      }
    });
}
const one = async (arg: string) => (await waitFor(arg, () => (withArg(arg).length === 1 ? withArg(arg) : undefined)))[0] as number;

const lab = await startLab();
const started: number[] = [];
try {
  const live = await lab.openTty('sshtop-t1');
  const rootLogin = await lab.openTty('root');
  const ended = await lab.openTty('sshtop-t2');
  await lab.run(live, 'setsid sleep 97001 </dev/null >/dev/null 2>&1 & echo ok');
  await lab.run(rootLogin, 'su -s /bin/sh sshtop-t4 -c "sleep 97004" & echo ok');
  await lab.run(ended, 'tmux -L cap-left new -d "sleep 97002"; nohup sleep 97003 >/dev/null 2>&1 & env -i setsid sleep 97005 </dev/null >/dev/null 2>&1 & echo ok');
  const [setsid, asOther, tmuxSleep, nohup, bare] = await Promise.all(['97001', '97004', '97002', '97003', '97005'].map(one));
  const tmuxServer = ppid(tmuxSleep as number);
  started.push(setsid as number, tmuxServer, tmuxSleep as number, nohup as number, bare as number);
  const endedSession = Number(read(nohup as number, 'sessionid'));
  await ended.close();
  await waitFor('the login ended', () => ended.exited());
  await sleep(500);
  const heads = [setsid, tmuxServer, nohup, bare] as number[];
  for (const h of heads) if (ppid(h) !== 1) throw new Error(`pid ${h} is not an orphan (parent ${ppid(h)})`);
  const dir = captureProc({
    name: 'leftovers/openssh-9.2p1',
    roots: [lab.sshdPid, ...heads],
    meta: {
      what: 'a live login with a setsid job, a root login running a job as another user, an ended login that left tmux, nohup and an env-less setsid job',
      expected: {
        listenerPid: lab.sshdPid,
        live: { user: 'sshtop-t1', sessionId: Number(read(setsid as number, 'sessionid')), outside: [setsid] },
        asOther: { pid: asOther, user: 'sshtop-t4', loginUser: 'root' },
        ended: { user: 'sshtop-t2', sessionId: endedSession, remotePort: ended.localPort, localPort: lab.port, pids: ([tmuxServer, tmuxSleep, nohup, bare] as number[]).sort((a, b) => a - b) },
      },
    },
  });
  console.log(`captured ${dir}`);
} finally {
  for (const pid of started) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  await lab.stop();
}
