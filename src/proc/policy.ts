// Read the server's effective configuration: `sshd -T` (root; bounded in time and output), else the
// sshd_config files (with Include), else unknown; and the kernel's TCP keepalive settings. Raw
// values only: what they mean is derived by model/policy.ts.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { isRegularFile, readRegularFile } from './bounded-read.js';
import { configFileOf, parseSshdConfigLines, parseSshdT, type ConfigValues } from './parse-sshd-config.js';
import { runBounded } from './run-bounded.js';
import type { ConfigSource, KernelKeepalive } from './types.js';

export interface PolicyOptions {
  procRoot?: string;
  /** the listener's title or argv, for its `-f <config>` */
  listenerCommand?: string;
  /** try `sshd -T` (needs root to read the host keys) */
  useSshdT?: boolean;
  sshdPath?: string;
  timeoutMs?: number;
}

/** the configuration as read, before model/policy.ts derives what it means */
export interface RawPolicy {
  /** null: no configuration could be read (source 'unknown') */
  values: ConfigValues | null;
  source: ConfigSource;
  configFile: string | null;
  kernel: KernelKeepalive | null;
}

const DEFAULT_CONFIG = '/etc/ssh/sshd_config';

/** the config file a listener reads: its `-f`, else sshd's default (one policy per file) */
export function configFileFor(listenerCommand: string | undefined): string {
  return (listenerCommand && configFileOf(listenerCommand)) || DEFAULT_CONFIG;
}
const MAX_SSHD_T_BYTES = 256 * 1024;
/** Include fan-out: files read for one policy at the most */
const MAX_CONFIG_FILES = 64;

export function readKernelKeepalive(procRoot = '/proc'): KernelKeepalive | null {
  const read = (name: string): number | undefined => {
    try {
      const n = Number(readFileSync(join(procRoot, 'sys/net/ipv4', name), 'utf8').trim());
      return Number.isFinite(n) ? n : undefined;
    } catch {
      return undefined;
    }
  };
  const t = read('tcp_keepalive_time');
  const i = read('tcp_keepalive_intvl');
  const p = read('tcp_keepalive_probes');
  if (t === undefined || i === undefined || p === undefined) return null;
  // with unacknowledged data the retransmission timeout, not keepalive, ends a dead peer's connection
  const retries2 = read('tcp_retries2');
  const rtoMaxMs = read('tcp_rto_max_ms');
  const rtoMinUs = read('tcp_rto_min_us');
  return {
    keepaliveTime: t,
    keepaliveIntvl: i,
    keepaliveProbes: p,
    ...(retries2 === undefined ? {} : { retries2 }),
    ...(rtoMaxMs === undefined ? {} : { rtoMaxMs }),
    ...(rtoMinUs === undefined ? {} : { rtoMinMs: rtoMinUs / 1000 }),
  };
}

export async function readPolicy(opts: PolicyOptions = {}): Promise<RawPolicy> {
  const kernel = readKernelKeepalive(opts.procRoot);
  const configFile = configFileFor(opts.listenerCommand);
  // sshd -T reads the file as root: only ever a regular one, and the child is bounded in time and output
  if ((opts.useSshdT ?? process.getuid?.() === 0) && isRegularFile(configFile)) {
    const run = await runBounded(opts.sshdPath ?? '/usr/sbin/sshd', ['-T', '-f', configFile], { timeoutMs: opts.timeoutMs ?? 2000, maxBytes: MAX_SSHD_T_BYTES });
    // not root, no sshd binary, or a config sshd rejects: fall back to reading the files
    const values = run.ok ? parseSshdT(run.stdout) : undefined;
    if (values && values.size > 0) return { values, source: 'sshd -T', configFile, kernel };
  }
  const values = readConfigFiles(configFile);
  return values ? { values, source: 'sshd_config', configFile, kernel } : { values: null, source: 'unknown', configFile: null, kernel };
}

/** first value wins, Include expanded in place (globs in the last path component), Match ends it */
export function readConfigFiles(file: string, depth = 0, budget = { files: MAX_CONFIG_FILES }): ConfigValues | null {
  if (budget.files <= 0) return null;
  budget.files--;
  const read = readRegularFile(file);
  if (!read.ok) return null;
  const values: ConfigValues = new Map();
  const { lines } = parseSshdConfigLines(read.text);
  for (const { key, value } of lines) {
    if (key === 'include') {
      if (depth > 8) continue;
      for (const pattern of value.split(/\s+/)) {
        for (const inc of expandInclude(isAbsolute(pattern) ? pattern : join(dirname(DEFAULT_CONFIG), pattern))) {
          const sub = readConfigFiles(inc, depth + 1, budget);
          for (const [k, v] of sub ?? []) if (!values.has(k)) values.set(k, v);
        }
      }
      continue;
    }
    if (!values.has(key)) values.set(key, value);
  }
  return values;
}

function expandInclude(pattern: string): string[] {
  const dir = dirname(pattern);
  const base = pattern.slice(dir.length + 1);
  if (!/[*?[]/.test(base)) return [pattern];
  const re = new RegExp('^' + base.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$');
  try {
    return readdirSync(dir)
      .filter((n) => re.test(n))
      .sort()
      .slice(0, MAX_CONFIG_FILES)
      .map((n) => join(dir, n));
  } catch {
    return [];
  }
}
