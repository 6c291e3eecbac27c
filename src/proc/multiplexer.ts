// The terminal multiplexer (tmux, GNU screen) sshtop runs in, and the terminals of its attached
// clients. Found from sshtop's own ancestors, which nothing can reset: sudo and su drop $TMUX, but
// a pane's shell stays a child of the server. The server holds its attached clients' terminals
// open (tmux and screen both write to them directly), so its /dev/pts fds name the SSH sessions
// it is shown on; its panes are /dev/ptmx masters, never /dev/pts links.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { parseStat, tmuxServerPid } from './parse.js';

/**
 * comm of a multiplexer server: tmux retitles its server `tmux: server`; screen's server (argv
 * `SCREEN`) keeps the binary's comm `screen`. A screen *client* shares that comm, but one is only
 * an ancestor of sshtop when it forked the server it shows, on the same terminal: no false match.
 */
export function isMultiplexerServer(comm: string): boolean {
  return comm === 'tmux: server' || comm === 'screen' || comm === 'SCREEN';
}

/** the multiplexer servers among the ancestors (nearest first; nested screen in tmux gives both) */
export function multiplexerServers(ancestors: readonly { pid: number; comm: string }[]): number[] {
  return ancestors.filter((a) => isMultiplexerServer(a.comm)).map((a) => a.pid);
}

/** `pts/N` of every /dev/pts/N link target */
export function ptsOfLinks(targets: readonly string[]): string[] {
  const out = new Set<string>();
  for (const t of targets) {
    const m = /^\/dev\/(pts\/\d+)$/.exec(t);
    if (m) out.add(m[1] as string);
  }
  return [...out];
}

function statOf(procRoot: string, pid: number): { comm: string; ppid: number } | undefined {
  try {
    return parseStat(readFileSync(join(procRoot, String(pid), 'stat'), 'latin1'));
  } catch {
    return undefined;
  }
}

function fdLinks(procRoot: string, pid: number): string[] {
  const dir = join(procRoot, String(pid), 'fd');
  let fds: string[];
  try {
    fds = readdirSync(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const fd of fds) {
    try {
      out.push(readlinkSync(join(dir, fd)));
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

/**
 * ttys (`pts/4`) the multiplexer servers sshtop runs under hold open: their attached clients.
 * null when sshtop runs in none; [] when in one whose clients cannot be read.
 * $TMUX only adds a hint (a pane's process that left the ancestry, setsid and reparented).
 */
export function multiplexerClientTtys(procRoot: string, selfPid: number | undefined, tmux: string | undefined): string[] | null {
  const ancestors: { pid: number; comm: string }[] = [];
  const seen = new Set<number>();
  for (let pid = selfPid; pid !== undefined && pid > 0 && !seen.has(pid); ) {
    seen.add(pid);
    const st = statOf(procRoot, pid);
    if (!st) break;
    ancestors.push({ pid, comm: st.comm });
    pid = st.ppid;
  }
  const servers = multiplexerServers(ancestors);
  const hint = tmuxServerPid(tmux);
  if (servers.length === 0 && hint === undefined) return null;
  // a stale $TMUX may name a pid reused by anything: only a live tmux server counts
  if (hint !== undefined && !servers.includes(hint) && statOf(procRoot, hint)?.comm === 'tmux: server') servers.push(hint);
  return ptsOfLinks(servers.flatMap((s) => fdLinks(procRoot, s)));
}
