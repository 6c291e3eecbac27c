// Appending to a file that a privileged sshtop must not be tricked into writing elsewhere: the
// directory chain is checked like OpenSSH's StrictModes, the file is opened without following a
// symlink or blocking, and checked through its descriptor. Every refusal is one line of reason.
import { closeSync, constants, existsSync, fstatSync, ftruncateSync, lstatSync, mkdirSync, openSync, realpathSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';

const S_ISVTX = 0o1000;

// libuv adds O_CLOEXEC to every open on Linux; it is named here too where the platform exports it
const O_CLOEXEC = (constants as Record<string, number | undefined>).O_CLOEXEC ?? 0;
const APPEND_FLAGS = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK | O_CLOEXEC;

function kindOf(st: Stats): string {
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isDirectory()) return 'a directory';
  return 'not a regular file';
}

/** 'ENOSPC: no space left on device' (without the syscall and path node appends) */
const errText = (e: unknown): string => {
  const err = e as NodeJS.ErrnoException;
  return err.code ? `${err.code}: ${err.message.replace(/^\w+: /, '').replace(/, \w+( '.*')?$/, '')}` : String(err?.message ?? e);
};

/**
 * Why the directory `real` (already a real path) cannot be trusted, or undefined. Every directory
 * from / down must be owned by root or `euid`. The log's own directory (`strictLast`) must be
 * writable by nobody else. Above it, a root-owned directory may be group-writable (Ubuntu's
 * /var/log is root:syslog 0775) or world-writable with the sticky bit (/tmp): the directory itself
 * is then pinned by a descriptor and checked through it (appendWhole), so swapping it is caught.
 */
export function insecureDirReason(real: string, euid: number, strictLast = true): string | undefined {
  const parts = real.split(sep).filter(Boolean);
  for (let i = 0; i <= parts.length; i++) {
    const dir = sep + parts.slice(0, i).join(sep);
    let st: Stats;
    try {
      st = lstatSync(dir);
    } catch (e) {
      return `cannot check ${dir} (${errText(e)})`;
    }
    if (!st.isDirectory()) return `${dir} is ${kindOf(st)}`;
    if (st.uid !== 0 && st.uid !== euid) return `${dir} is owned by uid ${st.uid}, not root or uid ${euid}`;
    const strict = strictLast && i === parts.length;
    const groupOk = !strict && st.uid === 0 && (st.mode & 0o002) === 0;
    const stickyOk = !strict && st.uid === 0 && (st.mode & S_ISVTX) !== 0;
    if ((st.mode & 0o022) !== 0 && !groupOk && !stickyOk) return `${dir} is writable by ${st.mode & 0o002 ? 'others' : 'its group'} (mode ${(st.mode & 0o7777).toString(8)})`;
  }
  return undefined;
}

/** create `dir` (0750) if missing, once its nearest existing ancestor is trusted; returns its checked real path */
export function secureDir(dir: string, euid: number): { real: string } | { reason: string } {
  let existing = resolve(dir);
  for (;;) {
    try {
      lstatSync(existing);
      break;
    } catch {
      existing = dirname(existing);
    }
  }
  try {
    if (existing !== resolve(dir)) {
      // nothing is created under a directory someone else could have prepared
      const why = insecureDirReason(realpathSync(existing), euid, false);
      if (why) return { reason: why };
      mkdirSync(dir, { recursive: true, mode: 0o750 });
    }
    const real = realpathSync(dir);
    const why = insecureDirReason(real, euid);
    return why ? { reason: why } : { real };
  } catch (e) {
    return { reason: `cannot use directory ${dir} (${errText(e)})` };
  }
}

/**
 * Open an existing or new file for appending, and check it through the descriptor: a regular file
 * of `euid`'s with one link, writable by nobody else. The caller has checked its directory.
 */
export function openForAppend(file: string, euid: number): { fd: number; size: number } | { reason: string } {
  let fd: number;
  try {
    fd = openSync(file, APPEND_FLAGS, 0o640);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { reason: 'it is a symbolic link' };
    if (code === 'ENXIO') return { reason: 'it is a FIFO or socket with no reader' };
    return { reason: `cannot open it (${errText(e)})` };
  }
  let st: Stats;
  try {
    st = fstatSync(fd);
  } catch (e) {
    closeSync(fd);
    return { reason: `cannot check it (${errText(e)})` };
  }
  let reason: string | undefined;
  if (!st.isFile()) reason = `it is ${kindOf(st)}`;
  else if (st.uid !== euid) reason = `it is owned by uid ${st.uid}, not uid ${euid}`;
  // a second link: someone linked a file of ours (or /etc/shadow) here
  else if (st.nlink !== 1) reason = `it has ${st.nlink} hard links`;
  else if ((st.mode & 0o022) !== 0) reason = `it is writable by ${st.mode & 0o002 ? 'others' : 'its group'} (mode ${(st.mode & 0o777).toString(8)})`;
  if (reason === undefined) return { fd, size: st.size };
  closeSync(fd);
  return { reason };
}

/**
 * Append `data` to `path` as one whole record, or not at all: returns undefined when written,
 * else the reason (nothing of the record is left behind). Never follows a symlink, never blocks.
 */
export function appendWhole(path: string, data: string | Buffer, euid: number = process.geteuid?.() ?? 0): string | undefined {
  const dir = secureDir(dirname(resolve(path)), euid);
  if ('reason' in dir) return dir.reason;
  // the checked directory, held: whatever is renamed above it from now on, the file is made in it
  const pinned = pinDir(dir.real, euid);
  if ('reason' in pinned) return pinned.reason;
  try {
    return appendIn(join(pinned.via, basename(resolve(path))), data, euid);
  } finally {
    closeSync(pinned.fd);
  }
}

/** open a directory without following a last symlink and check it through the descriptor */
function pinDir(real: string, euid: number): { fd: number; via: string } | { reason: string } {
  let fd: number;
  try {
    fd = openSync(real, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  } catch (e) {
    return { reason: `cannot open directory ${real} (${errText(e)})` };
  }
  const st = fstatSync(fd);
  let reason: string | undefined;
  if (st.uid !== 0 && st.uid !== euid) reason = `${real} is owned by uid ${st.uid}, not root or uid ${euid}`;
  else if ((st.mode & 0o022) !== 0) reason = `${real} is writable by ${st.mode & 0o002 ? 'others' : 'its group'} (mode ${(st.mode & 0o7777).toString(8)})`;
  if (reason !== undefined) {
    closeSync(fd);
    return { reason };
  }
  // /proc/self/fd/N names the held directory itself; without /proc, its checked path has to do
  return { fd, via: existsSync(`/proc/self/fd/${fd}`) ? `/proc/self/fd/${fd}` : real };
}

function appendIn(file: string, data: string | Buffer, euid: number): string | undefined {
  // refuse what is plainly not a log before opening it at all (a device's open may have effects)
  try {
    const st = lstatSync(file);
    if (!st.isFile()) return `it is ${kindOf(st)}`;
  } catch {
    // missing: created below
  }
  const opened = openForAppend(file, euid);
  if ('reason' in opened) return opened.reason;
  const { fd, size } = opened;
  try {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    let failure: string | undefined;
    try {
      // one write(2): a record is never interleaved with another writer's, nor split
      const written = writeSync(fd, buf, 0, buf.length);
      if (written !== buf.length) failure = `short write (${written} of ${buf.length} bytes; disk full?)`;
    } catch (e) {
      failure = `write failed (${errText(e)})`;
    }
    if (failure === undefined) return undefined;
    try {
      // O_APPEND wrote at the end: cut back to the size before, so no half record remains
      ftruncateSync(fd, size);
    } catch (e) {
      return `${failure}; and could not remove the partial record (${errText(e)})`;
    }
    return failure;
  } finally {
    closeSync(fd);
  }
}
