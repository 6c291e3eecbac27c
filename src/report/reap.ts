// Output of `sshtop reap`: a readable list (sanitised) or JSON.
import { formatEndpoint } from '../model/columns.js';
import type { ReapDecision } from '../model/reap-rules.js';
import { escapeJsonUnsafe, sanitize } from '../text/sanitize.js';
import type { Model } from '../model/types.js';
import type { SignalName, SignalResult } from '../act/signal.js';
import type { JsonContext } from './json.js';

export interface ReapOutcome {
  decision: ReapDecision;
  /** every signal sent to the session's processes, in order */
  results: SignalResult[];
  warned: string[];
  /** its processes still running after the signal (without --grace), as `pid N (comm)` */
  survivors: string[];
}

export interface ReapReport {
  outcomes: ReapOutcome[];
  spared: ReapDecision[];
  dryRun: boolean;
  signal: SignalName;
  json: boolean;
  ctx: JsonContext;
  model: Model;
}

function describe(d: ReapDecision): string {
  const s = d.session;
  const from = `from ${s.remote ? formatEndpoint(s.remote) : '?'}`;
  const count = `${s.processes.length} process${s.processes.length === 1 ? '' : 'es'}`;
  const spared = d.excluded && d.excluded.length > 0 ? `, sparing ${d.excluded.map((p) => `${sanitize(p.comm)} (pid ${p.pid})`).join(', ')}` : '';
  if (s.kind === 'leftover') return `leftover of ${sanitize(s.user ?? '?')} ${from} (${count}${spared})`;
  const where = s.ttys.length > 0 ? s.ttys.join(',') : 'notty';
  return `pid ${s.pid} ${sanitize(s.user ?? '?')}@${where}${s.kind === 'mosh' ? ' (mosh)' : ''} ${from} (${count}${spared})`;
}

/** `SIGTERM sent to 5 of 6 processes, then SIGKILL to 1` */
function summarize(results: readonly SignalResult[]): string {
  const parts: string[] = [];
  for (const signal of [...new Set(results.map((x) => x.signal))]) {
    const of = results.filter((x) => x.signal === signal);
    const sent = of.filter((x) => x.outcome === 'sent').length;
    const other = [...new Set(of.filter((x) => x.outcome !== 'sent').map((x) => x.outcome))];
    parts.push(`SIG${signal} sent to ${sent} of ${of.length} process${of.length === 1 ? '' : 'es'}${other.length > 0 ? ` (others: ${other.join(', ')})` : ''}`);
  }
  return parts.join(', then ');
}

export function formatReap(r: ReapReport): string {
  if (r.json) {
    const entry = (d: ReapDecision, extra: Record<string, unknown>) => ({
      pid: d.session.pid,
      user: d.session.user,
      ttys: d.session.ttys,
      remote: d.session.remote,
      flags: d.session.flags,
      reasons: d.reasons,
      ...(d.session.kind ? { kind: d.session.kind } : {}),
      processes: d.session.processes.map((p) => p.pid),
      ...(d.excluded && d.excluded.length > 0 ? { excluded: d.excluded.map((p) => p.pid) } : {}),
      ...extra,
    });
    const obj = {
      schema: 'sshtop-reap/1',
      takenAt: new Date(r.model.takenAt).toISOString(),
      host: r.ctx.host,
      dryRun: r.dryRun,
      signal: `SIG${r.signal}`,
      matched: r.outcomes.map((o) =>
        entry(o.decision, {
          results: o.results.map((x) => ({ pid: x.pid, signal: `SIG${x.signal}`, outcome: x.outcome, message: x.message })),
          warned: o.warned,
          survivors: o.survivors,
        }),
      ),
      spared: r.spared.map((d) => entry(d, {})),
    };
    return escapeJsonUnsafe(JSON.stringify(obj, null, 2)) + '\n';
  }
  const lines: string[] = [];
  if (r.outcomes.length === 0) lines.push('no session matches the rules');
  for (const o of r.outcomes) {
    const head = r.dryRun ? `would end (SIG${r.signal})` : 'ended';
    const res = summarize(o.results);
    lines.push(`${r.dryRun ? head : res || head}: ${describe(o.decision)}: ${o.decision.reasons.map(sanitize).join('; ')}`);
    if (o.survivors.length > 0) lines.push(`  still running after SIG${r.signal}: ${o.survivors.map(sanitize).join(', ')} (--grace kills survivors)`);
  }
  for (const d of r.spared) lines.push(`spared: ${describe(d)}: ${d.reasons.map(sanitize).join('; ')}`);
  if (r.dryRun && r.outcomes.length > 0) lines.push('dry run: nothing was sent; add --yes to act');
  return lines.join('\n') + '\n';
}
