// Whether a process named like an SSH daemon is one. comm and argv are anyone's to set (prctl,
// /proc/self/comm, `exec -a`); what a user cannot forge is the binary the kernel runs
// (/proc/PID/exe: a root-owned file nobody else may write) and the uid it runs as. Pure.
import { classifyProcess } from './classify.js';
import type { ProcEntry } from './types.js';

const DAEMON_BINARIES = new Set(['sshd', 'sshd-session', 'sshd-auth', 'dropbear', 'dropbearmulti']);

/**
 * Why p is not a real SSH daemon process, or undefined: real, or not checkable by this user
 * (another user's binary is unreadable without root; its uid still is).
 * `top`: p is the first daemon process of its tree (a listener, or a connection whose parent is
 * gone or is inetd): those run as root in every OpenSSH and Dropbear.
 */
export function forgedReason(p: ProcEntry, top: boolean): string | undefined {
  if (top && p.uid !== null && p.uid !== 0) return `runs as uid ${p.uid}, while an SSH daemon's listener and connections run as root`;
  const exe = p.exe;
  if (!exe) return undefined;
  if (!exe.regular) return `its executable ${exe.path} is not a regular file`;
  if (exe.uid !== 0) return `runs ${exe.path}, a file owned by uid ${exe.uid}, not by root`;
  if ((exe.mode & 0o022) !== 0) return `runs ${exe.path}, a file others may write`;
  if (!DAEMON_BINARIES.has(exe.path.slice(exe.path.lastIndexOf('/') + 1))) return `runs ${exe.path}, which is no SSH daemon`;
  return undefined;
}

/**
 * Whether p, at the top of its tree, is a listener sshtop believes: only such a listener's `-f`
 * is what root's `sshd -T` is run on (an early read starts it before the model is built).
 */
export function isTrustedListener(p: ProcEntry): boolean {
  return forgedReason(p, true) === undefined && classifyProcess(p.comm, p.argv).role === 'listener';
}
