// Derive the effective timeout policy from configuration values. Pure.
import { parseMaxStartups, parseSshdTime, type ConfigValues } from '../proc/parse-sshd-config.js';
import type { Policy } from './types.js';

/** OpenSSH's compiled-in defaults for what sshtop shows */
export const SSHD_DEFAULTS: Record<string, string> = {
  clientaliveinterval: '0',
  clientalivecountmax: '3',
  tcpkeepalive: 'yes',
  logingracetime: '120',
  maxstartups: '10:30:100',
  channeltimeout: 'none',
  unusedconnectiontimeout: 'none',
};

export function derivePolicy(
  values: ConfigValues | null,
  source: Policy['source'],
  configFile: string | null,
  kernel: Policy['kernel'],
): Policy {
  const get = (k: string): string | undefined => (values ? (values.get(k) ?? SSHD_DEFAULTS[k]) : undefined);
  const time = (k: string): number | null => {
    const v = get(k);
    if (v === undefined) return null;
    if (v === 'none') return 0;
    return parseSshdTime(v) ?? null;
  };
  const countMax = get('clientalivecountmax');
  const keep = get('tcpkeepalive');
  const ms = get('maxstartups');
  const p: Policy = {
    source,
    configFile,
    clientAliveInterval: time('clientaliveinterval'),
    clientAliveCountMax: countMax === undefined ? null : Number(countMax),
    tcpKeepAlive: keep === undefined ? null : keep === 'yes',
    loginGraceTime: time('logingracetime'),
    maxStartups: ms === undefined ? null : (parseMaxStartups(ms) ?? null),
    channelTimeout: get('channeltimeout') ?? null,
    unusedConnectionTimeout: time('unusedconnectiontimeout'),
    kernel,
    silentClientDropSeconds: null,
    silentClientDropBy: null,
  };
  // ClientAlive* detects a dead client (no answer to probes), not an idle person
  if (p.clientAliveInterval && p.clientAliveInterval > 0 && p.clientAliveCountMax && p.clientAliveCountMax > 0) {
    p.silentClientDropSeconds = p.clientAliveInterval * p.clientAliveCountMax;
    p.silentClientDropBy = `ClientAliveInterval ${p.clientAliveInterval}s × ClientAliveCountMax ${p.clientAliveCountMax}`;
  } else if (p.tcpKeepAlive && kernel) {
    p.silentClientDropSeconds = kernel.keepaliveTime + kernel.keepaliveIntvl * kernel.keepaliveProbes;
    p.silentClientDropBy = `TCP keepalive (${kernel.keepaliveTime}s + ${kernel.keepaliveProbes} × ${kernel.keepaliveIntvl}s)`;
  }
  return p;
}

export function describeDrop(p: Policy): string {
  if (p.source === 'unknown') return 'server policy unknown';
  if (p.silentClientDropSeconds === null) return 'a silent client is never dropped (no ClientAlive, no TCP keepalive)';
  return `a silent client is dropped after ${p.silentClientDropSeconds}s (${p.silentClientDropBy})`;
}
