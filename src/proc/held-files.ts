// Small /proc files re-read through descriptors kept open: one pread instead of
// open+fstat+read+close. A held /proc/PID/* descriptor fails with ESRCH once its process is gone,
// even if the pid is reused, so a held file never shows another process's data.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';

export class HeldFiles {
  private readonly fds = new Map<string, number>();
  private buf = Buffer.alloc(16 * 1024);

  constructor(
    private readonly procRoot: string,
    private max = 8192,
  ) {}

  get size(): number {
    return this.fds.size;
  }

  /** read /proc/<pid>/<rel>; throws like readFileSync (ENOENT, ESRCH, EACCES) */
  read(pid: number, rel: string, encoding: BufferEncoding): string {
    const key = `${pid}/${rel}`;
    let fd = this.fds.get(key);
    if (fd === undefined) {
      const path = join(this.procRoot, String(pid), rel);
      if (this.fds.size >= this.max) return readFileSync(path, encoding);
      try {
        fd = openSync(path, 'r');
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'EMFILE' && code !== 'ENFILE') throw e;
        // out of descriptors: hold no more, read the rest the plain way
        this.max = this.fds.size;
        return readFileSync(path, encoding);
      }
      this.fds.set(key, fd);
    }
    try {
      let n = readSync(fd, this.buf, 0, this.buf.length, 0);
      while (n === this.buf.length) {
        this.buf = Buffer.alloc(this.buf.length * 2);
        n = readSync(fd, this.buf, 0, this.buf.length, 0);
      }
      return this.buf.toString(encoding, 0, n);
    } catch (e) {
      this.drop(key);
      throw e;
    }
  }

  /** close what belongs to pids no longer wanted */
  sweep(keep: ReadonlySet<number>): void {
    for (const key of this.fds.keys()) {
      if (!keep.has(Number(key.slice(0, key.indexOf('/'))))) this.drop(key);
    }
  }

  closeAll(): void {
    for (const key of [...this.fds.keys()]) this.drop(key);
  }

  private drop(key: string): void {
    const fd = this.fds.get(key);
    this.fds.delete(key);
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    }
  }
}
