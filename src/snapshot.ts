// One model from one read, filtered and sorted as the command line asks: shared by every mode.
// Also owns what is read less often than every tick: the server policy (per config file) and
// `ss` figures (only when a session needs them).
import { hostname } from 'node:os';
import type { CommonOptions } from './args.js';
import { filterSessions, sortSessions } from './model/filter.js';
import { classifyAll, buildModel, type BuildOptions } from './model/sessions.js';
import type { Model, Policy, ProcSnapshot, Session } from './model/types.js';
import type { SsInfo } from './proc/parse-ss.js';
import { configFileOf } from './proc/parse-sshd-config.js';
import { readPolicy } from './proc/policy.js';
import { createSource, type SnapshotSource } from './proc/source.js';
import { readSs } from './proc/ss.js';
import type { JsonContext } from './report/json.js';

export function sourceFor(o: CommonOptions): SnapshotSource {
  return createSource({ procRoot: o.procRoot, devRoot: o.devRoot, passwdPath: o.passwd, tmux: process.env.TMUX, selfPid: process.pid });
}

const POLICY_TTL_MS = 60_000;
const policyCache = new Map<string, { at: number; policy: Promise<Policy> }>();

function policyOf(command: string | undefined, procRoot: string | undefined): Promise<Policy> {
  const key = (command && configFileOf(command)) || '';
  const hit = policyCache.get(key);
  if (hit && Date.now() - hit.at < POLICY_TTL_MS) return hit.policy;
  const policy = readPolicy({ listenerCommand: command, procRoot });
  policyCache.set(key, { at: Date.now(), policy });
  return policy;
}

/** policies of every listener, and the system's (for sessions without one) */
async function readPolicies(snap: ProcSnapshot, procRoot: string | undefined): Promise<Map<number | null, Policy>> {
  const out = new Map<number | null, Policy>();
  const classes = classifyAll(snap);
  const listeners = [...snap.procs.values()].filter((p) => classes.get(p.pid)?.role === 'listener');
  await Promise.all(listeners.map(async (l) => out.set(l.pid, await policyOf(l.cmdline, procRoot))));
  out.set(null, listeners[0] ? (out.get(listeners[0].pid) as Policy) : await policyOf(undefined, procRoot));
  return out;
}

/** whether a session needs `ss` figures: a notty session (traffic idle) or unacked data (dead peer) */
function needsSs(s: Session): boolean {
  return (s.idleSource === null && !s.flags.includes('preauth') && s.socketInode !== null) || (s.net !== null && s.net.txQueue > 0);
}

/**
 * `ss` costs a process spawn (~7 ms of CPU per call here, plus ss itself), so a polling caller
 * reuses its figures for SS_TTL_MS, like the reader's TCP tables (3 s), and runs it at once for a
 * socket it has not asked about yet. In between, time since the last send/receive grows by the
 * time elapsed (new traffic shows at the next run); time since the last ACK is kept as measured,
 * so a busy connection is never taken for a dead peer.
 */
const SS_TTL_MS = 3_000;
let ssCache: { at: number; asked: Set<number>; ss: Map<number, SsInfo> | null } | undefined;

async function ssFigures(model: Model): Promise<ReadonlyMap<number, SsInfo> | null> {
  const now = model.takenAt;
  const asked = new Set(model.sessions.filter(needsSs).map((s) => s.socketInode).filter((i): i is number => i !== null));
  const c = ssCache;
  if (!c || now - c.at >= SS_TTL_MS || now < c.at || [...asked].some((i) => !c.asked.has(i))) {
    ssCache = { at: now, asked, ss: await readSs() };
    return ssCache.ss;
  }
  const age = now - c.at;
  if (c.ss === null || age === 0) return c.ss;
  const aged = new Map<number, SsInfo>();
  for (const [inode, info] of c.ss) {
    aged.set(inode, {
      ...info,
      lastSndMs: info.lastSndMs === null ? null : info.lastSndMs + age,
      lastRcvMs: info.lastRcvMs === null ? null : info.lastRcvMs + age,
    });
  }
  return aged;
}

export interface TakeOptions {
  /** since when each `pid:startTicks` is in state D (kept by a polling store) */
  dStateSince?: ReadonlyMap<string, number>;
  /** skip the policy (no sshd -T, no config files) */
  noPolicy?: boolean;
}

export interface Taken {
  model: Model;
  /** the model before --user / --filter */
  full: Model;
  snap: ProcSnapshot;
  ctx: JsonContext;
}

export async function takeModel(source: SnapshotSource, o: CommonOptions, t: TakeOptions = {}): Promise<Taken> {
  const snap = await source.read();
  const policies = t.noPolicy || snap.source !== 'proc' ? new Map<number | null, Policy>() : await readPolicies(snap, o.procRoot);
  const opts: BuildOptions = {
    idleSeconds: o.idleSeconds,
    selfPid: process.pid,
    policyFor: (pid) => policies.get(pid) ?? policies.get(null) ?? null,
    dStateSince: t.dStateSince,
  };
  let full = buildModel(snap, opts);
  // ss only sees its own network namespace, which is the one of real sshd sessions, not of fixtures
  if (o.procRoot === undefined && full.sessions.some(needsSs)) {
    const ss = await ssFigures(full);
    if (ss) full = buildModel(snap, { ...opts, ss });
  }
  const sessions = sortSessions(filterSessions(full.sessions, { user: o.user, filter: o.filter }), o.sort);
  return {
    model: { ...full, sessions },
    full,
    snap,
    ctx: { host: hostname(), source: snap.source, missing: snap.missing, policy: policies.get(null) ?? null },
  };
}
