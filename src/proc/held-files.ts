// Small /proc files re-read through descriptors kept open: one pread instead of
// open+fstat+read+close. A held /proc/PID/* descriptor fails with ESRCH once its process is gone,
// even if the pid is reused, so a held file never shows another process's data.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';

/** below this, a first read returned the whole file: seq_files stop near a page (4096) */
const WHOLE_IF_BELOW = 2048;

export class HeldFiles {
  /** pid → file below /proc/<pid> → descriptor (by pid: a read builds no key, a sweep parses none) */
  private readonly fds = new Map<number, Map<string, number>>();
  private count = 0;
  private buf = Buffer.alloc(16 * 1024);

  constructor(
    private readonly procRoot: string,
    private max = 8192,
  ) {}

  get size(): number {
    return this.count;
  }

  /** read /proc/<pid>/<rel>; throws like readFileSync (ENOENT, ESRCH, EACCES) */
  read(pid: number, rel: string, encoding: BufferEncoding): string {
    let files = this.fds.get(pid);
    let fd = files?.get(rel);
    if (fd === undefined) {
      const path = join(this.procRoot, String(pid), rel);
      if (this.count >= this.max) return readFileSync(path, encoding);
      try {
        fd = openSync(path, 'r');
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EMFILE' && code !== 'ENFILE') throw e;
        // out of descriptors: hold no more, read the rest the plain way
        this.max = this.count;
        return readFileSync(path, encoding);
      }
      if (files === undefined) this.fds.set(pid, (files = new Map()));
      files.set(rel, fd);
      this.count++;
    }
    try {
      // readAll may replace the buffer: take its length first
      const n = this.readAll(fd);
      return this.buf.toString(encoding, 0, n);
    } catch (e) {
      this.drop(pid, rel);
      throw e;
    }
  }

  /**
   * read /proc/<pid>/<rel> once without holding it: open, read into the shared buffer, close
   * (readFileSync also fstats and allocates a buffer per call)
   */
  readOnce(pid: number, rel: string, encoding: BufferEncoding): string {
    const fd = openSync(join(this.procRoot, String(pid), rel), 'r');
    try {
      const n = this.readAll(fd);
      return this.buf.toString(encoding, 0, n);
    } finally {
      closeSync(fd);
    }
  }

  /**
   * The bytes of /proc/<pid>/<rel>, read once without holding it and without decoding: a scan of
   * every pid looks at a byte or two and decodes only the few that may match. The view is valid
   * until the next read. Throws like readOnce.
   */
  readOnceBytes(pid: number, rel: string): Buffer {
    // a template, not join(): this runs for every pid on the machine
    const fd = openSync(`${this.procRoot}/${pid}/${rel}`, 'r');
    try {
      return this.buf.subarray(0, this.readAll(fd));
    } finally {
      closeSync(fd);
    }
  }

  /**
   * The whole file from offset 0 into this.buf; returns its length. A seq_file (children,
   * net/tcp) hands out at most about a page per read, so a read that may be partial is followed
   * by more until one returns nothing; a short first read of a small file is all of it.
   */
  private readAll(fd: number): number {
    let total = 0;
    for (;;) {
      if (total === this.buf.length) {
        const bigger = Buffer.alloc(this.buf.length * 2);
        this.buf.copy(bigger, 0, 0, total);
        this.buf = bigger;
      }
      const n = readSync(fd, this.buf, total, this.buf.length - total, total);
      total += n;
      if (n === 0 || (total === n && total < WHOLE_IF_BELOW)) return total;
    }
  }

  /** close what belongs to pids no longer wanted */
  sweep(keep: ReadonlySet<number>): void {
    for (const pid of this.fds.keys()) if (!keep.has(pid)) this.dropAll(pid);
  }

  closeAll(): void {
    for (const pid of [...this.fds.keys()]) this.dropAll(pid);
  }

  private dropAll(pid: number): void {
    for (const rel of [...(this.fds.get(pid)?.keys() ?? [])]) this.drop(pid, rel);
  }

  private drop(pid: number, rel: string): void {
    const files = this.fds.get(pid);
    const fd = files?.get(rel);
    if (files === undefined || fd === undefined) return;
    files.delete(rel);
    if (files.size === 0) this.fds.delete(pid);
    this.count--;
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  }
}
