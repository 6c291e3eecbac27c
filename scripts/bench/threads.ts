// CPU by thread: which of a running sshtop's threads (the main thread, V8's or JavaScriptCore's
// workers) used what, over a window after a warm-up. Process CPU counts every thread; a CPU
// profile shows only the main one. Each variant runs on its own 200x50 pty, side by side. Run it
// with a world up (busy.ts hold 0):
//   npx tsx scripts/bench/threads.ts <warm-up s> <window s> '<argv of variant 1>' '<argv 2>' …
import { readFileSync, readdirSync } from 'node:fs';
import { quitAll, startVariants } from './pty.js';
import { CLK_TCK, fieldsAfterComm, sleep } from './stats.js';

interface Ticks {
  comm: string;
  user: number;
  sys: number;
}

function snapshot(pid: number): { threads: Map<string, Ticks>; childUser: number; childSys: number } | undefined {
  try {
    const threads = new Map<string, Ticks>();
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const st = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1');
        const f = fieldsAfterComm(st);
        threads.set(tid, { comm: tid === String(pid) ? 'main' : `${st.slice(st.indexOf('(') + 1, st.lastIndexOf(')'))}:${tid}`, user: Number(f[11]), sys: Number(f[12]) });
      } catch {
        // the thread ended meanwhile
      }
    }
    const f = fieldsAfterComm(readFileSync(`/proc/${pid}/stat`, 'latin1'));
    return { threads, childUser: Number(f[13]), childSys: Number(f[14]) };
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const [warm, window, ...variants] = process.argv.slice(2);
  const seconds = Number(window);
  const ptys = await startVariants(variants);
  await sleep(Number(warm) * 1000);
  const before = ptys.map((p) => snapshot(p.pid));
  await sleep(seconds * 1000);
  const after = ptys.map((p) => snapshot(p.pid));
  const rate = (ticks: number) => ((ticks * 1000) / CLK_TCK / seconds).toFixed(1);
  variants.forEach((v, i) => {
    const a = before[i];
    const b = after[i];
    console.log(v);
    if (!a || !b) return void console.log('  (ended)');
    let user = 0;
    let sys = 0;
    for (const [tid, t] of b.threads) {
      const was = a.threads.get(tid) ?? { user: 0, sys: 0 };
      user += t.user - was.user;
      sys += t.sys - was.sys;
      if (t.user - was.user + t.sys - was.sys > 0) console.log(`  ${t.comm.padEnd(22)} user ${rate(t.user - was.user)} sys ${rate(t.sys - was.sys)} ms/s`);
    }
    console.log(`  all threads: user ${rate(user)} sys ${rate(sys)} ms/s; reaped children: ${rate(b.childUser - a.childUser + b.childSys - a.childSys)} ms/s`);
  });
  await quitAll(ptys);
  process.exit(0);
}

void main();
