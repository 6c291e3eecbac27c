// Output of `sshtop reap`: a readable list (sanitised) or JSON.
import { formatEndpoint } from '../model/columns.js';
import type { ReapDecision } from '../model/reap-rules.js';
import { escapeJsonUnsafe, sanitize } from '../text/sanitize.js';
import type { Model } from '../model/types.js';
import type { SignalName, SignalResult } from '../act/signal.js';
import type { JsonContext } from './json.js';

export interface ReapOutcome {
  decision: ReapDecision;
  results: SignalResult[];
  warned: string[];
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
  const where = s.ttys.length > 0 ? s.ttys.join(',') : 'notty';
  return `pid ${s.pid} ${sanitize(s.user ?? '?')}@${where} from ${s.remote ? formatEndpoint(s.remote) : '?'}`;
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
      ...extra,
    });
    const obj = {
      schema: 'sshtop-reap/1',
      takenAt: new Date(r.model.takenAt).toISOString(),
      host: r.ctx.host,
      dryRun: r.dryRun,
      signal: `SIG${r.signal}`,
      matched: r.outcomes.map((o) =>
        entry(o.decision, { results: o.results.map((x) => ({ signal: `SIG${x.signal}`, outcome: x.outcome, message: x.message })), warned: o.warned }),
      ),
      spared: r.spared.map((d) => entry(d, {})),
    };
    return escapeJsonUnsafe(JSON.stringify(obj, null, 2)) + '\n';
  }
  const lines: string[] = [];
  if (r.outcomes.length === 0) lines.push('no session matches the rules');
  for (const o of r.outcomes) {
    const head = r.dryRun ? `would end (SIG${r.signal})` : 'ended';
    const res = o.results.map((x) => `${x.outcome === 'sent' ? `SIG${x.signal} sent` : x.outcome}`).join(', then ');
    lines.push(`${r.dryRun ? head : res || head}: ${describe(o.decision)}: ${o.decision.reasons.map(sanitize).join('; ')}`);
  }
  for (const d of r.spared) lines.push(`spared: ${describe(d)}: ${d.reasons.map(sanitize).join('; ')}`);
  if (r.dryRun && r.outcomes.length > 0) lines.push('dry run: nothing was sent; add --yes to act');
  return lines.join('\n') + '\n';
}
