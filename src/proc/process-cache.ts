// One process read in depth, with what does not change for one process (pid + starttime) kept
// between ticks: its uid, argv, binary, netns and cgroup; its SSH title and socket list are
// re-read only when they may have changed.
import { readdirSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readBlocked } from './blocked.js';
import { parseSocketLink, parseStatusUid, ttyName, type StatFields } from './parse.js';
import { parseAuditId, parseLoginScope } from './parse-login.js';
import { isSettledTitle } from './parse-ssh-title.js';
import { DENIED, errCode, exists, type ProcFiles } from './proc-files.js';
import { NET_REFRESH_MS } from './sockets.js';
import type { ExeFacts, LoginIdentity, ProcEntry, TcpSocket } from './types.js';

/** a settled SSH title is read again at least this often (ms) */
const TITLE_RECHECK_MS = 10_000;

/** what does not change for one process (pid + starttime), or changes rarely enough to refresh slowly */
interface Cached {
  startTicks: number;
  uid: number | null;
  /** argv of a non-sshd process, valid while its comm is unchanged (exec changes both) */
  argv?: { comm: string; argv: string[] };
  /** an SSH daemon's title, with its children and the time it was read (see isSettledTitle) */
  title?: { argv: string[]; children: string; at: number };
  /** tcp: one of the inodes is in a TCP table (the connection): the list is not read again */
  sockets?: { at: number; inodes: number[] | null; tcp?: boolean };
  netns?: string | null;
  cgroup?: string | null;
  /** an SSH-daemon-named process's binary, valid while its comm is unchanged (exec changes both) */
  exe?: { comm: string; facts: ExeFacts | null | undefined };
  /** status was not readable (another user's process): uid stays unknown */
  denied?: boolean;
  /** the login it came from: fixed for the process once a login marked it (see readLogin) */
  login?: LoginIdentity | null;
}

export interface EntryRequest {
  pid: number;
  stat: StatFields;
  /** an SSH-daemon process: its title, binary, sockets and netns are read too */
  family: boolean;
  /** argv already read this tick (a numeric comm had to be told by it) */
  argv?: string[] | undefined;
  /** read its cgroup (a family root: socket activation shows there) */
  cgroup: boolean;
  now: number;
  /** its children, comma-joined: a settled title is re-read when they change */
  children: string;
}

export class ProcessCache {
  private readonly identity = new Map<number, Cached>();

  constructor(
    private readonly files: ProcFiles,
    private readonly netRefreshMs = NET_REFRESH_MS,
    /** bytes per page, for stat's rss */
    private readonly pageSize = 4096,
  ) {}

  /** one process; undefined when it is gone */
  readEntry({ pid, stat: st, family, argv: argv0, cgroup: wantCgroup, now, children: kids }: EntryRequest): ProcEntry | undefined {
    const dir = this.files.dir(pid);
    let cached = this.identity.get(pid);
    if (!cached || cached.startTicks !== st.startTicks) {
      const status = this.files.readText(join(dir, 'status'));
      if (status === undefined && !exists(dir)) return undefined;
      cached = { startTicks: st.startTicks, uid: status === undefined ? null : (parseStatusUid(status) ?? null), denied: this.files.lastDenied };
      this.identity.set(pid, cached);
    } else if (cached.denied) {
      // the cached uid is not read again: keep saying why it is missing
      this.files.note(DENIED);
    }
    const comm = decodeComm(st.comm);
    // sshd titles change (`unknown [priv]` → `alice [priv]`, new multiplexed ttys): re-read them
    // unless settled (isSettledTitle); other argv only changes with exec, which also changes comm
    let argv: string[];
    if (argv0 !== undefined) argv = argv0;
    else if (family) {
      const t = cached.title;
      if (t && t.children === kids && now - t.at < TITLE_RECHECK_MS && isSettledTitle(comm, t.argv)) argv = t.argv;
      else {
        argv = this.files.readArgv(pid);
        cached.title = { argv, children: kids, at: now };
      }
    } else if (cached.argv && cached.argv.comm === comm) argv = cached.argv.argv;
    else {
      argv = this.files.readArgv(pid);
      cached.argv = { comm, argv };
    }
    // a process's login is fixed once set (inherited at fork); an SSH daemon's monitor gets its
    // own while the login opens, so a daemon's is read again until it has one
    if (cached.login === undefined || (family && cached.login !== null && cached.login.sessionId === null && cached.login.scope === null))
      cached.login = this.readLogin(dir, cached) ?? null;
    let sockets: number[] | null = [];
    // a mosh-server's UDP socket is its session's port
    if (!family && comm === 'mosh-server' && (!cached.sockets || now - cached.sockets.at >= this.netRefreshMs)) cached.sockets = { at: now, inodes: readSocketInodes(dir) };
    if (!family && comm === 'mosh-server') sockets = cached.sockets?.inodes ?? null;
    if (family) {
      // what it really runs decides whether it is a daemon at all (model/trust.ts)
      if (cached.exe?.comm !== comm) cached.exe = { comm, facts: readExe(dir) };
      // an SSH process holds its connection from birth: once that socket is known, the fd list
      // (a readlink per descriptor) need not be read again
      if (!cached.sockets || (!cached.sockets.tcp && now - cached.sockets.at >= this.netRefreshMs)) {
        cached.sockets = { at: now, inodes: readSocketInodes(dir) };
      }
      sockets = cached.sockets.inodes;
      // null: the fd directory was not readable (EACCES), the connection's addresses stay unknown
      if (sockets === null) this.files.note(DENIED);
      if (cached.netns === undefined && sockets && sockets.length > 0) {
        try {
          cached.netns = readlinkSync(join(dir, 'ns', 'net'));
        } catch {
          cached.netns = null;
        }
      }
    }
    if (wantCgroup && cached.cgroup === undefined) cached.cgroup = this.files.readText(join(dir, 'cgroup')) ?? null;
    return {
      pid,
      ppid: st.ppid,
      comm,
      argv,
      cmdline: argv.join(' '),
      state: st.state,
      pgrp: st.pgrp,
      sid: st.sid,
      ttyNr: st.ttyNr,
      tty: ttyName(st.ttyNr),
      tpgid: st.tpgid,
      cpuTicks: st.cpuTicks,
      startTicks: st.startTicks,
      uid: cached.uid,
      sockets,
      netns: cached.netns ?? null,
      cgroup: wantCgroup ? (cached.cgroup ?? null) : null,
      exe: family ? cached.exe?.facts : undefined,
      ...(st.state === 'D' ? { blocked: readBlocked(dir) } : {}),
      ...(cached.login ? { login: cached.login } : {}),
      rssBytes: st.rssPages * this.pageSize,
    };
  }

  /** sessionid and loginuid; logind's scope only where no audit session says it (no audit, UsePAM no) */
  private readLogin(dir: string, cached: Cached): LoginIdentity | undefined {
    const sessionId = parseAuditId(this.files.readText(join(dir, 'sessionid')));
    const loginUid = parseAuditId(this.files.readText(join(dir, 'loginuid')));
    let scope: string | null = null;
    if (sessionId === null || sessionId === undefined) {
      cached.cgroup ??= this.files.readText(join(dir, 'cgroup')) ?? null;
      scope = cached.cgroup === null ? null : parseLoginScope(cached.cgroup);
    }
    // a captured tree without these files: nothing is known, which is not the same as unset
    if (sessionId === undefined && loginUid === undefined && scope === null) return undefined;
    return { sessionId: sessionId ?? null, loginUid: loginUid ?? null, scope };
  }

  /** what was not read this tick is forgotten (a full scan is rare now) */
  keepOnly(procs: ReadonlyMap<number, ProcEntry>): void {
    for (const pid of this.identity.keys()) if (!procs.has(pid)) this.identity.delete(pid);
  }

  /** a process whose sockets include its connection's: its fd list need not be read again */
  markConnected(procs: ReadonlyMap<number, ProcEntry>, sockets: ReadonlyMap<number, TcpSocket>): void {
    for (const p of procs.values()) {
      const held = this.identity.get(p.pid)?.sockets;
      if (held && !held.tcp && p.sockets?.some((i) => sockets.has(i))) held.tcp = true;
    }
  }
}

/** stat's comm, read as latin1, decoded as UTF-8; ASCII (nearly every comm) is the same string, with no Buffer per process per tick */
function decodeComm(raw: string): string {
  for (let i = 0; i < raw.length; i++) if (raw.charCodeAt(i) > 0x7f) return Buffer.from(raw, 'latin1').toString('utf8');
  return raw;
}

/**
 * The binary behind /proc/PID/exe, stat'ed through the link (it answers for a binary an upgrade
 * has since replaced); null when not ours to read (another user's process), undefined when there
 * is none (a captured tree, a zombie).
 */
function readExe(dir: string): ExeFacts | null | undefined {
  const link = join(dir, 'exe');
  try {
    const st = statSync(link);
    return { path: readlinkSync(link).replace(/ \(deleted\)$/, ''), uid: st.uid, mode: st.mode & 0o7777, regular: st.isFile() };
  } catch (e) {
    return errCode(e) === 'denied' ? null : undefined;
  }
}

/** socket inodes in /proc/PID/fd; null when the directory is not readable (another user's process) */
function readSocketInodes(dir: string): number[] | null {
  const fdDir = join(dir, 'fd');
  let fds: string[];
  try {
    fds = readdirSync(fdDir);
  } catch (e) {
    return errCode(e) === 'denied' ? null : [];
  }
  const out: number[] = [];
  for (const fd of fds) {
    try {
      const inode = parseSocketLink(readlinkSync(join(fdDir, fd)));
      if (inode !== undefined) out.push(inode);
    } catch {
      // fd closed between readdir and readlink
    }
  }
  return out;
}
