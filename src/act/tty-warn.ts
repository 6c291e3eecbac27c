// Write a warning to a session's terminals before it is ended (reap --warn).
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** returns the ttys written to; never blocks (O_NONBLOCK) and never becomes our controlling tty */
export function warnTtys(ttys: readonly string[], message: string, devRoot = '/dev'): string[] {
  const done: string[] = [];
  for (const tty of ttys) {
    if (!/^pts\/\d+$|^tty\d+$/.test(tty)) continue;
    let fd: number | undefined;
    try {
      fd = openSync(join(devRoot, tty), constants.O_WRONLY | constants.O_NOCTTY | constants.O_NONBLOCK);
      writeSync(fd, `\r\n${message}\r\n`);
      done.push(tty);
    } catch {
      // tty gone or not writable: the signal still goes out
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
  return done;
}
