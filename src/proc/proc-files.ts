// What every part of the reader shares: the /proc root, its held descriptors, and the notices
// one read collects (each once). Reads here never throw: a file that is gone reads as undefined.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { HeldFiles } from './held-files.js';
import { parseCmdline, parseStat, type StatFields } from './parse.js';

export type ErrCode = 'gone' | 'denied' | 'other';

export const DENIED = 'some processes are not visible to this user (permission denied); run as root to see every session fully';

export function errCode(e: unknown): ErrCode {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ESRCH' || code === 'ENOTDIR') return 'gone';
  if (code === 'EACCES' || code === 'EPERM') return 'denied';
  return 'other';
}

export function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

export class ProcFiles {
  /** one-line notices of the read under way (EACCES seen, hidepid, …), each once */
  notices = new Set<string>();
  /** whether the last readText failed with EACCES */
  lastDenied = false;

  constructor(
    readonly procRoot: string,
    readonly held: HeldFiles,
  ) {}

  note(msg: string): void {
    this.notices.add(msg);
  }

  /** note a permission denial when `e` is one */
  noteIfDenied(e: unknown): void {
    if (errCode(e) === 'denied') this.note(DENIED);
  }

  readText(path: string): string | undefined {
    this.lastDenied = false;
    try {
      return readFileSync(path, 'latin1');
    } catch (e) {
      this.lastDenied = errCode(e) === 'denied';
      if (this.lastDenied) this.note(DENIED);
      return undefined;
    }
  }

  /** stat as latin1 (lossless bytes, twice as fast to decode); comm is decoded as UTF-8 later */
  readStat(pid: number, hold = true): StatFields | undefined {
    try {
      return parseStat(hold ? this.held.read(pid, 'stat', 'latin1') : this.held.readOnce(pid, 'stat', 'latin1'));
    } catch (e) {
      this.noteIfDenied(e);
      return undefined;
    }
  }

  readArgv(pid: number): string[] {
    try {
      return parseCmdline(this.held.read(pid, 'cmdline', 'utf8'));
    } catch {
      return [];
    }
  }

  dir(pid: number): string {
    return join(this.procRoot, String(pid));
  }
}
