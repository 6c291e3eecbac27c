// What a one-shot prints goes straight to fd 1. In Bun (the release executable) the first touch of
// process.stdout loads Node's stream and tty layers: 14 ms of a 100 ms start-up budget, measured
// in a compiled executable (a write(2) to fd 1 costs 3). process.stdout is still what a terminal
// gets (the TUI, --once's width and colour), and what takes over when fd 1 would block.
import { fstatSync, writeSync } from 'node:fs';

/** what --once asks of a terminal on stdout, when it is one */
export interface StdoutTerminal {
  isTTY: boolean;
  columns: number | undefined;
}

/** only a character device can be a terminal: a pipe or a file is answered without process.stdout */
export function stdoutTerminal(): StdoutTerminal {
  let charDevice = false;
  try {
    charDevice = fstatSync(1).isCharacterDevice();
  } catch {
    // fd 1 closed: no terminal
  }
  if (!charDevice) return { isTTY: false, columns: undefined };
  return { isTTY: process.stdout.isTTY === true, columns: process.stdout.columns };
}

/** a reader that went away (`sshtop --json | head`) is no failure: stop quietly, as cat does */
function onWriteError(e: NodeJS.ErrnoException): never {
  if (e.code === 'EPIPE') process.exit(0);
  throw new Error(`cannot write the output: ${e.message}`);
}

let guarded = false;

/** process.stdout, with the same answer to a reader that went away (for the TUI and help) */
export function stdoutStream(): NodeJS.WriteStream {
  if (!guarded) {
    guarded = true;
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      try {
        onWriteError(e);
      } catch (err) {
        process.stderr.write(`sshtop: ${(err as Error).message}\n`);
        process.exit(1);
      }
    });
  }
  return process.stdout;
}

/** write all of `text` to stdout; a non-blocking fd that would block hands the rest to the stream */
export function writeOut(text: string): void {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(1, buf, off, buf.length - off);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'EAGAIN') {
        stdoutStream().write(buf.subarray(off));
        return;
      }
      onWriteError(err);
    }
  }
}
