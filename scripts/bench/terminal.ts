// The real programs on real ptys: `sshtop --watch` (the built CLI) and `htop` side by side over the
// same window, CPU from /proc/<pid>/stat, memory from /proc/<pid>/status; and sshtop's time to
// first frame.
import { hostname } from 'node:os';
import { SSHTOP } from '../../test/support/lab.js';
import { startPty } from './pty.js';
import { procCpu, procMemory, sleep, summarize, type Summary } from './stats.js';

export interface CpuWindow {
  seconds: number;
  /** utime+stime of the program itself, ms */
  self: number;
  /** cutime+cstime: its reaped children (sshtop runs ss and sshd -T), ms */
  children: number;
  /** per 1 s tick, ms (self + children) */
  perTick: number;
  /** % of one core over the window */
  corePct: number;
}

export interface SideBySide {
  sshtop: CpuWindow & { rssMb: number; hwmMb: number };
  /** the same CLI under node --max-semi-space-size=1: what a smaller young generation buys */
  smallHeap: CpuWindow & { rssMb: number; hwmMb: number };
  htop: CpuWindow;
}

/** node flag for the variant: V8's young generation otherwise grows to 2 x 16 MB under Ink's per-frame garbage */
export const SMALL_HEAP_FLAG = '--max-semi-space-size=1';

const window = (a: { self: number; children: number }, b: { self: number; children: number }, seconds: number): CpuWindow => {
  const self = b.self - a.self;
  const children = b.children - a.children;
  return { seconds, self, children, perTick: (self + children) / seconds, corePct: ((self + children) / (seconds * 1000)) * 100 };
};

/** both programs at a 1 s refresh on 200x50 ptys, started together, measured over the same seconds */
export async function watchVersusHtop(seconds: number, size = { columns: 200, rows: 50 }): Promise<SideBySide> {
  // as an installed sshtop runs: through bin/sshtop's first lines, with the V8 flags they give node
  const sshtop = await startPty([SSHTOP, '--watch', '--interval', '1'], size);
  const small = await startPty([process.execPath, SMALL_HEAP_FLAG, SSHTOP, '--watch', '--interval', '1'], size);
  const htop = await startPty(['htop', '-d', '10'], size);
  const all = [sshtop, small, htop];
  try {
    const drawn = (t: string) => / \d+ sessions,/.test(t);
    const ready = await Promise.all([sshtop.waitOutput(drawn, 20_000), small.waitOutput(drawn, 20_000), htop.waitOutput((t) => t.includes('Load average'), 20_000)]);
    if (ready.some((r) => r === undefined)) throw new Error('sshtop or htop never drew a frame');
    // start-up is not steady state: let them run a few ticks first
    await sleep(3000);
    const before = all.map((p) => procCpu(p.pid));
    await sleep(seconds * 1000);
    const after = all.map((p) => procCpu(p.pid));
    const mem = [procMemory(sshtop.pid), procMemory(small.pid)];
    const [s0, m0, h0] = before;
    const [s1, m1, h1] = after;
    const [sm, mm] = mem;
    if (!s0 || !s1 || !m0 || !m1 || !h0 || !h1 || !sm || !mm) throw new Error('sshtop or htop exited during the window');
    return { sshtop: { ...window(s0, s1, seconds), ...sm }, smallHeap: { ...window(m0, m1, seconds), ...mm }, htop: window(h0, h1, seconds) };
  } finally {
    await Promise.all(all.map((p) => p.stop()));
  }
}

export interface FirstFrame {
  /** spawn → first screen with the header line */
  header: Summary;
  /** spawn → first screen with the session count (the first snapshot drawn) */
  data: Summary;
}

/** node running the built CLI: the command `npm run bench` measures unless told another */
export const NODE_SSHTOP: readonly string[] = [process.execPath, SSHTOP];

/** one start of the TUI on a pty: ms from spawn to the header, and to the first frame with the sessions */
export async function firstFrameOnce(argv: readonly string[], size = { columns: 200, rows: 50 }): Promise<{ header: number; data: number }> {
  const host = hostname();
  const p = await startPty([...argv], size);
  try {
    const header = await p.waitOutput((t) => t.includes(`sshtop ${host}`));
    const data = await p.waitOutput((t) => / \d+ sessions,/.test(t));
    if (header === undefined || data === undefined) throw new Error(`${argv.join(' ')} drew no header or no sessions`);
    p.write('q');
    await sleep(300);
    return { header, data };
  } finally {
    await p.stop();
  }
}

/** `reps` starts of the TUI one after another (the release executable's argv, or node's by default) */
export async function firstFrame(reps: number, size = { columns: 200, rows: 50 }, argv: readonly string[] = NODE_SSHTOP): Promise<FirstFrame> {
  const header: number[] = [];
  const data: number[] = [];
  for (let i = 0; i < reps; i++) {
    const f = await firstFrameOnce(argv, size);
    header.push(f.header);
    data.push(f.data);
  }
  return { header: summarize(header), data: summarize(data) };
}
