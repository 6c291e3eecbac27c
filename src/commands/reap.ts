// `sshtop reap`: end sessions by rule, for cron and systemd timers. Dry run unless --yes; never
// the caller's own session, never a listener; every signal goes to the audit trail.
// Exit: 0 nothing matched or everything meant to end ended, 1 runtime failure, 2 usage, 3 a signal failed.
import { createAuditTrail, defaultAuditPath } from '../act/audit.js';
import { leftoverMemoryPath, readFirstSeen, recordFirstSeen } from '../act/leftover-memory.js';
import { createSignaller, type Pinned, type SignalResult } from '../act/signal.js';
import { warnTtys } from '../act/tty-warn.js';
import type { CommonOptions } from '../cli/args.js';
import type { ReapOptions } from '../cli/reap-args.js';
import { createCollector, sourceFor } from '../collect/collector.js';
import { formatEndpoint } from '../model/columns.js';
import { processLabel, sessionTargets, type Target } from '../model/end-plan.js';
import { leftoverKey } from '../model/loose.js';
import type { Session } from '../model/types.js';
import { writeOut } from './stdout.js';
import { selectForReap, type ReapDecision } from '../model/reap-rules.js';
import { formatReap, type ReapOutcome } from '../report/reap.js';
import { sanitize } from '../text/sanitize.js';
import { jsonContextOf } from './json.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** how long --warn gives sshd to carry the message to the clients before the signal */
const WARN_DELIVERY_MS = 2000;
/** without --grace, how long reap waits to name what still runs after the signal */
const SURVIVOR_CHECK_S = 2;

export async function runReap(common: CommonOptions, o: ReapOptions): Promise<number> {
  const collected = await createCollector(sourceFor(common), { ...common, user: undefined, filter: undefined }).take();
  const { model } = collected;
  const ctx = jsonContextOf(collected);
  // a one-shot sees leftovers, never their login's end: what earlier runs saw tells how long ago
  const live = common.procRoot === undefined && common.devRoot === undefined && common.passwd === undefined;
  const remember = live && o.rules.leftoversOlderSeconds !== undefined;
  const memoryPath = leftoverMemoryPath(defaultAuditPath());
  const memory = remember ? readFirstSeen(memoryPath) : { seen: new Map<string, number>() };
  if (memory.warning) process.stderr.write(`sshtop reap: warning: ${sanitize(memory.warning)}\n`);
  const keyOf = (s: Session) => leftoverKey(s, collected.snap.bootId);
  const selection = selectForReap(model, o.rules, (s) => memory.seen.get(keyOf(s) ?? ''));
  if (remember) {
    // dry runs too: the count starts at the first look, whatever the first run was
    const fresh = model.sessions.filter((s) => s.kind === 'leftover' && keyOf(s) !== null && !memory.seen.has(keyOf(s) as string));
    const why = recordFirstSeen(
      memoryPath,
      fresh.map((s) => ({ key: keyOf(s) as string, at: model.takenAt, user: s.user, remote: s.remote ? formatEndpoint(s.remote) : null })),
    );
    if (why) process.stderr.write(`sshtop reap: warning: ${sanitize(why)}\n`);
  }
  const outcomes: ReapOutcome[] = selection.matched.map((d) => ({ decision: d, results: [], warned: [], survivors: [] }));

  if (o.yes && outcomes.length > 0) {
    const audit = createAuditTrail({ tool: 'reap', onWarning: (m) => process.stderr.write(`sshtop reap: warning: ${m}\n`) });
    const signaller = createSignaller({ onSignal: (r) => audit.record(r), onIntent: (i) => audit.intent(i) });
    // every process of each session, pinned now, in the order they are signalled (model/end-plan.ts)
    const pinned = outcomes.map((out) => targetsOf(out.decision).map((t) => signaller.pin(t)));
    if (o.warn !== undefined) {
      const message = sanitize(o.warn);
      outcomes.forEach((out) => (out.warned = warnTtys(out.decision.session.ttys, message, common.devRoot)));
      // the text sits in the pty until sshd forwards it; a signal at once ends sshd first
      if (outcomes.some((out) => out.warned.length > 0)) await sleep(WARN_DELIVERY_MS);
    }
    outcomes.forEach((out, i) => out.results.push(...(pinned[i] as Pinned[]).map((p) => signaller.send(p, o.signal))));
    const sent = outcomes.flatMap((out, i) => (pinned[i] as Pinned[]).filter((_, j) => out.results[j]?.outcome === 'sent'));
    // then whatever still runs: killed after --grace, else named (a nohup job ignores HUP)
    await waitForExit(sent, (o.graceSeconds ?? SURVIVOR_CHECK_S) * 1000, signaller.alive);
    outcomes.forEach((out, i) => {
      const left = (pinned[i] as Pinned[]).filter((p) => sent.includes(p) && signaller.alive(p));
      if (o.graceSeconds !== undefined && o.signal !== 'KILL') out.results.push(...left.map((p) => signaller.send(p, 'KILL')));
      else out.survivors = left.map((p) => processLabel(p.target));
    });
    pinned.flat().forEach((p) => signaller.release(p));
    await audit.flush();
  }

  writeOut(formatReap({ outcomes, spared: selection.spared, dryRun: !o.yes, signal: o.signal, json: o.json, ctx, model }));
  for (const out of outcomes) for (const r of out.results) if (failed(r)) process.stderr.write(`sshtop reap: ${sanitize(r.message)}\n`);
  return outcomes.some((out) => out.results.some(failed)) ? 3 : 0;
}

/** a session that exited on its own meanwhile is not a failure: it ended, which was the aim */
function failed(r: SignalResult): boolean {
  return r.outcome === 'denied' || r.outcome === 'failed';
}

async function waitForExit(pinned: Pinned[], ms: number, alive: (p: Pinned) => boolean): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (pinned.every((p) => !alive(p))) return;
    await sleep(Math.min(200, Math.max(0, until - Date.now())));
  }
}

/** the session's processes to signal (every one of it, bar what --exclude-command spares) */
function targetsOf(d: ReapDecision): Target[] {
  const spare = new Set((d.excluded ?? []).map((p) => p.pid));
  return sessionTargets(d.session).filter((t) => !spare.has(t.pid));
}
