// A private tmux server for driving the real TUI: its own socket, killed by that socket only.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './wait.js';

export interface Tmux {
  socket: string;
  send(...keys: string[]): void;
  /** type literal text (no key names) */
  type(text: string): void;
  capture(): string;
  /** a tmux format for the pane, e.g. `#{pane_title}`, `#{alternate_on}`, `#{pane_pid}` */
  display(format: string): string;
  waitFor(what: string, pred: (screen: string) => boolean, timeoutMs?: number): Promise<string>;
  kill(): void;
}

export function startTmux(opts: { width?: number; height?: number; env?: Record<string, string> } = {}): Tmux {
  const socket = join(tmpdir(), `sshtop-tmux-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  const tmux = (...args: string[]) => spawnSync('tmux', ['-S', socket, ...args], { encoding: 'utf8' });
  // CI=true in every pane: the TUI must draw live on a terminal even where CI machines set it
  const env = Object.entries({ TERM: 'xterm-256color', PS1: '$ ', CI: 'true', ...opts.env }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  const r = tmux('-f', '/dev/null', 'new-session', '-d', '-x', String(opts.width ?? 200), '-y', String(opts.height ?? 50), ...env, 'bash --norc --noprofile');
  if (r.status !== 0) throw new Error(`tmux failed: ${r.stderr}`);
  const t: Tmux = {
    socket,
    send: (...keys) => void tmux('send-keys', '-t', '0', ...keys),
    type: (text) => void tmux('send-keys', '-t', '0', '-l', text),
    capture: () => tmux('capture-pane', '-t', '0', '-p').stdout,
    display: (format) => tmux('display-message', '-p', '-t', '0', format).stdout.replace(/\n$/, ''),
    waitFor: (what, pred, timeoutMs = 15_000) =>
      waitFor(what, () => {
        const s = t.capture();
        return pred(s) ? s : undefined;
      }, timeoutMs, 100).catch((e: Error) => {
        throw new Error(`${e.message}; the screen was:\n${t.capture()}`);
      }),
    kill: () => {
      tmux('kill-server');
      rmSync(socket, { force: true });
    },
  };
  return t;
}
