// The collector: one model from one read, filtered and sorted as asked, shared by every mode.
// It owns what is read less often than every tick, as its own state (one collector per run, so
// nothing is shared by accident): the server policy (per config file) and `ss` figures (only
// when a session needs them).
import { filterSessions, sortSessions, type SortColumn } from '../model/filter.js';
import { derivePolicy } from '../model/policy.js';
import { isTrustedListener } from '../model/trust.js';
import { classifyAll, buildModel, type BuildOptions } from '../model/sessions.js';
import type { Model, Policy, ProcSnapshot, Session } from '../model/types.js';
import type { SsInfo } from '../proc/parse-ss.js';
import { configFileFor, readPolicy } from '../proc/policy.js';
import type { ReadHooks } from '../proc/reader.js';
import { createSource, type SnapshotSource } from '../proc/source.js';
import { runSs, ssFigures } from '../proc/ss.js';
import { nextDState, sinceOf } from '../model/d-state.js';
import { LoginMemory } from './login-history.js';

/** what the collector takes from the command line (CommonOptions has it all) */
export interface CollectOptions {
  /** a captured tree: no policy, no ss, no second look */
  procRoot?: string | undefined;
  idleSeconds: number;
  user?: string | undefined;
  filter?: string | undefined;
  sort: SortColumn;
}

export function sourceFor(o: { procRoot?: string | undefined; devRoot?: string | undefined; passwd?: string | undefined }): SnapshotSource {
  return createSource({ procRoot: o.procRoot, devRoot: o.devRoot, passwdPath: o.passwd, tmux: process.env.TMUX, selfPid: process.pid });
}

const POLICY_TTL_MS = 60_000;

/**
 * `ss` costs a process spawn (a few ms of CPU here, plus ss itself), so a polling
 * caller reuses its figures: for SS_TTL_MS, or SS_TTL_UNACKED_MS while a connection has data
 * unacknowledged (a peer that may be dead: its time since the last ACK matters), and runs it at
 * once for a connection it has no figures for. In between, time since the last send/receive grows
 * by the time elapsed, so traffic idle may lag by up to the TTL (idle is shown in minutes);
 * time since the last ACK is kept as measured, so a busy connection is never taken for dead.
 */
const SS_TTL_MS = 30_000;
const SS_TTL_UNACKED_MS = 3_000;

export interface TakeOptions {
  /** since when each `pid:startTicks` is in state D (kept by a polling store) */
  dStateSince?: ReadonlyMap<string, number>;
  /** skip the policy (no sshd -T, no config files) */
  noPolicy?: boolean;
  /**
   * a polling caller: the children (sshd -T, ss) run in the background and a poll never waits for
   * them; it uses what they last gave (so the first frame is not held up by them)
   */
  background?: boolean;
  /** D state for this long makes a session hung (default 30 s; a second look: its own length) */
  dStateSeconds?: number;
  /** false: no second look even where a one-shot would take one */
  secondLook?: boolean;
  /** the second look's wait (default HUNG_LOOK_MS) */
  lookMs?: number;
}

export interface Collected {
  model: Model;
  /** the model before --user / --filter */
  full: Model;
  snap: ProcSnapshot;
  /** the system's policy (for sessions without a listener of their own), null when not read */
  policy: Policy | null;
}

export interface Collector {
  /** one model; a one-shot may read twice to confirm `hung` (see the second look below) */
  take(t?: TakeOptions): Promise<Collected>;
}

/** how long a one-shot's second look waits before it reads again (see take) */
export const HUNG_LOOK_MS = 2000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** whether a read shows something only a later read can confirm: a process in D, a login without a user process */
function mayBeHung(m: Model): boolean {
  return m.sessions.some((s) => s.flags.includes('hung') || s.processes.some((p) => p.state === 'D'));
}

/** whether a session needs `ss` figures: a notty session (traffic idle) or unacked data (dead peer) */
function needsSs(s: Session): boolean {
  return (s.idleSource === null && !s.flags.includes('preauth') && s.socketInode !== null) || (s.net !== null && s.net.txQueue > 0);
}

interface PolicyEntry {
  at: number;
  policy: Promise<Policy>;
  value?: Policy;
}

/**
 * A collector reading from `source`. bottom's DataCollector is the model: what one read leaves
 * for the next (the policy and ss caches) is state of this object, not of the module.
 */
export function createCollector(source: SnapshotSource, o: CollectOptions): Collector {
  /** per config file: the read under way or done, and the last value it gave */
  const policyCache = new Map<string, PolicyEntry>();
  let ssCache: { at: number; ss: Map<number, SsInfo> | null } | undefined;
  /** an ss run under way in the background: the next poll uses what it gives */
  let ssPending: Promise<void> | undefined;
  /** the logins seen so far: where a leftover came from once its login is gone */
  const memory = new LoginMemory();

  function policyOf(command: string | undefined): PolicyEntry {
    const key = configFileFor(command);
    const hit = policyCache.get(key);
    if (hit && Date.now() - hit.at < POLICY_TTL_MS) return hit;
    // a refresh keeps the last value until it is in
    const read = readPolicy({ listenerCommand: command, procRoot: o.procRoot }).then((r) => derivePolicy(r.values, r.source, r.configFile, r.kernel));
    const entry: PolicyEntry = { at: Date.now(), policy: read, value: hit?.value };
    void entry.policy.then((v) => (entry.value = v));
    policyCache.set(key, entry);
    return entry;
  }

  /**
   * Policies of every listener, and the system's (for sessions without one). In the background, a
   * policy not read yet (sshd -T takes tens of ms) is left out, unknown until a later poll.
   */
  async function readPolicies(snap: ProcSnapshot, background: boolean): Promise<Map<number | null, Policy>> {
    const out = new Map<number | null, Policy>();
    const classes = classifyAll(snap);
    const listeners = [...snap.procs.values()].filter((p) => classes.get(p.pid)?.role === 'listener');
    // every read starts before any is awaited: several listeners' sshd -T run side by side
    const entries = [...listeners.map((l) => [l.pid, l.cmdline] as const), [null, listeners[0]?.cmdline] as const].map(
      ([pid, command]) => [pid, policyOf(command)] as const,
    );
    for (const [pid, entry] of entries) {
      const policy = background ? entry.value : await entry.policy;
      if (policy) out.set(pid, policy);
    }
    return out;
  }

  /** the cached figures, aged to `now` (null when there are none) */
  function cachedSs(now: number): ReadonlyMap<number, SsInfo> | null {
    const c = ssCache;
    if (!c || c.ss === null || now < c.at) return null;
    const age = now - c.at;
    if (age === 0) return c.ss;
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

  /** whether the figures the model used must be read again: too old, or missing a connection */
  function ssStale(model: Model): boolean {
    const wanted = model.sessions.filter(needsSs);
    if (wanted.length === 0) return false;
    const c = ssCache;
    if (!c || model.takenAt < c.at) return true;
    const age = model.takenAt - c.at;
    // no ss here (or it failed): try again only after the long TTL
    if (c.ss === null) return age >= SS_TTL_MS;
    const ttl = wanted.some((s) => s.net !== null && s.net.txQueue > 0) ? SS_TTL_UNACKED_MS : SS_TTL_MS;
    return age >= ttl || wanted.some((s) => s.socketInode !== null && !c.ss?.has(s.socketInode));
  }

  /** early: a one-shot's `ss`, started before its read */
  async function takeFrom(snap: ProcSnapshot, t: TakeOptions, early?: Promise<string | null>): Promise<Collected> {
    const none = new Map<number | null, Policy>();
    const policyRead = t.noPolicy || snap.source !== 'proc' ? Promise.resolve(none) : readPolicies(snap, t.background === true);
    const opts = (policies: Map<number | null, Policy>): BuildOptions => ({
      idleSeconds: o.idleSeconds,
      selfPid: process.pid,
      policyFor: (pid) => policies.get(pid) ?? policies.get(null) ?? null,
      dStateSince: t.dStateSince,
      history: memory.history(),
      ...(t.dStateSeconds !== undefined ? { dStateSeconds: t.dStateSeconds } : {}),
    });
    // ss only sees its own network namespace, which is the one of real sshd sessions, not of fixtures
    const live = o.procRoot === undefined;
    // the figures kept are those of the sessions' connections (every one of them is in snap.sockets)
    const figures = (text: string | null) => ssFigures(text, new Set(snap.sockets.keys()));
    // a poller's policies are at hand (what they last gave); a one-shot's sshd -T started during
    // the scan (hooks), so it is in or nearly. So is a one-shot's ss, started before the read: its
    // figures go into the one build (every session with a socket shows them, as in the TUI once
    // any session needed them). A poller builds again only when a session needs figures it lacks.
    const policies = await policyRead;
    if (live && early) ssCache = { at: snap.takenAt, ss: figures(await early) };
    let full = buildModel(snap, { ...opts(policies), ss: live ? cachedSs(snap.takenAt) : null });
    if (live && !early && ssStale(full)) {
      if (t.background) {
        ssPending ??= runSs()
          .then((text) => void (ssCache = { at: snap.takenAt, ss: figures(text) }))
          .finally(() => (ssPending = undefined));
      } else {
        const ss = figures(await runSs());
        ssCache = { at: snap.takenAt, ss };
        full = buildModel(snap, { ...opts(policies), ss });
      }
    }
    memory.update(full);
    const sessions = sortSessions(filterSessions(full.sessions, { user: o.user, filter: o.filter }), o.sort);
    return { model: { ...full, sessions }, full, snap, policy: policies.get(null) ?? null };
  }

  /**
   * sshd -T takes 10–30 ms (a one-shot's wall time was read, then sshd -T): each listener's is
   * started as soon as the scan finds it, to run beside the rest of the read. Only a listener the
   * model would trust and call one: its -f is what root's sshd -T is run on.
   */
  function hooks(t: TakeOptions): ReadHooks {
    if (t.noPolicy || o.procRoot !== undefined) return {};
    return {
      daemonRoot: (p) => {
        if (isTrustedListener(p)) policyOf(p.cmdline);
      },
    };
  }

  /**
   * One model. A one-shot (--json, --once, reap) keeps no history, so `hung` would need the D-state
   * duration only the polling store knows. Rather than guess from one read, it takes a short second
   * look, only when the first read shows a process in D or a login with no user process: a process
   * still in the same D sleep without a single context switch across HUNG_LOOK_MS did not run at all
   * meanwhile (a busy disk writer switches, and drops out: d-state.ts), and a login that still has
   * no user process was not caught in the instant between PAM and the fork of its user child. The
   * evidence alone (the PAM helper below the monitor, wchan) names the stuck step but cannot say for
   * how long: the second look is what makes a one-shot's `hung` a measurement. A captured tree does
   * not change between reads: no second look there.
   */
  async function take(t: TakeOptions = {}): Promise<Collected> {
    // a one-shot's ss (most servers have a notty session, whose idle time only ss knows: scp, sftp,
    // git, a forward): started before the read, it runs beside it instead of after it
    const early = () => (t.background || o.procRoot !== undefined || source.kind !== 'proc' ? undefined : runSs());
    const ss = early();
    const first = await takeFrom(await source.read(hooks(t)), t, ss);
    if (t.background || t.dStateSince !== undefined || t.secondLook === false || o.procRoot !== undefined || !mayBeHung(first.full)) return first;
    const seen = nextDState(new Map(), first.snap.procs.values(), first.snap.takenAt);
    await sleep(t.lookMs ?? HUNG_LOOK_MS);
    const snap = await source.read(hooks(t));
    const history = nextDState(seen, snap.procs.values(), snap.takenAt);
    // in D at both reads with the same switch count: since the first read, the whole look long
    return takeFrom(snap, { ...t, dStateSince: sinceOf(history), dStateSeconds: Math.max(0.001, (snap.takenAt - first.snap.takenAt) / 1000) }, early());
  }

  return { take };
}
