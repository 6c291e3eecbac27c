// A program on a real pseudo-terminal of a fixed size, through util-linux `script`: its output
// reaches us as raw bytes (for time to first frame), its pid is known (for CPU and memory), and it
// is stopped by that pid. `script` itself is stopped by its own pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { waitFor } from '../../test/support/wait.js';

export interface Pty {
  /** pid of the program (script's child, which execs it) */
  pid: number;
  /** pid of `script` */
  scriptPid: number;
  /** ms from spawn to the first output matching `pred`, or undefined on timeout */
  waitOutput(pred: (text: string) => boolean, timeoutMs?: number): Promise<number | undefined>;
  /** everything printed so far, escape sequences removed */
  screenText(): string;
  /** everything printed so far, as written (escape sequences kept) */
  rawOutput(): string;
  write(keys: string): void;
  stop(): Promise<void>;
}

// CSI, OSC and two-byte escapes: enough to find words in Ink's and htop's output
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[()][A-Za-z0-9]|\u001b[=>78DEHMc]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** every pty still running, so an interrupted benchmark can stop them by pid */
export const livePtys = new Set<Pty>();

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function childOf(pid: number): number | undefined {
  try {
    const first = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ')[0];
    return first ? Number(first) : undefined;
  } catch {
    return undefined;
  }
}

export async function startPty(argv: string[], opts: { columns: number; rows: number; env?: NodeJS.ProcessEnv }): Promise<Pty> {
  const command = `stty cols ${opts.columns} rows ${opts.rows}; exec ${argv.map(shellQuote).join(' ')}`;
  const t0 = performance.now();
  const child: ChildProcess = spawn('script', ['-q', '-f', '-e', '-c', command, '/dev/null'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { TERM: 'xterm-256color', ...opts.env },
  });
  const chunks: { at: number; text: string }[] = [];
  let all = '';
  child.stdout?.on('data', (d: Buffer) => {
    const text = d.toString('utf8');
    chunks.push({ at: performance.now() - t0, text });
    all += text;
  });
  child.stderr?.on('data', () => undefined);
  child.stdin?.on('error', () => undefined);
  let exited = false;
  child.on('exit', () => (exited = true));
  const scriptPid = child.pid as number;
  // script forks a shell that execs the program: wait for that child to appear
  const pid = await waitFor(`pty child of script ${scriptPid}`, () => childOf(scriptPid), 5000, 2);
  const pty: Pty = {
    pid,
    scriptPid,
    async waitOutput(pred, timeoutMs = 10_000) {
      const found = await waitFor(
        'output',
        () => {
          let acc = '';
          for (const c of chunks) {
            acc += c.text;
            if (pred(stripAnsi(acc))) return c.at;
          }
          return undefined;
        },
        timeoutMs,
        2,
      ).catch(() => undefined);
      return found;
    },
    screenText: () => stripAnsi(all),
    rawOutput: () => all,
    write: (keys) => {
      if (!exited) child.stdin?.write(keys);
    },
    async stop() {
      livePtys.delete(pty);
      for (const p of [pid, scriptPid]) {
        try {
          process.kill(p, 'SIGTERM');
        } catch {
          // gone
        }
      }
      await waitFor(`script ${scriptPid} to exit`, () => exited, 5000, 20).catch(() => {
        for (const p of [pid, scriptPid]) {
          try {
            process.kill(p, 'SIGKILL');
          } catch {
            // gone
          }
        }
      });
    },
  };
  livePtys.add(pty);
  return pty;
}

/** each variant (a command line, split at spaces) on its own pty, side by side */
export async function startVariants(variants: readonly string[], size = { columns: 200, rows: 50 }): Promise<Pty[]> {
  const ptys: Pty[] = [];
  for (const v of variants) ptys.push(await startPty(v.split(' '), size));
  return ptys;
}

/** q to each (sshtop quits and restores its terminal), a moment for it, then each stopped by pid */
export async function quitAll(ptys: readonly Pty[]): Promise<void> {
  for (const p of ptys) p.write('q');
  await new Promise((r) => setTimeout(r, 1500));
  for (const p of ptys) await p.stop();
}
