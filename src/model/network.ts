// Network state of a session's connection and the staleness flags that follow from it
// (docs/sessions.md): dead-peer, traffic idle for notty sessions, stale pre-auth, hung. Pure.
import type { SsInfo } from '../proc/parse-ss.js';
import { predictEnds, TCP_RTO_MAX_MS, type ConnectionEnd, type KernelTcp, type SocketTiming } from './tcp-timeout.js';
import type { Policy, ProcSnapshot, Session, SessionNet, SessionProcess, TcpSocket } from './types.js';

const TIMERS: SessionNet['timer'][] = ['none', 'retransmit', 'keepalive', 'time-wait', 'zero-window-probe'];

export interface StalenessOptions {
  idleSeconds: number;
  /** ss figures by socket inode, when ss ran */
  ss?: ReadonlyMap<number, SsInfo> | null;
  /** policy of the session's listener (or the system's) */
  policyFor?: (listenerPid: number | null) => Policy | null | undefined;
  /** an authenticated connection without a user child this long after login is hung */
  hungAfterSeconds?: number;
  /** since when (ms) a process (key `pid:startTicks`) has been seen in state D, kept by the store */
  dStateSince?: ReadonlyMap<string, number>;
  /** D state for this long makes a session hung */
  dStateSeconds?: number;
}

const OPENSSH_DEFAULT_GRACE = 120;

/** clkTck: /proc/net/tcp gives the timer in clock ticks (USER_HZ) */
export function toSessionNet(sock: TcpSocket, ss: SsInfo | undefined, clkTck = 100): SessionNet {
  return {
    source: ss ? 'proc+ss' : 'proc',
    txQueue: sock.txQueue,
    rxQueue: sock.rxQueue,
    timer: TIMERS[sock.timer] ?? 'none',
    retransmits: sock.retransmits,
    probes: sock.probes,
    lastSendMs: ss?.lastSndMs ?? null,
    lastReceiveMs: ss?.lastRcvMs ?? null,
    lastAckMs: ss?.lastAckMs ?? null,
    bytesSent: ss?.bytesSent ?? null,
    bytesReceived: ss?.bytesReceived ?? null,
    rttMs: ss?.rttMs ?? null,
    rtoMs: ss?.rtoMs ?? null,
    retransTotal: ss?.retransTotal ?? null,
    timerMs: sock.timer === 0 ? null : Math.round((sock.timerJiffies * 1000) / clkTck),
    backoff: ss ? ss.backoff : null,
    rttVarMs: ss?.rttVarMs ?? null,
  };
}

/**
 * The peer stopped answering: data stays unacknowledged while a retransmit or probe timer runs
 * with retransmits or probes out, or (ss) nothing was acked for far longer than the RTO.
 */
export function deadPeerReason(net: SessionNet, ssAckGraceMs = 3000): string | undefined {
  if (net.txQueue > 0 && (net.timer === 'retransmit' || net.timer === 'zero-window-probe') && (net.retransmits > 0 || net.probes > 0)) {
    return `${net.txQueue} bytes unacknowledged, ${net.timer} timer running, ${Math.max(net.retransmits, net.probes)} retransmits/probes unanswered`;
  }
  if (net.timer === 'keepalive' && net.probes > 0) return `${net.probes} TCP keepalive probes unanswered`;
  if (net.txQueue > 0 && net.lastAckMs !== null && net.rtoMs !== null && net.lastAckMs > Math.max(net.rtoMs * 8, ssAckGraceMs)) {
    return `${net.txQueue} bytes outstanding and no ACK for ${Math.round(net.lastAckMs / 1000)}s (RTO ${net.rtoMs}ms)`;
  }
  return undefined;
}

function fmt(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return `${(s / 3600).toFixed(1)}h`;
}

/** apply network state, idle sources and staleness flags; `add` records a flag with its reason */
export function applyStaleness(
  s: Session,
  snap: ProcSnapshot,
  opts: StalenessOptions,
  add: (s: Session, flag: Session['flags'][number], reason: string) => void,
): void {
  const sock = s.socketInode === null ? undefined : snap.sockets.get(s.socketInode);
  const ssInfo = s.socketInode === null ? undefined : opts.ss?.get(s.socketInode);
  s.net = sock ? toSessionNet(sock, ssInfo, snap.clkTck) : null;
  const policy = opts.policyFor?.(s.listenerPid) ?? null;
  const ageSeconds = Math.max(0, Math.floor((snap.takenAt - s.startedAt) / 1000));
  const preauth = s.flags.includes('preauth');

  // traffic idle: the newest of last send and last receive on the connection
  if (s.net && s.net.lastSendMs !== null && s.net.lastReceiveMs !== null) {
    s.idleSources.traffic = Math.floor(Math.min(s.net.lastSendMs, s.net.lastReceiveMs) / 1000);
  }
  if (s.idleSource === null && s.idleSources.traffic !== null && !preauth) {
    s.idleSeconds = s.idleSources.traffic;
    s.idleSource = 'traffic';
    if (s.idleSeconds >= opts.idleSeconds) add(s, 'idle', `no traffic on the connection for ${fmt(s.idleSeconds)} (threshold ${fmt(opts.idleSeconds)})`);
  }

  if (s.net) {
    const why = deadPeerReason(s.net);
    if (why) add(s, 'dead-peer', `the client stopped answering: ${why}`);
  }

  if (preauth) {
    const grace = policy?.loginGraceTime ?? OPENSSH_DEFAULT_GRACE;
    const graceText = policy?.loginGraceTime == null ? `${grace}s (OpenSSH default; policy unknown)` : `${grace}s`;
    if (grace > 0 && ageSeconds > grace) add(s, 'stale', `not authenticated after ${fmt(ageSeconds)}, longer than LoginGraceTime ${graceText}`);
    if (grace > 0) s.timeouts.push(`LoginGraceTime ${graceText} ends it ${ageSeconds > grace ? 'now (overdue)' : `in ${fmt(grace - ageSeconds)}`}`);
  } else {
    const hasUserChild = s.processes.some((p) => p.depth > 0 && p.role === 'user') || s.processes[0]?.role === 'connection';
    const hungAfter = opts.hungAfterSeconds ?? 60;
    if (s.daemon === 'openssh' && !hasUserChild && ageSeconds > hungAfter) {
      add(s, 'hung', `authenticated ${fmt(ageSeconds)} ago but no user process was started: ${stuckStep(s, snap.takenAt)}`);
    }
    const dFor = opts.dStateSeconds ?? 30;
    for (const p of s.processes) {
      const since = opts.dStateSince?.get(`${p.pid}:${p.startTicks}`);
      // in whole ms: a one-shot passes the look it measured as seconds, and 2.002 * 1000 > 2002 in floating point
      if (p.state === 'D' && since !== undefined && snap.takenAt - since >= Math.round(dFor * 1000)) {
        // the history keeps a process only while its context switches stay the same (d-state.ts)
        const still = p.blocked?.switches != null ? ' without running' : '';
        add(s, 'hung', `process ${p.pid} (${p.comm}) stuck in uninterruptible sleep (D${inWchan(p)}) for ${fmt(Math.floor((snap.takenAt - since) / 1000))}${still}`);
        break;
      }
    }
  }

  if (policy && !preauth) addTimeouts(s, policy);
}

/** the kernel's figures the timeout model needs; null when tcp_retries2 could not be read (never invented) */
export function kernelTcp(k: Policy['kernel']): KernelTcp | null {
  if (!k || k.retries2 === undefined) return null;
  return { ...k, retries2: k.retries2, rtoMaxMs: k.rtoMaxMs ?? TCP_RTO_MAX_MS, rtoMinMs: k.rtoMinMs ?? 200 };
}

export function socketTiming(net: SessionNet): SocketTiming {
  return {
    timer: net.timer,
    timerMs: net.timerMs ?? null,
    txQueue: net.txQueue,
    retransmits: net.retransmits,
    probes: net.probes,
    rtoMs: net.rtoMs,
    backoff: net.backoff ?? null,
    rttMs: net.rttMs,
    rttVarMs: net.rttVarMs ?? null,
    lastReceiveMs: net.lastReceiveMs,
    lastAckMs: net.lastAckMs,
  };
}

/** one timeouts line for an end: who drops it, when, and by which setting */
export function describeEnd(e: ConnectionEnd): string {
  const who = e.by === 'client-alive' ? 'sshd' : 'the kernel';
  if (e.when === 'running') return `${who} drops it in ${fmt(e.inSeconds)} (${e.setting}: ${e.how})`;
  return `if the client goes silent, ${who} drops it after ${fmt(e.inSeconds)} (${e.setting}: ${e.how}; this detects a dead client, not an idle person)`;
}

const inWchan = (p: SessionProcess): string => (p.blocked?.wchan ? `, in ${p.blocked.wchan}` : '');

/** helpers PAM modules run, by name: the module is known from them */
const PAM_HELPERS: Record<string, string> = { unix_chkpwd: 'pam_unix', unix_update: 'pam_unix', mkhomedir_helper: 'pam_mkhomedir' };

/**
 * What an authenticated login without a user process waits for. Before the user child is forked
 * the monitor runs the PAM account and session stacks, so a process below it that is no SSH daemon
 * is a PAM module's: a known helper names its module, anything else is what pam_exec (or a module
 * like it) started. A process in D is named with where it sleeps; a monitor with no helper is
 * blocked inside a module itself.
 */
export function stuckStep(s: Session, now: number): string {
  const parts: string[] = [];
  const helper = s.processes.find((p) => p.role === 'process');
  if (helper) {
    const parent = s.processes.find((p) => p.pid === helper.ppid);
    const who = parent ? `sshd ${parent.role} (pid ${parent.pid})` : `pid ${helper.ppid}`;
    const module = PAM_HELPERS[helper.comm] ?? 'pam_exec or another module that runs a command';
    parts.push(`stuck in PAM: ${who} waits for its child pid ${helper.pid} \`${helper.command}\` (running ${fmt(Math.max(0, Math.floor((now - helper.startedAt) / 1000)))}; ${module})`);
  }
  const d = s.processes.find((p) => p.state === 'D');
  if (d) parts.push(`pid ${d.pid} (${d.comm}) is in uninterruptible sleep (D${inWchan(d)})`);
  if (parts.length === 0) {
    const m = s.processes.find((p) => p.role === 'monitor' || p.role === 'pam') ?? s.processes[0];
    parts.push(m ? `the sshd ${m.role} (pid ${m.pid}, state ${m.state}) started no process: blocked inside PAM or the session setup` : 'no process is visible');
  }
  return parts.join('; ');
}

function addTimeouts(s: Session, p: Policy): void {
  // OpenSSH never sets TCP_USER_TIMEOUT, and neither ss nor /proc shows it: taken as unset
  const ends = predictEnds({ socket: s.net ? socketTiming(s.net) : null, kernel: kernelTcp(p.kernel), ssh: p.source === 'unknown' ? null : p });
  s.ends = ends;
  const [first] = ends;
  if (first) {
    s.timeouts.push(describeEnd(first));
    // ClientAlive is what people configure: say so when something else comes first
    const alive = ends.find((e) => e.by === 'client-alive');
    if (alive && alive !== first) s.timeouts.push(`${alive.setting} would drop it after ${fmt(alive.inSeconds)}: not reached first`);
  } else if (p.silentClientDropSeconds !== null) {
    s.timeouts.push(`if the client goes silent, ${p.silentClientDropBy} drops it after ${fmt(p.silentClientDropSeconds)} (this detects a dead client, not an idle person)`);
  } else if (p.source !== 'unknown') {
    s.timeouts.push('a dead client is never detected by the server (ClientAliveInterval 0, TCPKeepAlive no)');
  }
  if (s.net && s.net.txQueue === 0 && s.net.timer !== 'retransmit') {
    s.timeouts.push('a dead peer that is sent nothing shows nothing until a ClientAlive or TCP keepalive probe goes out');
  }
  if (p.unusedConnectionTimeout && p.unusedConnectionTimeout > 0 && s.flags.includes('forward-only')) {
    s.timeouts.push(`UnusedConnectionTimeout ${fmt(p.unusedConnectionTimeout)} ends it once it has no open channels`);
  }
  if (p.channelTimeout && p.channelTimeout !== 'none') s.timeouts.push(`ChannelTimeout ${p.channelTimeout} closes inactive channels`);
}
