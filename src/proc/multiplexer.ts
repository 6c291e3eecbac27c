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

type StatOf = (pid: number) => { comm: string; ppid: number } | undefined;

function statOf(procRoot: string): StatOf {
  return (pid) => {
    try {
      return parseStat(readFileSync(join(procRoot, String(pid), 'stat'), 'latin1'));
    } catch {
      return undefined;
    }
  };
}

/** the fd names of pid, sorted as the kernel lists them; undefined when not readable */
function fdNames(procRoot: string, pid: number): string[] | undefined {
  try {
    return readdirSync(join(procRoot, String(pid), 'fd'));
  } catch {
    return undefined;
  }
}

function fdLinks(procRoot: string, pid: number, fds: readonly string[]): string[] {
  const dir = join(procRoot, String(pid), 'fd');
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
 * The multiplexer servers sshtop runs under: its ancestors' (as `stat` knows them, nearest
 * first), and the tmux server $TMUX names when it is a live one. null when there is none.
 * $TMUX only adds a hint (a pane's process that left the ancestry, setsid and reparented).
 */
export function multiplexerServerPids(selfPid: number | undefined, tmux: string | undefined, stat: StatOf): number[] | null {
  const ancestors: { pid: number; comm: string }[] = [];
  const seen = new Set<number>();
  for (let pid = selfPid; pid !== undefined && pid > 0 && !seen.has(pid); ) {
    seen.add(pid);
    const st = stat(pid);
    if (!st) break;
    ancestors.push({ pid, comm: st.comm });
    pid = st.ppid;
  }
  const servers = multiplexerServers(ancestors);
  const hint = tmuxServerPid(tmux);
  if (servers.length === 0 && hint === undefined) return null;
  // a stale $TMUX may name a pid reused by anything: only a live tmux server counts
  if (hint !== undefined && !servers.includes(hint) && stat(hint)?.comm === 'tmux: server') servers.push(hint);
  return servers;
}

/**
 * ttys (`pts/4`) the multiplexer servers sshtop runs under hold open: their attached clients.
 * null when sshtop runs in none; [] when in one whose clients cannot be read.
 */
export function multiplexerClientTtys(procRoot: string, selfPid: number | undefined, tmux: string | undefined): string[] | null {
  const servers = multiplexerServerPids(selfPid, tmux, statOf(procRoot));
  return servers && ptsOfLinks(servers.flatMap((s) => fdLinks(procRoot, s, fdNames(procRoot, s) ?? [])));
}

/** a server's fd links are read again at least this often, even when its fd list looks the same (ms) */
export const CLIENT_LINKS_REFRESH_MS = 2_000;

/**
 * multiplexerClientTtys for a polling reader, which already holds the ancestors' stat. A server's
 * fd links (one readlink each: a tmux with many panes holds dozens) are read again when its fd
 * list changes, which an attach or a detach does at once (the client's terminal and socket are
 * new descriptors), and at least every CLIENT_LINKS_REFRESH_MS, for a detach and an attach
 * that reuse the same fd numbers between two reads.
 */
export class MultiplexerClients {
  private readonly links = new Map<number, { fds: string; ttys: string[]; at: number }>();

  constructor(
    private readonly procRoot: string,
    private readonly refreshMs = CLIENT_LINKS_REFRESH_MS,
  ) {}

  read(selfPid: number | undefined, tmux: string | undefined, stat: StatOf, now: number): string[] | null {
    const servers = multiplexerServerPids(selfPid, tmux, stat);
    if (servers === null) {
      this.links.clear();
      return null;
    }
    const out = new Set<string>();
    for (const pid of servers) {
      const names = fdNames(this.procRoot, pid) ?? [];
      const fds = names.join(',');
      let held = this.links.get(pid);
      if (!held || held.fds !== fds || now - held.at >= this.refreshMs || now < held.at) {
        held = { fds, ttys: ptsOfLinks(fdLinks(this.procRoot, pid, names)), at: now };
        this.links.set(pid, held);
      }
      for (const t of held.ttys) out.add(t);
    }
    for (const pid of this.links.keys()) if (!servers.includes(pid)) this.links.delete(pid);
    return [...out];
  }
}
