// Two builds of sshtop (a checkout's bin and this one) beside htop, in the same run, on ptys:
// before/after figures for a change, over repeated windows (median, min–max). The world is
// whatever runs on the machine (e.g. `npx tsx scripts/bench/busy.ts hold 0`).
//   npx tsx scripts/bench/compare.ts <other checkout> [windows] [seconds] [--no-rows] [--small-heap] [--plain-node] [--variant='<node flags>'…]
// --no-rows adds both builds with a --filter that matches nothing (the read and model floor).
// Both builds run as an installed sshtop does, through bin/sshtop's shebang (and the V8 flags it
// gives node); --plain-node adds this one under `node bin/sshtop`, which ignores the shebang.
import { join } from 'node:path';
import { SSHTOP } from '../../test/support/lab.js';
import { fmt, spread } from './busy.js';
import { startPty, type Pty } from './pty.js';
import { procCpu, procMemory, sleep } from './stats.js';

const other = process.argv[2] as string;
const windows = Number(process.argv[3] ?? 5);
const seconds = Number(process.argv[4] ?? 20);
const SIZE = { columns: 200, rows: 50 };
const progs: { name: string; argv: string[] }[] = [
  { name: 'before', argv: [join(other, 'bin', 'sshtop'), '--watch', '--interval', '1'] },
  { name: 'after', argv: [SSHTOP, '--watch', '--interval', '1'] },
  { name: 'htop', argv: ['htop', '-d', '10'] },
];
// the same polls with nothing on screen that changes: what reading and the model cost alone
if (process.argv.includes('--no-rows')) {
  progs.push({ name: 'after, --filter matching nothing', argv: [SSHTOP, '--watch', '--interval', '1', '--filter', 'no-such-session-xyz'] });
  progs.push({ name: 'before, --filter matching nothing', argv: [join(other, 'bin', 'sshtop'), '--watch', '--interval', '1', '--filter', 'no-such-session-xyz'] });
}
if (process.argv.includes('--plain-node')) progs.push({ name: 'after, node bin/sshtop (no shebang flags)', argv: [process.execPath, SSHTOP, '--watch', '--interval', '1'] });
// node flags to try on this build: --variant='--max-semi-space-size=2 --v8-pool-size=1' (repeatable)
for (const a of process.argv.filter((x) => x.startsWith('--variant='))) {
  progs.push({ name: `after, ${a.slice(10)}`, argv: [process.execPath, ...a.slice(10).split(' ').filter(Boolean), SSHTOP, '--watch', '--interval', '1'] });
}
if (process.argv.includes('--small-heap')) progs.push({ name: 'after, --max-semi-space-size=1', argv: [process.execPath, '--max-semi-space-size=1', SSHTOP, '--watch', '--interval', '1'] });
const ptys: Pty[] = [];
try {
  for (const p of progs) ptys.push(await startPty(p.argv, SIZE));
  await sleep(8000);
  const per: number[][] = progs.map(() => []);
  for (let w = 0; w < windows; w++) {
    const a = ptys.map((p) => procCpu(p.pid));
    await sleep(seconds * 1000);
    const b = ptys.map((p) => procCpu(p.pid));
    ptys.forEach((_, i) => per[i]?.push(((b[i]?.self ?? NaN) - (a[i]?.self ?? NaN) + (b[i]?.children ?? NaN) - (a[i]?.children ?? NaN)) / seconds));
  }
  progs.forEach((p, i) => {
    const mem = p.name === 'htop' ? undefined : procMemory(ptys[i]?.pid as number);
    console.log(`${p.name.padEnd(34)} ${fmt(spread(per[i] as number[]))} ms CPU/s${mem ? `; VmRSS ${mem.rssMb.toFixed(1)} MB, VmHWM ${mem.hwmMb.toFixed(1)} MB` : ''}; windows ${(per[i] as number[]).map((v) => v.toFixed(1)).join(' ')}`);
  });
  const h = per[2] as number[];
  for (const i of [0, 1]) console.log(`htop / ${progs[i]?.name}: ${fmt(spread(h.map((v, j) => v / ((per[i] as number[])[j] as number))))}x`);
} finally {
  for (const p of ptys) await p.stop();
}
