// Under hidepid=2 every SSH daemon process is hidden from an ordinary user, their own included:
// sshd makes the user child non-dumpable, so its /proc entries belong to root and hidepid hides
// it. What the user still sees is their own shells, whose parent pid leads nowhere. This finds
// them: the tops of the caller's own session channels, and everything below them.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { HiddenSessionTop } from './types.js';
import { environValue, parseStat, ttyName, type StatFields } from './parse.js';

export interface HiddenParentsRead {
  tops: Map<number, HiddenSessionTop>;
  /** the tops and their visible descendants (their stats were added to the caller's map) */
  pids: Set<number>;
}

/** SSH_CONNECTION and SSH_TTY of one process, read once per process (pid + starttime) */
interface EnvEntry {
  startTicks: number;
  connection: string | undefined;
  tty: string | undefined;
}

export class HiddenParents {
  private readonly env = new Map<number, EnvEntry>();

  constructor(private readonly procRoot: string) {}

  /**
   * Every visible process is the caller's own (hidepid), so listing the mount is cheap. `stats`
   * holds what the reader already has; the rest are read here and added to it.
   */
  read(stats: Map<number, StatFields>): HiddenParentsRead {
    const visible = new Set<number>();
    let names: string[] = [];
    try {
      names = readdirSync(this.procRoot);
    } catch {
      // no listing: nothing found, nothing invented
    }
    for (const name of names) {
      if (!/^\d+$/.test(name)) continue;
      const pid = Number(name);
      if (!stats.has(pid)) {
        const st = this.readStat(pid);
        if (!st) continue;
        stats.set(pid, st);
      }
      visible.add(pid);
    }

    const tops = new Map<number, HiddenSessionTop>();
    for (const pid of visible) {
      const st = stats.get(pid) as StatFields;
      // pid 1 is never a session's parent; a zombie holds no channel
      if (st.ppid <= 1 || visible.has(st.ppid) || st.state === 'Z') continue;
      // sshd starts every channel's command with setsid(): a session leader
      if (st.sid !== pid) continue;
      const env = this.readEnv(pid, st.startTicks);
      if (env?.connection === undefined) continue;
      // a pty channel names its tty in SSH_TTY; a daemon that inherited the variable sits on none
      const tty = ttyName(st.ttyNr);
      if ((env.tty ?? null) !== (tty === null ? null : `/dev/${tty}`)) continue;
      tops.set(pid, { pid, parent: st.ppid, sshConnection: env.connection, sshTty: tty });
    }
    for (const pid of this.env.keys()) if (!visible.has(pid)) this.env.delete(pid);

    const children = new Map<number, number[]>();
    for (const pid of visible) {
      const ppid = (stats.get(pid) as StatFields).ppid;
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    }
    const pids = new Set<number>();
    const stack = [...tops.keys()];
    while (stack.length > 0) {
      const pid = stack.pop() as number;
      if (pids.has(pid)) continue;
      pids.add(pid);
      stack.push(...(children.get(pid) ?? []));
    }
    return { tops, pids };
  }

  private readStat(pid: number): StatFields | undefined {
    try {
      return parseStat(readFileSync(join(this.procRoot, String(pid), 'stat'), 'latin1'));
    } catch {
      return undefined;
    }
  }

  private readEnv(pid: number, startTicks: number): EnvEntry | undefined {
    const hit = this.env.get(pid);
    if (hit && hit.startTicks === startTicks) return hit;
    let raw: string;
    try {
      raw = readFileSync(join(this.procRoot, String(pid), 'environ'), 'latin1');
    } catch {
      return undefined;
    }
    // an environ read before exec completes is empty: look again next time
    if (raw === '') return undefined;
    const entry = { startTicks, connection: environValue(raw, 'SSH_CONNECTION'), tty: environValue(raw, 'SSH_TTY') };
    this.env.set(pid, entry);
    return entry;
  }
}
