// Where the real `sshtop --watch` loop spends its CPU: run it on a pty under `node --cpu-prof`
// for a while, quit it with q, and attribute the profile's self time to the stages of a frame
// (collect and model, sshtop's view code, React, Yoga, Ink's output building, the write, GC).
// Needs an unminified bundle, whose `// node_modules/…` comments name each module:
//   npx tsx scripts/bench/cpu-profile.ts <bundle dir> [seconds]     (with a busy world up:
//   npx tsx scripts/bench/busy.ts hold 0)
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPty } from './pty.js';
import { sleep } from './stats.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** which stage a module belongs to */
function stageOf(module: string, fn: string): string {
  if (fn === '(garbage collector)') return 'GC (main thread)';
  if (fn === '(idle)') return 'idle';
  if (fn === '(program)') return 'program (native, not JS)';
  if (module.startsWith('wasm') || /yoga/.test(module)) return 'Yoga layout';
  if (/^dist\/(proc|collect|model|text)\//.test(module) || module.startsWith('node_modules/ps-list')) return 'collect + model';
  if (/^dist\/store\//.test(module)) return 'store (%CPU)';
  if (/^dist\/ui\/view\//.test(module) || /^dist\/ui\/(layout|theme|state|controller|keymap)/.test(module)) return 'sshtop view-model (rows, key, layout)';
  if (/^dist\/ui\//.test(module)) return 'sshtop components (JSX)';
  if (/react-reconciler|node_modules\/react\/|scheduler/.test(module)) return 'React render/commit';
  if (/ink\/build\/(log-update|write-synchronized|cursor-helpers)|ansi-escapes|cli-cursor/.test(module)) return 'write (log-update)';
  if (/ink\/build\/(reconciler|dom|styles|get-max-width)/.test(module)) return 'Ink host config (DOM, styles)';
  if (/ink\/build\/(output|render-node-to-output|renderer|squash-text-nodes|wrap-text|measure-text|colorize|render-border|render-background|sanitize-ansi|ansi-tokenizer)|slice-ansi|string-width|wrap-ansi|cli-truncate|chalk|widest-line|ansi-regex|strip-ansi|emoji-regex|get-east-asian|is-fullwidth|ansi-styles|@alcalzone\/ansi-tokenize/.test(module)) return "Ink output building";
  if (/ink\/build/.test(module)) return 'Ink other (ink.js, hooks)';
  if (module.startsWith('node:') || module === '') return 'Node internals';
  return `other: ${module}`;
}

/** per bundle file, the line where each module starts (esbuild's `// path` comments) */
function moduleIndex(url: string, cache: Map<string, { line: number; name: string }[]>): { line: number; name: string }[] {
  let idx = cache.get(url);
  if (idx) return idx;
  idx = [];
  if (url.startsWith('file://')) {
    const lines = readFileSync(fileURLToPath(url), 'utf8').split('\n');
    lines.forEach((l, i) => {
      const m = /^\/\/ (?:(?:\.\.\/)+[^/]+\/)?((?:node_modules|dist)\/\S+)$/.exec(l);
      if (m) idx?.push({ line: i, name: m[1] as string });
    });
  }
  cache.set(url, idx);
  return idx;
}

function moduleOf(cf: CallFrame, cache: Map<string, { line: number; name: string }[]>): string {
  if (cf.url.startsWith('wasm')) return 'wasm';
  if (cf.url.startsWith('node:')) return cf.url;
  const idx = moduleIndex(cf.url, cache);
  let name = '';
  for (const e of idx) {
    if (e.line > cf.lineNumber) break;
    name = e.name;
  }
  return name || cf.url;
}

export interface Attribution {
  /** ms of main-thread CPU by stage over the profile (idle excluded) */
  byStage: Record<string, number>;
  /** the top self-time functions */
  top: { fn: string; module: string; ms: number }[];
  seconds: number;
}

export function attribute(profile: Profile): Attribution {
  const cache = new Map<string, { line: number; name: string }[]>();
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const byStage: Record<string, number> = {};
  const byFn = new Map<string, { fn: string; module: string; ms: number }>();
  // Node's own code (fs, path, streams) and native calls count for the stage that called them
  const stageById = new Map<number, string>();
  const inherits = (stage: string) => stage === 'Node internals' || stage === 'program (native, not JS)';
  const visit = (id: number, parentStage: string | undefined) => {
    const n = profile.nodes.find((x) => x.id === id);
    if (!n) return;
    let stage = stageOf(moduleOf(n.callFrame, cache), n.callFrame.functionName);
    if (inherits(stage) && parentStage !== undefined && !inherits(parentStage) && n.callFrame.functionName !== '(program)') stage = parentStage;
    stageById.set(id, stage);
    for (const c of n.children ?? []) visit(c, stage === 'other: (root)' ? undefined : stage);
  };
  const root = profile.nodes[0];
  if (root) for (const c of root.children ?? []) visit(c, undefined);
  for (const n of profile.nodes) {
    const ms = self.get(n.id) ?? 0;
    if (ms === 0) continue;
    const module = moduleOf(n.callFrame, cache);
    const stage = stageById.get(n.id) ?? stageOf(module, n.callFrame.functionName);
    byStage[stage] = (byStage[stage] ?? 0) + ms;
    const k = `${n.callFrame.functionName}@${module}`;
    const f = byFn.get(k) ?? { fn: n.callFrame.functionName || '(anonymous)', module, ms: 0 };
    f.ms += ms;
    byFn.set(k, f);
  }
  const top = [...byFn.values()].filter((f) => f.fn !== '(idle)').sort((a, b) => b.ms - a.ms).slice(0, 25);
  return { byStage, top, seconds: (profile.endTime - profile.startTime) / 1e6 };
}

/** run `<bundle>/cli.mjs --watch` on a pty under --cpu-prof for `seconds`, then q */
/**
 * lines that differ from the frame before, per frame: a full-screen Ink frame is a clear and every
 * line; an incremental one writes only the lines that changed (each after a cursor move to column 1)
 */
export function changedLines(raw: string): number[] {
  const frames = raw.split('\u001b[?2026h').slice(1).map((f) => f.split('\u001b[?2026l')[0] as string);
  const out: number[] = [];
  let prev: string[] | undefined;
  for (const f of frames) {
    const clear = f.lastIndexOf('\u001b[2J');
    if (clear >= 0) {
      const lines = f.slice(clear).split('\n');
      out.push(prev ? lines.filter((l, i) => l !== prev?.[i]).length : lines.length);
      prev = lines;
    } else {
      // incremental: each changed line is written after ESC[1G (cursorTo(0))
      out.push(f.split('\u001b[1G').length - 1);
      prev = undefined;
    }
  }
  return out;
}

export async function profileWatch(bundle: string, seconds: number, size = { columns: 200, rows: 50 }): Promise<{ profile: Profile; frames: number; bytes: number; changed: number[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'sshtop-prof-'));
  const p = await startPty([process.execPath, '--cpu-prof', `--cpu-prof-dir=${dir}`, join(bundle, 'cli.mjs'), '--watch', '--interval', '1'], size);
  await p.waitOutput((t) => / \d+ sessions,/.test(t), 20_000);
  await sleep(seconds * 1000);
  const out = p.rawOutput();
  p.write('q');
  await sleep(1500);
  await p.stop();
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile written in ${dir}`);
  process.stderr.write(`profile: ${join(dir, file)}\n`);
  return { profile: JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile, frames: out.split('\u001b[?2026h').length - 1, bytes: Buffer.byteLength(out), changed: changedLines(out) };
}

if (process.argv[1]?.endsWith('cpu-profile.ts')) {
  // `--file <x.cpuprofile> <frames>`: attribute a profile taken before (its bundle still in place)
  const again = process.argv[2] === '--file';
  const bundle = process.argv[2] ?? 'dist/bundle';
  const seconds = Number(process.argv[3] ?? 60);
  const { profile, frames, bytes, changed } = again
    ? { profile: JSON.parse(readFileSync(process.argv[3] as string, 'utf8')) as Profile, frames: Number(process.argv[4] ?? 1), bytes: 0, changed: [] }
    : await profileWatch(bundle, seconds);
  const a = attribute(profile);
  const busy = Object.entries(a.byStage).filter(([k]) => k !== 'idle');
  const total = busy.reduce((s, [, v]) => s + v, 0);
  console.log(`profile ${a.seconds.toFixed(1)} s; ${frames} frames drawn (${(bytes / 1024).toFixed(0)} KiB written); main-thread CPU ${total.toFixed(0)} ms = ${(total / a.seconds).toFixed(1)} ms/s`);
  const sorted = [...changed].sort((x, y) => x - y);
  if (sorted.length > 0) console.log(`lines changed per frame: median ${sorted[Math.floor(sorted.length / 2)]}, min ${sorted[0]}, max ${sorted.at(-1)} (${changed.join(' ')})`);
  for (const [k, v] of busy.sort((x, y) => y[1] - x[1])) console.log(`  ${k.padEnd(40)} ${v.toFixed(0).padStart(6)} ms  ${((v / total) * 100).toFixed(1).padStart(5)} %  ${(v / Math.max(1, frames)).toFixed(2).padStart(6)} ms/frame`);
  console.log('top functions (self):');
  for (const f of a.top) console.log(`  ${f.ms.toFixed(0).padStart(6)} ms  ${f.fn}  ${f.module}`);
}
