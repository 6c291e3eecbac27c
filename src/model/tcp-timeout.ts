// What ends a connection whose client may be gone, and when: the kernel's retransmission timeout
// (tcp_retries2), its zero-window probes, TCP_USER_TIMEOUT, TCP keepalive, or sshd's ClientAlive*.
// Pure. Mirrors net/ipv4/tcp_timer.c (Linux 6.x) and was checked against measured connections.

/** TCP_RTO_MIN (HZ/5): the RTO base the kernel models tcp_retries2 with, whatever the real RTO */
export const TCP_RTO_MIN_MS = 200;
/** TCP_RTO_MAX; since Linux 6.15 net.ipv4.tcp_rto_max_ms (per namespace, copied into each socket) */
export const TCP_RTO_MAX_MS = 120_000;

/**
 * Timers fire late, never early: the timer wheel rounds a long timeout up to its level's
 * granularity. Measured here 1–3 % per expiry; without it an expiry that falls just short of the
 * model (and, late, reaches it) is taken for one more RTO, up to 120 s too late.
 */
export const TIMER_LATENESS = 0.02;

/** the kernel's TCP settings (net.ipv4.*), as read from /proc/sys of the connection's namespace */
export interface KernelTcp {
  retries2: number;
  /** tcp_rto_max_ms, TCP_RTO_MAX where the kernel has no such setting */
  rtoMaxMs: number;
  /** tcp_rto_min_us / 1000: the floor of a connection's own RTO (not the model's base) */
  rtoMinMs: number;
  keepaliveTime: number;
  keepaliveIntvl: number;
  keepaliveProbes: number;
}

/** what the server's socket shows now: /proc/net/tcp (fresh every read) and `ss -tie` (may be seconds old) */
export interface SocketTiming {
  timer: 'none' | 'retransmit' | 'keepalive' | 'time-wait' | 'zero-window-probe';
  /** until the timer fires, from /proc/net/tcp `tm->when` */
  timerMs: number | null;
  txQueue: number;
  /** icsk_retransmits (/proc/net/tcp `retrnsmt`) */
  retransmits: number;
  /** icsk_probes_out (/proc/net/tcp `timeout`) */
  probes: number;
  /** ss `rto:` and the `backoff:` it was read with (rto is already doubled `backoff` times) */
  rtoMs: number | null;
  backoff: number | null;
  /** ss `rtt:srtt/rttvar` */
  rttMs: number | null;
  rttVarMs: number | null;
  /** ss `lastrcv` / `lastack` */
  lastReceiveMs: number | null;
  lastAckMs: number | null;
}

/** sshd's settings that bear on a silent client */
export interface SshAlive {
  clientAliveInterval: number | null;
  clientAliveCountMax: number | null;
  tcpKeepAlive: boolean | null;
}

export type EndMechanism = 'retransmission' | 'zero-window-probe' | 'user-timeout' | 'keepalive' | 'client-alive';

export interface ConnectionEnd {
  by: EndMechanism;
  /** seconds from the snapshot until the connection is ended this way */
  inSeconds: number;
  /** `running`: the socket is counting down now (its peer does not answer); `if-silent`: what happens should the client go silent now */
  when: 'running' | 'if-silent';
  /** the setting that decides, for people: `tcp_retries2 15` */
  setting: string;
  /** how it comes about, for people */
  how: string;
}

export interface EndInput {
  socket: SocketTiming | null;
  kernel: KernelTcp | null;
  ssh: SshAlive | null;
  /** TCP_USER_TIMEOUT of the socket, ms; 0 or null: not set (OpenSSH never sets it, and ss does not show it) */
  userTimeoutMs?: number | null;
}

/**
 * tcp_model_timeout(): how long (ms since the first retransmission, `retrans_stamp`) the kernel
 * lets unanswered retransmissions go on, for `boundary` = tcp_retries2, as if the RTO had started
 * at TCP_RTO_MIN and doubled up to the maximum.
 */
export function modelTimeoutMs(boundary: number, rtoMaxMs = TCP_RTO_MAX_MS, rtoBaseMs = TCP_RTO_MIN_MS): number {
  const thresh = Math.floor(Math.log2(Math.max(1, Math.floor(rtoMaxMs / rtoBaseMs))));
  if (boundary <= thresh) return (2 ** (boundary + 1) - 1) * rtoBaseMs;
  return (2 ** (thresh + 1) - 1) * rtoBaseMs + (boundary - thresh) * rtoMaxMs;
}

/** time from the first retransmission to the expiry after `count` backoffs: Σ min(rto0·2^j, max), j = 1…count */
export function backoffSumMs(rto0Ms: number, count: number, rtoMaxMs = TCP_RTO_MAX_MS): number {
  let sum = 0;
  for (let j = 1; j <= count; j++) sum += Math.min(rto0Ms * 2 ** j, rtoMaxMs);
  return sum;
}

/**
 * The expiry (number of backoffs, at least `from`) at which the kernel gives up: the first whose
 * time since the first retransmission (timers firing TIMER_LATENESS late) reaches the model.
 */
export function givingUpBackoff(rto0Ms: number, from: number, limitMs: number, rtoMaxMs = TCP_RTO_MAX_MS): number {
  let k = Math.max(1, from);
  // bounded: each further expiry adds at least rto0 (> 0), and retries2 is at most 255
  while (late(backoffSumMs(rto0Ms, k, rtoMaxMs)) < limitMs && k < 10_000) k++;
  return k;
}

const late = (ms: number): number => ms * (1 + TIMER_LATENESS);

/**
 * The RTO the connection started its backoff from: exact while the doubled RTO is under the
 * maximum; past it, what the kernel would compute from the RTT (srtt + max(rto_min, 4·rttvar)).
 */
export function initialRtoMs(s: SocketTiming, kernel: KernelTcp): number {
  if (s.rtoMs !== null && s.rtoMs > 0 && s.rtoMs < kernel.rtoMaxMs) return s.rtoMs / 2 ** (s.backoff ?? 0);
  if (s.rttMs !== null) return Math.min(kernel.rtoMaxMs, Math.max(kernel.rtoMinMs, s.rttMs + Math.max(kernel.rtoMinMs, 4 * (s.rttVarMs ?? 0))));
  return kernel.rtoMinMs;
}

const sec = (ms: number): number => Math.max(0, Math.round(ms) / 1000);

/** the connection's ends, earliest first; empty when nothing would end it (or nothing is known) */
export function predictEnds(input: EndInput): ConnectionEnd[] {
  const { socket: s, kernel: k, ssh } = input;
  const ends: ConnectionEnd[] = [];
  const userTimeout = input.userTimeoutMs ?? 0;
  const clientAlive = ssh?.clientAliveInterval && ssh.clientAliveInterval > 0 && ssh.clientAliveCountMax && ssh.clientAliveCountMax > 0 ? ssh : null;
  // sshd counts ClientAlive from the last packet it read; the kernel's last receive stands in for it
  const silentMs = s ? Math.max(0, s.lastReceiveMs ?? 0) : 0;

  if (clientAlive) {
    const total = clientAlive.clientAliveInterval! * clientAlive.clientAliveCountMax! * 1000;
    ends.push({
      by: 'client-alive',
      inSeconds: sec(total - silentMs),
      when: s && s.lastReceiveMs !== null && s.lastReceiveMs >= clientAlive.clientAliveInterval! * 1000 ? 'running' : 'if-silent',
      setting: `ClientAliveInterval ${clientAlive.clientAliveInterval}s × ClientAliveCountMax ${clientAlive.clientAliveCountMax}`,
      how: 'sshd gets no answer to its ClientAlive probes',
    });
  }
  if (!k) return sorted(ends);

  const modelMs = modelTimeoutMs(k.retries2, k.rtoMaxMs);
  const retries = `tcp_retries2 ${k.retries2}`;
  const userSetting = `TCP_USER_TIMEOUT ${sec(userTimeout)}s`;

  if (s && s.timer === 'retransmit' && s.retransmits > 0) {
    // unacknowledged data is being retransmitted: the RTO decides, keepalive is off while data is out
    const rto0 = initialRtoMs(s, k);
    const b = s.retransmits;
    // without the timer, as if it had just been armed: the latest it can fire
    const left = s.timerMs ?? Math.min(rto0 * 2 ** b, k.rtoMaxMs);
    // the next expiry comes S(b) after the first retransmission
    const elapsedMs = backoffSumMs(rto0, b, k.rtoMaxMs) - left;
    if (userTimeout > 0) {
      ends.push({ by: 'user-timeout', inSeconds: sec(userTimeout - elapsedMs), when: 'running', setting: userSetting, how: 'retransmissions unanswered' });
    } else {
      const at = givingUpBackoff(rto0, b, modelMs, k.rtoMaxMs);
      ends.push({
        by: 'retransmission',
        inSeconds: sec(left + late(backoffSumMs(rto0, at, k.rtoMaxMs) - backoffSumMs(rto0, b, k.rtoMaxMs))),
        when: 'running',
        setting: retries,
        how: `retransmissions unanswered, ${b} so far, RTO now ${fmtMs(Math.min(rto0 * 2 ** b, k.rtoMaxMs))}`,
      });
    }
    return sorted(ends);
  }

  if (s && s.timer === 'zero-window-probe' && s.probes > 0) {
    // tcp_probe_timer: gives up when tcp_retries2 probes are out; the interval doubles from the RTO
    const base = Math.max(s.rtoMs ?? k.rtoMinMs, TCP_RTO_MIN_MS);
    const shiftCap = Math.floor(Math.log2(TCP_RTO_MAX_MS / TCP_RTO_MIN_MS)) + 1;
    const b = s.backoff ?? s.probes;
    let after = 0;
    for (let i = 1; i <= k.retries2 - s.probes; i++) after += Math.min(base * 2 ** Math.min(b + i, shiftCap), k.rtoMaxMs);
    const total = (s.timerMs ?? 0) + late(after);
    ends.push({ by: 'zero-window-probe', inSeconds: sec(total), when: 'running', setting: retries, how: `window probes unanswered, ${s.probes} so far` });
    return sorted(ends);
  }

  if (s && s.timer === 'keepalive' && s.probes > 0 && s.txQueue === 0) {
    const total = (s.timerMs ?? 0) + Math.max(0, k.keepaliveProbes - s.probes) * k.keepaliveIntvl * 1000;
    ends.push({ by: 'keepalive', inSeconds: sec(total), when: 'running', setting: keepaliveSetting(k), how: `keepalive probes unanswered, ${s.probes} so far` });
    return sorted(ends);
  }

  // nothing counts down yet: what would end it, should the client go silent now
  const rto0 = s ? initialRtoMs(s, k) : k.rtoMinMs;
  const retransAfterSend = (sendInMs: number): ConnectionEnd =>
    userTimeout > 0
      ? { by: 'user-timeout', inSeconds: sec(sendInMs + rto0 + userTimeout), when: 'if-silent', setting: userSetting, how: 'its data goes unacknowledged' }
      : {
          by: 'retransmission',
          inSeconds: sec(sendInMs + late(rto0 + backoffSumMs(rto0, givingUpBackoff(rto0, 1, modelMs, k.rtoMaxMs), k.rtoMaxMs))),
          when: 'if-silent',
          setting: retries,
          how: sendInMs > 0 ? `the first ClientAlive probe (after ${fmtMs(sendInMs)}) is never acknowledged` : 'the data it sends is never acknowledged',
        };
  if (s && s.txQueue > 0) {
    // data is in flight now: should the client vanish, it is never acknowledged
    ends.push(retransAfterSend(0));
  } else if (clientAlive) {
    // sshd's own probe is data: unacknowledged, it starts the retransmission timeout
    ends.push(retransAfterSend(Math.max(0, clientAlive.clientAliveInterval! * 1000 - silentMs)));
  }
  if (ssh?.tcpKeepAlive && (!s || s.txQueue === 0)) {
    const idleMs = s ? Math.min(s.lastReceiveMs ?? 0, s.lastAckMs ?? s.lastReceiveMs ?? 0) : 0;
    const firstProbeMs = Math.max(0, k.keepaliveTime * 1000 - idleMs);
    // keepalive sends no probe while data is unacknowledged: a ClientAlive probe sent earlier preempts it
    const preempted = clientAlive !== null && clientAlive.clientAliveInterval! * 1000 - silentMs < firstProbeMs;
    if (!preempted) {
      ends.push({
        by: 'keepalive',
        inSeconds: sec(firstProbeMs + k.keepaliveProbes * k.keepaliveIntvl * 1000),
        when: 'if-silent',
        setting: keepaliveSetting(k),
        how: 'keepalive probes go unanswered',
      });
    }
  }
  return sorted(ends);
}

function keepaliveSetting(k: KernelTcp): string {
  return `TCP keepalive ${k.keepaliveTime}s + ${k.keepaliveProbes} × ${k.keepaliveIntvl}s`;
}

function sorted(ends: ConnectionEnd[]): ConnectionEnd[] {
  return ends.sort((a, b) => a.inSeconds - b.inSeconds);
}

function fmtMs(ms: number): string {
  return ms < 10_000 ? `${Math.round(ms)}ms` : `${Math.round(ms / 1000)}s`;
}
