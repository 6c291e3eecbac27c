// Process CPU of variants run side by side over minutes, per stretch between checkpoints: what
// a change costs in the first minute (start-up, V8 warming up) and what it costs later. Each
// variant runs on its own 200x50 pty. Run it with a world up (busy.ts hold 0):
//   npx tsx scripts/bench/cpu-timeline.ts 5,65,125,245,425,605 '<argv of variant 1>' '<argv 2>' …
import { quitAll, startVariants } from './pty.js';
import { procCpu, sleep } from './stats.js';

async function main(): Promise<void> {
  const checkpoints = (process.argv[2] ?? '').split(',').map(Number);
  const variants = process.argv.slice(3);
  const ptys = await startVariants(variants);
  const t0 = Date.now();
  const at: number[][] = variants.map(() => []);
  for (const c of checkpoints) {
    await sleep(Math.max(0, t0 + c * 1000 - Date.now()));
    ptys.forEach((p, i) => {
      const cpu = procCpu(p.pid);
      at[i]?.push(cpu ? cpu.self + cpu.children : NaN);
    });
  }
  variants.forEach((v, i) => {
    const ms = at[i] ?? [];
    const parts: string[] = [];
    for (let k = 1; k < checkpoints.length; k++) {
      const span = (checkpoints[k] as number) - (checkpoints[k - 1] as number);
      parts.push(`${checkpoints[k - 1]}-${checkpoints[k]} s: ${(((ms[k] as number) - (ms[k - 1] as number)) / span).toFixed(1)}`);
    }
    console.log(`${v}\n  ms/s ${parts.join(', ')}; CPU in all ${((ms.at(-1) ?? NaN) / 1000).toFixed(2)} s`);
  });
  await quitAll(ptys);
  process.exit(0);
}

void main();
