// Memory of a running sshtop over time: each variant (a command line) runs on its own 200x50 pty,
// side by side, and VmRSS, VmHWM, RssAnon and RssFile (from /proc/PID/status) and CPU are sampled
// every second. It shows when the peak is set (start-up, the first full scan, later growth) and
// what a runtime or a V8 flag changes. Run it with a busy world up (busy.ts hold 0):
//   npx tsx scripts/bench/memory.ts <seconds> '<argv of variant 1>' '<argv of variant 2>' …
// e.g. 'node bin/sshtop --watch --interval 1' 'dist/release/sshtop-0.1.0-linux-x64/sshtop --watch --interval 1'
import { readFileSync } from 'node:fs';
import { quitAll, startVariants } from './pty.js';
import { procCpu, sleep } from './stats.js';

interface Sample {
  s: number;
  rss: number;
  hwm: number;
  anon: number;
  file: number;
  cpuMs: number;
}

function status(pid: number): Omit<Sample, 's' | 'cpuMs'> | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'latin1');
    const mb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) / 1024;
    return { rss: mb('VmRSS'), hwm: mb('VmHWM'), anon: mb('RssAnon'), file: mb('RssFile') };
  } catch {
    return undefined;
  }
}

const r1 = (n: number) => Math.round(n * 10) / 10;

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 60);
  const variants = process.argv.slice(3);
  const ptys = await startVariants(variants);
  const samples: Sample[][] = variants.map(() => []);
  for (let s = 1; s <= seconds; s++) {
    await sleep(1000);
    ptys.forEach((p, i) => {
      const st = status(p.pid);
      const cpu = procCpu(p.pid);
      if (st && cpu) samples[i]?.push({ s, ...st, cpuMs: cpu.self + cpu.children });
    });
  }
  await quitAll(ptys);
  variants.forEach((v, i) => {
    const list = samples[i] ?? [];
    const last = list.at(-1);
    const peakAt = list.find((x) => x.hwm === last?.hwm)?.s;
    const tenth = list[Math.min(list.length - 1, 9)];
    const cpuAfter10 = last && tenth ? (last.cpuMs - tenth.cpuMs) / Math.max(1, last.s - tenth.s) : NaN;
    console.log(`${v}\n  VmHWM ${r1(last?.hwm ?? NaN)} MB (reached at ${peakAt} s); VmRSS at the end ${r1(last?.rss ?? NaN)} MB (anon ${r1(last?.anon ?? NaN)}, file ${r1(last?.file ?? NaN)}); CPU after 10 s ${r1(cpuAfter10)} ms/s`);
    const at = [1, 2, 3, 5, 10, 20, 30, 60, 120, 300, 600].filter((s) => s <= list.length);
    console.log(`  RSS (anon+file) at ${at.map((s) => `${s}s ${r1(list[s - 1]?.rss ?? NaN)} (${r1(list[s - 1]?.anon ?? NaN)}+${r1(list[s - 1]?.file ?? NaN)})`).join(', ')}`);
  });
  process.exit(0);
}

void main();
