// A cpu-profile.ts profile from a given second on (the steady state after the start-up full scan),
// with the inclusive time of named functions (a function and everything it called), per second:
//   npx tsx scripts/bench/profile-after.ts <x.cpuprofile> [from seconds, 10] [function names…]
import { readFileSync } from 'node:fs';
import { attribute } from './cpu-profile.js';

type Profile = Parameters<typeof attribute>[0];

/** the profile's samples from `fromS` seconds after its start */
export function after(profile: Profile, fromS: number): Profile {
  let t = 0;
  let first = profile.samples.length;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (t >= fromS * 1e6) {
      first = i;
      break;
    }
  }
  return { ...profile, samples: profile.samples.slice(first), timeDeltas: profile.timeDeltas.slice(first), startTime: profile.startTime + t };
}

/** ms of samples under (or in) a function of each name */
export function inclusive(profile: Profile, names: readonly string[]): Map<string, number> {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const fnOf = new Map(profile.nodes.map((n) => [n.id, n.callFrame.functionName]));
  const out = new Map(names.map((n) => [n, 0]));
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const fn = fnOf.get(at) ?? '';
      if (out.has(fn) && !seen.has(fn)) {
        seen.add(fn);
        out.set(fn, (out.get(fn) as number) + ms);
      }
    }
  });
  return out;
}

if (process.argv[1]?.endsWith('profile-after.ts')) {
  const profile = after(JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as Profile, Number(process.argv[3] ?? 10));
  const a = attribute(profile);
  const busy = Object.entries(a.byStage).filter(([k]) => k !== 'idle');
  const total = busy.reduce((s, [, v]) => s + v, 0);
  console.log(`from ${process.argv[3] ?? 10} s: ${a.seconds.toFixed(1)} s; main thread ${(total / a.seconds).toFixed(1)} ms/s`);
  for (const [k, v] of busy.sort((x, y) => y[1] - x[1])) console.log(`  ${k.padEnd(40)} ${(v / a.seconds).toFixed(2).padStart(7)} ms/s`);
  const names = process.argv.slice(4);
  for (const [fn, ms] of inclusive(profile, names)) console.log(`  inclusive ${fn.padEnd(30)} ${(ms / a.seconds).toFixed(2).padStart(7)} ms/s`);
}

/** every function's inclusive ms (by name@module line), highest first */
export function topInclusive(profile: Profile, n: number): { fn: string; ms: number }[] {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const keyOf = new Map(profile.nodes.map((x) => [x.id, `${x.callFrame.functionName || '(anonymous)'}:${x.callFrame.url.split('/').pop()}:${x.callFrame.lineNumber}`]));
  const out = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const k = keyOf.get(at) as string;
      if (seen.has(k)) continue;
      seen.add(k);
      out.set(k, (out.get(k) ?? 0) + ms);
    }
  });
  return [...out].map(([fn, ms]) => ({ fn, ms })).sort((a, b) => b.ms - a.ms).slice(0, n);
}
