// Property-based tests: every parser of /proc, ss and sshd text is total (garbage in → a value of the
// right shape out, never a throw), and where an encoding exists, parsing what the kernel (or sshd,
// tmux, OpenSSH) would write gives back exactly what was encoded.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyProcess } from '../../src/model/classify.js';
import { parseDuration } from '../../src/text/duration.js';
import { PLACEHOLDER, sanitize } from '../../src/text/sanitize.js';
import {
  environValue,
  parseBtime,
  parseUptime,
  parseCmdline,
  parseHexEndpoint,
  parseNetTcp,
  parsePasswd,
  parseSocketLink,
  parseSshConnection,
  parseStat,
  parseStatusUid,
  tmuxServerPid,
  ttyName,
} from '../../src/proc/parse.js';
import { parseSs } from '../../src/proc/parse-ss.js';
import { configFileOf, parseMaxStartups, parseSshdConfigLines, parseSshdT, parseSshdTime } from '../../src/proc/parse-sshd-config.js';
import { hexV4, hexV6, tcpRow, type FakeProcess, statLine } from '../support/fake-proc.js';

const RUNS = { numRuns: 250 };

// ---- garbage ----------------------------------------------------------------------------------

const char16 = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
/** any UTF-16 string, lone surrogates included */
const utf16 = fc.string({ unit: char16, maxLength: 120 });
/** any code points */
const unicode = fc.string({ unit: 'binary', maxLength: 120 });
const bytes = fc.uint8Array({ maxLength: 400 });
/** random bytes as the reader decodes /proc files */
const latin1 = bytes.map((b) => Buffer.from(b).toString('latin1'));
const utf8 = bytes.map((b) => Buffer.from(b).toString('utf8'));
/** near-valid text: the tokens these formats are built from, shuffled */
const TOKENS = [' ', '  ', '\t', '\n', '\0', '(', ')', ':', ',', '=', '[', ']', '/', '@', '-', '.', '#', '"', '0', '1', '7', '42', '65535', '65536', '-1', '1e999', 'Infinity', 'NaN', '0x1F', 'FFFFFFFF', '0100007F', '00000000000000000000000001000000', 'ffff', 'S', 'R', 'Uid:', 'btime', 'socket:', 'sshd', 'sshd: ', 'sshd-session: ', '[priv]', '[listener]', 'alice', 'pts/3', 'notty', 'ino:', 'rtt:', 'bytes_sent:', 'retrans:', 'timer:', 'Match', 'Include', 'h', 'm', 's', 'd', 'w', '\u001b[2J', '\u009b', '\u202e', '\ud800', '\udc00', 'é', '9'.repeat(400), 'F'.repeat(300)];
const soup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((t) => t.join(''));
const garbage = fc.oneof(utf16, unicode, latin1, utf8, soup);

const isInt = (n: unknown): boolean => typeof n === 'number' && Number.isInteger(n);
const isPort = (n: unknown): boolean => isInt(n) && (n as number) >= 0 && (n as number) <= 65535;
const isCount = (n: unknown): boolean => isInt(n) && (n as number) >= 0;
/** a parser of one number: for garbage, undefined or a non-negative integer, never a throw */
const itReturnsCountOrUndefined = (parse: (text: string) => number | undefined) =>
  it('returns undefined or a non-negative integer for garbage', () => {
    fc.assert(fc.property(garbage, (t) => {
      const n = parse(t);
      expect(n === undefined || isCount(n)).toBe(true);
    }), RUNS);
  });

// ---- /proc/PID/stat -----------------------------------------------------------------------------

const commChar = fc.oneof(fc.constantFrom(')', '(', ' ', '\n', ') S 1 2 '), fc.integer({ min: 1, max: 255 }).map((c) => String.fromCharCode(c)));
const statArb = fc.record({
  pid: fc.integer({ min: 1, max: 4194304 }),
  // TASK_COMM_LEN: at most 15 bytes, any byte but NUL; `)` and spaces included on purpose
  comm: fc.array(commChar, { maxLength: 15 }).map((a) => a.join('').slice(0, 15)),
  state: fc.constantFrom('R', 'S', 'D', 'Z', 'T', 't', 'X', 'I', 'P'),
  ppid: fc.integer({ min: 0, max: 4194304 }),
  pgrp: fc.integer({ min: 0, max: 4194304 }),
  sid: fc.integer({ min: 0, max: 4194304 }),
  ttyNr: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
  tpgid: fc.integer({ min: -1, max: 4194304 }),
  utime: fc.integer({ min: 0, max: 2 ** 40 }),
  stime: fc.integer({ min: 0, max: 2 ** 40 }),
  threads: fc.integer({ min: 0, max: 63 }),
  startTicks: fc.integer({ min: 0, max: 2 ** 50 }),
  rssPages: fc.integer({ min: 0, max: 2 ** 40 }),
});

function statText(s: typeof statArb extends fc.Arbitrary<infer T> ? T : never): string {
  const p: FakeProcess = { ...s, comm: Buffer.from(s.comm, 'latin1'), extraTids: Array.from({ length: Math.max(0, s.threads - 1) }, (_, i) => i) };
  // the reader decodes stat as latin1: one char per byte
  return statLine(p).toString('latin1');
}

describe('parseStat', () => {
  it('recovers every field of a kernel-formatted line whatever comm holds', () => {
    fc.assert(
      fc.property(statArb, (s) => {
        expect(parseStat(statText(s))).toEqual({
          comm: s.comm,
          state: s.state,
          ppid: s.ppid,
          pgrp: s.pgrp,
          sid: s.sid,
          ttyNr: s.ttyNr,
          tpgid: s.tpgid,
          cpuTicks: s.utime + s.stime,
          startTicks: s.startTicks,
          threads: Math.max(1, s.threads),
          rssPages: s.rssPages,
        });
      }),
      RUNS,
    );
  });

  /** the version before fields were found in place: trimStart, split(' ', 22), Number() */
  function parseStatBySplit(text: string): ReturnType<typeof parseStat> {
    const open = text.indexOf('(');
    const close = text.lastIndexOf(')');
    if (open < 0 || close < open) return undefined;
    const f = text.slice(close + 2).trimStart().split(' ', 22);
    if (f.length < 22) return undefined;
    const num = (i: number): number => Number(f[i]);
    const out = {
      comm: text.slice(open + 1, close),
      state: f[0] ?? '?',
      ppid: num(1),
      pgrp: num(2),
      sid: num(3),
      ttyNr: num(4),
      tpgid: num(5),
      cpuTicks: num(11) + num(12),
      startTicks: num(19),
      threads: num(17),
      rssPages: num(21),
    };
    const valid = [out.ppid, out.pgrp, out.sid, out.ttyNr, out.tpgid, out.cpuTicks, out.startTicks, out.threads, out.rssPages].every((n) => Number.isInteger(n));
    return valid && out.state.length === 1 ? out : undefined;
  }
  /** the same result, field by field with Object.is (-0 is not 0) */
  const sameAsBySplit = (text: string): void => {
    const got = parseStat(text);
    const want = parseStatBySplit(text);
    if (want === undefined || got === undefined) {
      expect(got, JSON.stringify(text)).toBe(want);
      return;
    }
    for (const k of Object.keys(want) as (keyof typeof want)[]) expect(Object.is(got[k], want[k]), `${k}: ${String(got[k])} vs ${String(want[k])} in ${JSON.stringify(text)}`).toBe(true);
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
  };
  /** what a field may hold, kernel-like or hostile: Number() accepts some of these, split keeps all */
  const fieldToken = fc.oneof(
    fc.integer({ min: -(2 ** 53), max: 2 ** 53 }).map(String),
    fc.constantFrom('', '-', '-0', '+5', '007', '1e3', '0x1F', '0b11', '5.0', '0.5', '.5', '1_0', 'Infinity', 'NaN', '\n5', '5\n', '\t', '\u00a012', '9'.repeat(15), '9'.repeat(16), '-' + '9'.repeat(15), '-' + '9'.repeat(16), '9'.repeat(400), 'S', 'R', ')', '(', ') S 1'),
  );
  const hostileStat = fc
    .tuple(
      fc.string({ maxLength: 6 }),
      fc.array(fc.oneof(commChar, fc.constantFrom(') (', ') ', ' (', ')\n')), { maxLength: 8 }).map((a) => a.join('')),
      fc.constantFrom(' ', '', '  ', '\n', ' \t ', '\u00a0', '\u3000', 'x', ')'),
      fc.array(fieldToken, { maxLength: 30 }),
      fc.array(fc.constantFrom(' ', ' ', ' ', '  ', '\n', '\t', ' \n'), { minLength: 30, maxLength: 30 }),
      fc.constantFrom('', ' ', '\n', ' 0 0\n'),
    )
    .map(([pid, comm, after, fields, seps, tail]) => `${pid} (${comm})${after}${fields.map((f, i) => f + (i < fields.length - 1 ? seps[i] : '')).join('')}${tail}`);

  it('finds the same fields as the split version did, on kernel lines, hostile lines and garbage', () => {
    fc.assert(fc.property(statArb, (s) => sameAsBySplit(statText(s))), RUNS);
    fc.assert(fc.property(hostileStat, sameAsBySplit), { numRuns: 5000 });
    fc.assert(fc.property(garbage, sameAsBySplit), { numRuns: 2000 });
    fc.assert(
      fc.property(statArb, fc.nat(51), fc.oneof(soup, fieldToken), (s, field, junk) => {
        const text = statText(s);
        const close = text.lastIndexOf(')');
        const f = text.slice(close + 2).split(' ');
        f[field % f.length] = junk;
        sameAsBySplit(text.slice(0, close + 2) + f.join(' '));
      }),
      { numRuns: 2000 },
    );
    // a kernel line cut short around the 22nd field (what a short read would leave)
    fc.assert(
      fc.property(statArb, fc.integer({ min: 18, max: 24 }), fc.constantFrom('', ' ', '\n'), (s, fields, end) => {
        const text = statText(s);
        const close = text.lastIndexOf(')');
        sameAsBySplit(`${text.slice(0, close + 2)}${text.slice(close + 2).split(' ').slice(0, fields).join(' ')}${end}`);
      }),
      { numRuns: 500 },
    );
    // 16 and 17 digits: past 2^53, where summing digits would round differently from Number()
    fc.assert(fc.property(statArb, fc.bigInt({ min: 10n ** 15n, max: 10n ** 17n }), (s, big) => sameAsBySplit(statText(s).replace(/ (\d+) (\d+) (\d+) (\d+) /, ` ${big} $2 $3 $4 `))), { numRuns: 500 });
  });

  const checkShape = (text: string) => {
    const st = parseStat(text);
    if (st === undefined) return;
    for (const k of ['ppid', 'pgrp', 'sid', 'ttyNr', 'tpgid', 'cpuTicks', 'startTicks', 'threads'] as const) expect(isInt(st[k]), `${k}=${st[k]}`).toBe(true);
    expect(st.state).toHaveLength(1);
    expect(typeof st.comm).toBe('string');
  };

  it('returns undefined or integers for garbage', () => {
    fc.assert(fc.property(garbage, checkShape), RUNS);
  });

  it('returns undefined or integers when one field of a real line is garbage', () => {
    fc.assert(
      fc.property(statArb, fc.nat(51), soup, (s, field, junk) => {
        const text = statText(s);
        const close = text.lastIndexOf(')');
        const f = text.slice(close + 2).split(' ');
        f[field % f.length] = junk;
        checkShape(text.slice(0, close + 2) + f.join(' '));
      }),
      RUNS,
    );
  });
});

describe('parseStatusUid', () => {
  const line = fc.string({ unit: fc.constantFrom('N', 'a', 'm', 'e', ':', '\t', ' ', '0', '9', 'G', 'i', 'd'), maxLength: 30 }).filter((l) => !/^Uid:/.test(l));
  it('finds the real uid among any other lines', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), fc.array(line, { maxLength: 8 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), (before, after, uid) => {
        const text = [...before, `Uid:\t${uid}\t${uid + 1}\t0\t0`, ...after].join('\n') + '\n';
        expect(parseStatusUid(text)).toBe(uid);
      }),
      RUNS,
    );
  });
  itReturnsCountOrUndefined(parseStatusUid);
});

describe('parseCmdline', () => {
  const arg = fc.string({ unit: fc.oneof(fc.constantFrom(' ', 'a', '-', '/', ':', '@', ')'), fc.integer({ min: 1, max: 0xffff }).map((c) => String.fromCharCode(c))), maxLength: 20 });
  const lastArg = arg.filter((a) => a.length > 0 && !a.endsWith(' '));
  it('recovers argv after any NUL / space padding', () => {
    fc.assert(
      fc.property(fc.array(arg, { maxLength: 6 }), lastArg, fc.string({ unit: fc.constantFrom('\0', ' '), maxLength: 80 }), (head, last, pad) => {
        const argv = [...head, last];
        expect(parseCmdline(argv.join('\0') + '\0' + pad)).toEqual(argv);
      }),
      RUNS,
    );
  });
  it('returns NUL-free strings, the last one unpadded, for garbage', () => {
    fc.assert(
      fc.property(garbage, (t) => {
        const argv = parseCmdline(t);
        for (const a of argv) expect(a.includes('\0')).toBe(false);
        if (argv.length > 0) expect(/^$|[\0 ]$/.test(argv[argv.length - 1] as string)).toBe(false);
      }),
      RUNS,
    );
  });
});

describe('parseBtime', () => {
  it('finds btime in /proc/stat', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('cpu  1 2 3', 'intr 5 0', 'ctxt 9', 'processes 7'), { maxLength: 5 }), fc.integer({ min: 0, max: 2 ** 40 }), (lines, t) => {
        expect(parseBtime([...lines, `btime ${t}`, 'procs_running 1'].join('\n'))).toBe(t);
      }),
      RUNS,
    );
  });
  itReturnsCountOrUndefined(parseBtime);
});

describe('parseUptime', () => {
  it('reads the first field of /proc/uptime to the hundredth', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 36 }), fc.integer({ min: 0, max: 99 }), fc.nat(), (whole, cents, idle) => {
        const text = `${whole}.${String(cents).padStart(2, '0')} ${idle}.00\n`;
        expect(parseUptime(text)).toBeCloseTo(whole + cents / 100, 6);
      }),
      RUNS,
    );
  });
  it('gives a finite number or nothing, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const v = parseUptime(text);
        expect(v === undefined || (Number.isFinite(v) && v >= 0)).toBe(true);
      }),
      RUNS,
    );
  });
});

// ---- tty_nr -------------------------------------------------------------------------------------

/** the kernel's new_encode_dev, printed as a signed int */
const encodeDev = (major: number, minor: number): number => ((minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12)) | 0;

describe('ttyName', () => {
  it('names every Unix98 pty minor (major 136, 20-bit minors)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: (1 << 20) - 1 }), (minor) => {
      expect(ttyName(encodeDev(136, minor))).toBe(`pts/${minor}`);
    }), RUNS);
  });
  it('names the legacy pty majors 137-143', () => {
    fc.assert(fc.property(fc.integer({ min: 137, max: 143 }), fc.integer({ min: 0, max: 255 }), (major, minor) => {
      expect(ttyName(encodeDev(major, minor))).toBe(`pts/${(major - 136) * 256 + minor}`);
    }), RUNS);
  });
  it('names consoles and serial ports', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 255 }), (minor) => {
      expect(ttyName(encodeDev(4, minor))).toBe(minor < 64 ? `tty${minor}` : `ttyS${minor - 64}`);
    }), RUNS);
  });
  it('returns null or a device name for any number', () => {
    fc.assert(fc.property(fc.oneof(fc.integer(), fc.double(), fc.integer({ min: -(2 ** 53), max: 2 ** 53 })), (n) => {
      const name = ttyName(n);
      expect(name === null || /^(pts\/\d+|tty\d+|ttyS\d+)$/.test(name)).toBe(true);
    }), RUNS);
  });
});

// ---- /proc/net/tcp{,6} --------------------------------------------------------------------------

const octet = fc.integer({ min: 0, max: 255 });
const v4 = fc.tuple(octet, octet, octet, octet);
// zero-heavy so that runs of zero groups (`::`) are common
const v6Bytes = fc.oneof(
  fc.array(fc.oneof(fc.constant(0), octet), { minLength: 16, maxLength: 16 }),
  v4.map((b) => [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...b]),
);
const port = fc.integer({ min: 0, max: 65535 });

const isMapped = (b: number[]) => b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
/** an independent textual form: the WHATWG URL serializer compresses IPv6 as RFC 5952 does */
function v6Text(b: number[]): string {
  if (isMapped(b)) return b.slice(12).join('.');
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push((((b[i] as number) << 8) | (b[i + 1] as number)).toString(16));
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

describe('parseHexEndpoint', () => {
  it('reads IPv4 as printed by a little-endian kernel', () => {
    fc.assert(fc.property(v4, port, fc.boolean(), (b, p, lower) => {
      const field = hexV4(b.join('.'), p);
      expect(parseHexEndpoint(lower ? field.toLowerCase() : field)).toEqual({ address: b.join('.'), port: p });
    }), RUNS);
  });
  it('reads IPv6 (v4-mapped as IPv4) as printed by a little-endian kernel', () => {
    fc.assert(fc.property(v6Bytes, port, (b, p) => {
      expect(parseHexEndpoint(hexV6(b, p))).toEqual({ address: v6Text(b), port: p });
    }), RUNS);
  });
  it('returns undefined or an address and a valid port for garbage', () => {
    fc.assert(fc.property(garbage, (t) => {
      const e = parseHexEndpoint(t);
      if (e === undefined) return;
      expect(isPort(e.port)).toBe(true);
      expect(e.address.length).toBeGreaterThan(0);
    }), RUNS);
  });
});

const rowArb = fc.record({
  v6: fc.boolean(),
  local: fc.tuple(v6Bytes, port),
  remote: fc.tuple(v6Bytes, port),
  local4: fc.tuple(v4, port),
  remote4: fc.tuple(v4, port),
  state: fc.integer({ min: 1, max: 12 }),
  inode: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2 ** 32 - 1 })),
  txQueue: fc.integer({ min: 0, max: 2 ** 31 }),
  rxQueue: fc.integer({ min: 0, max: 2 ** 31 }),
  timer: fc.integer({ min: 0, max: 4 }),
  when: fc.integer({ min: 0, max: 2 ** 31 }),
  retransmits: fc.integer({ min: 0, max: 255 }),
  uid: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  probes: fc.integer({ min: 0, max: 255 }),
});

describe('parseNetTcp', () => {
  it('recovers every row with an inode, drops inode-0 rows', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 6 }), (rows) => {
        const text = ['  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode']
          .concat(
            rows.map((r, i) =>
              tcpRow(i, {
                ...r,
                local: r.v6 ? hexV6(r.local[0], r.local[1]) : hexV4(r.local4[0].join('.'), r.local4[1]),
                remote: r.v6 ? hexV6(r.remote[0], r.remote[1]) : hexV4(r.remote4[0].join('.'), r.remote4[1]),
              }),
            ),
          )
          .join('\n');
        const want = rows
          .filter((r) => r.inode > 0)
          .map((r) => ({
            inode: r.inode,
            local: r.v6 ? { address: v6Text(r.local[0]), port: r.local[1] } : { address: r.local4[0].join('.'), port: r.local4[1] },
            remote: r.v6 ? { address: v6Text(r.remote[0]), port: r.remote[1] } : { address: r.remote4[0].join('.'), port: r.remote4[1] },
            state: r.state,
            txQueue: r.txQueue,
            rxQueue: r.rxQueue,
            timer: r.timer,
            timerJiffies: r.when,
            retransmits: r.retransmits,
            uid: r.uid,
            probes: r.probes,
          }));
        expect(parseNetTcp(text)).toEqual(want);
      }),
      RUNS,
    );
  });

  const checkSockets = (text: string) => {
    for (const s of parseNetTcp(text)) {
      expect(isInt(s.inode) && s.inode > 0).toBe(true);
      expect(isPort(s.local.port) && isPort(s.remote.port)).toBe(true);
      for (const k of ['state', 'txQueue', 'rxQueue', 'timer', 'timerJiffies', 'retransmits', 'uid', 'probes'] as const) {
        expect(isCount(s[k]), `${k}=${s[k]}`).toBe(true);
      }
    }
  };
  it('returns well-formed sockets for garbage', () => {
    fc.assert(fc.property(garbage, checkSockets), RUNS);
  });
  it('returns well-formed sockets when one column of a real row is garbage', () => {
    fc.assert(
      fc.property(rowArb, fc.nat(16), soup, (r, col, junk) => {
        const f = tcpRow(3, { ...r, local: hexV4(r.local4[0].join('.'), r.local4[1]), remote: hexV4(r.remote4[0].join('.'), r.remote4[1]) }).trim().split(/\s+/);
        f[col % f.length] = junk;
        checkSockets(`   ${f.join(' ')}\n`);
      }),
      RUNS,
    );
  });
});

describe('parseSocketLink', () => {
  it('reads socket:[N]', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 53 - 1 }), (n) => {
      expect(parseSocketLink(`socket:[${n}]`)).toBe(n);
    }), RUNS);
  });
  itReturnsCountOrUndefined(parseSocketLink);
});

// ---- passwd, environ, $TMUX, SSH_CONNECTION -------------------------------------------------

describe('parsePasswd', () => {
  const name = fc.string({ unit: fc.constantFrom('a', 'b', 'z', '_', '-', '.', '0', '$', 'é'), minLength: 1, maxLength: 12 });
  it('maps each uid to its first name', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(name, fc.integer({ min: 0, max: 70000 })), { maxLength: 12 }), (entries) => {
        const text = entries.map(([n, u]) => `${n}:x:${u}:${u}:gecos,,,:/home/${n}:/bin/sh`).join('\n') + '\n';
        const want = new Map<number, string>();
        for (const [n, u] of entries) if (!want.has(u)) want.set(u, n);
        expect(parsePasswd(text)).toEqual(want);
      }),
      RUNS,
    );
  });
  it('returns integer uids and non-empty names without separators for garbage', () => {
    fc.assert(fc.property(garbage, (t) => {
      for (const [uid, n] of parsePasswd(t)) {
        expect(isCount(uid)).toBe(true);
        expect(n.length > 0 && !n.includes(':') && !n.includes('\n')).toBe(true);
      }
    }), RUNS);
  });
});

describe('environValue', () => {
  const key = fc.string({ unit: fc.constantFrom('A', 'B', 'S', 'H', '_', '1'), minLength: 1, maxLength: 6 });
  const value = fc.string({ unit: fc.oneof(fc.constantFrom('=', ' ', ','), fc.integer({ min: 1, max: 0xffff }).map((c) => String.fromCharCode(c))), maxLength: 20 });
  it('returns the first value of the name', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(key, value), { maxLength: 8 }), key, (env, wanted) => {
        const raw = env.map(([k, v]) => `${k}=${v}\0`).join('');
        expect(environValue(raw, wanted)).toBe(env.find(([k]) => k === wanted)?.[1]);
      }),
      RUNS,
    );
  });
  it('returns undefined or a NUL-free string for garbage', () => {
    fc.assert(fc.property(garbage, garbage, (raw, n) => {
      const v = environValue(raw, n);
      expect(v === undefined || !v.includes('\0')).toBe(true);
    }), RUNS);
  });
});

describe('tmuxServerPid', () => {
  it('reads the pid whatever the socket path holds (commas too)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('/', 't', ',', '-', ' ', '0'), maxLength: 30 }), fc.integer({ min: 1, max: 4194304 }), fc.nat(99), (path, pid, idx) => {
        expect(tmuxServerPid(`${path},${pid},${idx}`)).toBe(pid);
      }),
      RUNS,
    );
  });
  it('returns undefined or a positive integer for garbage', () => {
    fc.assert(fc.property(garbage, (t) => {
      const pid = tmuxServerPid(t);
      expect(pid === undefined || (isInt(pid) && pid > 0)).toBe(true);
    }), RUNS);
  });
});

describe('parseSshConnection', () => {
  const addr = fc.oneof(fc.ipV4(), fc.ipV6());
  it('reads what sshd puts in SSH_CONNECTION', () => {
    fc.assert(fc.property(addr, port, addr, port, (ra, rp, la, lp) => {
      expect(parseSshConnection(`${ra} ${rp} ${la} ${lp}`)).toEqual({ remote: { address: ra, port: rp }, local: { address: la, port: lp } });
    }), RUNS);
  });
  it('returns undefined or valid ports and non-blank addresses for garbage', () => {
    fc.assert(fc.property(garbage, (t) => {
      const c = parseSshConnection(t);
      if (c === undefined) return;
      expect(isPort(c.remote.port) && isPort(c.local.port)).toBe(true);
      expect(/^\S+$/.test(c.remote.address) && /^\S+$/.test(c.local.address)).toBe(true);
    }), RUNS);
  });
});

// ---- ss, sshd -T, sshd_config ---------------------------------------------------------------------

describe('parseSs', () => {
  const checkSs = (t: string) => {
    for (const s of parseSs(t)) {
      expect(isInt(s.inode) && s.inode > 0).toBe(true);
      expect(typeof s.local === 'string' && typeof s.peer === 'string').toBe(true);
      expect(Number.isFinite(s.sendQ) && Number.isFinite(s.recvQ), `sendQ=${s.sendQ} recvQ=${s.recvQ}`).toBe(true);
      for (const k of ['rttMs', 'rttVarMs', 'rtoMs', 'lastSndMs', 'lastRcvMs', 'lastAckMs', 'bytesSent', 'bytesAcked', 'bytesReceived', 'retransCurrent', 'retransTotal'] as const) {
        expect(s[k] === null || Number.isFinite(s[k]), `${k}=${s[k]}`).toBe(true);
      }
      expect(s.timer === null || typeof s.timer === 'string').toBe(true);
      expect(isInt(s.backoff) && s.backoff >= 0, `backoff=${s.backoff}`).toBe(true);
    }
  };
  it('returns well-formed sockets for garbage', () => {
    fc.assert(fc.property(garbage, checkSs), RUNS);
  });
  it('reads what ss prints for a socket', () => {
    fc.assert(
      fc.property(port, port, fc.integer({ min: 1, max: 2 ** 32 - 1 }), fc.nat(), fc.nat(), fc.nat(), fc.nat(10), fc.nat(100), (lp, pp, ino, sent, lastrcv, q, cur, tot) => {
        const text = `${q}      0      127.0.0.1:${lp} 127.0.0.1:${pp} timer:(keepalive,119min,0) ino:${ino} sk:1 cgroup:/ <->\n\t ts sack cubic rto:204 rtt:0.5/0.25 bytes_sent:${sent} lastrcv:${lastrcv} retrans:${cur}/${tot}\n`;
        expect(parseSs(text)).toEqual([
          {
            inode: ino,
            local: `127.0.0.1:${lp}`,
            peer: `127.0.0.1:${pp}`,
            sendQ: 0,
            recvQ: q,
            rttMs: 0.5,
            rttVarMs: 0.25,
            rtoMs: 204,
            backoff: 0,
            lastSndMs: null,
            lastRcvMs: lastrcv,
            lastAckMs: null,
            bytesSent: sent,
            bytesAcked: null,
            bytesReceived: null,
            retransCurrent: cur,
            retransTotal: tot,
            timer: 'keepalive,119min,0',
          },
        ]);
      }),
      RUNS,
    );
  });
  it('with a set of inodes, gives just the sockets the whole parse gives for them', () => {
    const line = (ino: number, junk: string) =>
      `0      0      127.0.0.1:22 127.0.0.1:40000 timer:(keepalive,119min,0) ino:${ino} sk:1 cgroup:/ <->\n\t ts ${junk} rto:204 lastrcv:10 ino:${ino + 1}`;
    // junk within the continuation line (a newline in it would start a record ss never prints)
    const socket = fc.record({ ino: fc.integer({ min: 1, max: 2 ** 32 - 1 }), junk: soup.map((t) => t.replace(/\n/g, ' ')) });
    fc.assert(
      fc.property(fc.array(socket, { maxLength: 8 }), fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { maxLength: 4 }), fc.nat(), (sockets, extra, pick) => {
        const text = sockets.map((s) => line(s.ino, s.junk)).join('\n') + '\n';
        const only = new Set([...extra, ...sockets.filter((_, i) => (pick >> i) & 1).map((s) => s.ino)]);
        expect(parseSs(text, only)).toEqual(parseSs(text).filter((s) => only.has(s.inode)));
      }),
      RUNS,
    );
  });
  it('returns well-formed sockets when one token of a real line is garbage', () => {
    const real = '0      1292   127.0.0.1:22022 127.0.0.1:54814 timer:(persist,2.696ms,4) ino:15485 sk:b cgroup:/ <->\n\t ts sack bbr rto:208 rtt:5.115/9.198 bytes_sent:18873 lastsnd:104 lastrcv:5336 lastack:4064 retrans:0/3';
    fc.assert(
      fc.property(fc.nat(40), soup, (i, junk) => {
        const f = real.split(' ');
        f[i % f.length] = junk;
        checkSs(f.join(' '));
      }),
      RUNS,
    );
  });
});

describe('parseSshdT', () => {
  const kw = fc.string({ unit: fc.constantFrom('a', 'L', 'x', 'M', 'p'), minLength: 1, maxLength: 5 });
  const val = fc.string({ unit: fc.constantFrom('1', ':', 'y', ' ', '/'), maxLength: 10 }).map((v) => v.trim()).filter((v) => v.length > 0);
  it('reads keyword value lines, the first of each keyword winning', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(kw, val), { maxLength: 10 }), (pairs) => {
        const want = new Map<string, string>();
        for (const [k, v] of pairs) if (!want.has(k.toLowerCase())) want.set(k.toLowerCase(), v);
        expect(parseSshdT(pairs.map(([k, v]) => `${k} ${v}`).join('\n'))).toEqual(want);
      }),
      RUNS,
    );
  });
  it('returns lower-case keys and trimmed values for garbage', () => {
    fc.assert(fc.property(garbage, (t) => {
      for (const [k, v] of parseSshdT(t)) {
        expect(k.length > 0 && k === k.toLowerCase() && !/\s/.test(k)).toBe(true);
        expect(v).toBe(v.trim());
      }
    }), RUNS);
  });
});

describe('parseSshdConfigLines', () => {
  it('returns lower-case keywords, never match, for garbage', () => {
    fc.assert(fc.property(garbage, (t) => {
      const { lines, sawMatch } = parseSshdConfigLines(t);
      expect(typeof sawMatch).toBe('boolean');
      for (const { key, value } of lines) {
        expect(key.length > 0 && key === key.toLowerCase() && !/\s/.test(key) && key !== 'match' && !key.startsWith('#')).toBe(true);
        expect(value).toBe(value.trim());
      }
    }), RUNS);
  });
  it('keeps every line before the first Match, in order, in both spellings', () => {
    const kw = fc.string({ unit: fc.constantFrom('a', 'B', 'c'), minLength: 1, maxLength: 6 });
    const val = fc.string({ unit: fc.constantFrom('1', 'x', ':', '/', ' '), maxLength: 8 }).map((v) => v.trim()).filter((v) => v.length > 0);
    fc.assert(
      fc.property(fc.array(fc.tuple(kw, val, fc.constantFrom(' ', '\t', '=', ' = ')), { maxLength: 8 }), fc.boolean(), (entries, withMatch) => {
        const text = entries.map(([k, v, sep]) => `${k}${sep}${v}`).join('\n') + (withMatch ? '\nMatch User x\n  Port 1\n' : '\n');
        expect(parseSshdConfigLines(text)).toEqual({ lines: entries.map(([k, v]) => ({ key: k.toLowerCase(), value: v })), sawMatch: withMatch });
      }),
      RUNS,
    );
  });
});

describe('parseSshdTime', () => {
  const UNIT: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  it('sums every number × unit, a unit-less number counting as seconds', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(1000), fc.constantFrom('s', 'm', 'h', 'd', 'w', 'S', 'M', 'H', 'D', 'W')), { maxLength: 4 }), fc.option(fc.nat(1000)), (parts, tail) => {
        fc.pre(parts.length > 0 || tail !== null);
        const text = parts.map(([n, u]) => `${n}${u}`).join('') + (tail ?? '');
        const want = parts.reduce((sum, [n, u]) => sum + n * (UNIT[u.toLowerCase()] as number), 0) + (tail ?? 0);
        expect(parseSshdTime(text)).toBe(want);
      }),
      RUNS,
    );
  });
  itReturnsCountOrUndefined(parseSshdTime);
});

describe('parseMaxStartups', () => {
  it('reads start:rate:full', () => {
    fc.assert(fc.property(fc.nat(1000), fc.integer({ min: 1, max: 100 }), fc.nat(1000), (s, r, f) => {
      expect(parseMaxStartups(`${s}:${r}:${f}`)).toEqual({ start: s, rate: r, full: f });
    }), RUNS);
  });
  it('returns undefined or non-negative integers for garbage', () => {
    fc.assert(fc.property(garbage, (t) => {
      const m = parseMaxStartups(t);
      if (m !== undefined) expect(isCount(m.start) && isCount(m.rate) && isCount(m.full)).toBe(true);
    }), RUNS);
  });
});

describe('configFileOf', () => {
  const path = fc.string({ unit: fc.constantFrom('/', 'e', 't', 'c', '_', '.', '-', '[', ']'), minLength: 1, maxLength: 20 });
  it('finds -f <file> in a listener title', () => {
    fc.assert(fc.property(path, fc.constantFrom(' ', ''), fc.nat(100), (p, sep, active) => {
      expect(configFileOf(`sshd: /usr/sbin/sshd -D -f${sep}${p} [listener] ${active} of 10-100 startups`)).toBe(p);
    }), RUNS);
  });
  it('returns undefined or a non-blank word for garbage', () => {
    fc.assert(fc.property(garbage, (t) => {
      const f = configFileOf(t);
      expect(f === undefined || /^\S+$/.test(f)).toBe(true);
    }), RUNS);
  });
});

// ---- durations, classification, sanitising ----------------------------------------------------

describe('parseDuration', () => {
  const UNIT: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };
  it('reads n and n<unit>', () => {
    fc.assert(fc.property(fc.nat(1e6), fc.option(fc.nat(999)), fc.constantFrom('', 's', 'm', 'h', 'd'), (n, frac, u) => {
      const text = frac === null ? `${n}${u}` : `${n}.${frac}${u}`;
      expect(parseDuration(text)).toBe(Number(frac === null ? `${n}` : `${n}.${frac}`) * (UNIT[u] as number));
    }), RUNS);
  });
  it('returns undefined or a finite non-negative number for garbage', () => {
    fc.assert(fc.property(garbage, (t) => {
      const d = parseDuration(t);
      expect(d === undefined || (Number.isFinite(d) && d >= 0)).toBe(true);
    }), RUNS);
  });
});

describe('classifyProcess', () => {
  const ROLES = ['listener', 'preauth', 'monitor', 'pam', 'user', 'sftp', 'connection', 'unknown', 'process'];
  const user = fc.stringMatching(/^[a-z_][a-z0-9_-]{0,15}$/).filter((u) => u !== 'unknown');
  it('classifies any comm and argv into a known role', () => {
    fc.assert(
      fc.property(fc.oneof(garbage, fc.constantFrom('sshd', 'sshd-session', 'sshd-auth', 'dropbear', '5')), fc.array(fc.oneof(garbage, soup.map((s) => `sshd: ${s}`)), { maxLength: 4 }), fc.boolean(), (comm, argv, parentDropbear) => {
        const c = classifyProcess(comm, argv, parentDropbear);
        expect(ROLES).toContain(c.role);
        expect(['openssh', 'dropbear', 'other']).toContain(c.daemon);
        if (c.user !== undefined) expect(c.user).toMatch(/^\S+$/);
        for (const t of c.ttys ?? []) expect(t).toMatch(/^(pts\/\d+|tty\w*)$/);
      }),
      RUNS,
    );
  });
  it('reads the user and ttys of a user-child title, whichever binary wrote it', () => {
    fc.assert(
      fc.property(fc.constantFrom('sshd', 'sshd-session'), user, fc.array(fc.nat(4095), { minLength: 1, maxLength: 4 }), (bin, u, ptys) => {
        const ttys = ptys.map((n) => `pts/${n}`);
        expect(classifyProcess(bin, [`${bin}: ${u}@${ttys.join(',')}`])).toMatchObject({ role: 'user', user: u, ttys });
        expect(classifyProcess(bin, [`${bin}: ${u} [priv]`])).toMatchObject({ role: 'monitor', user: u });
      }),
      RUNS,
    );
  });
});

const UNSAFE_CHAR = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const hasLoneSurrogate = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const n = s.charCodeAt(i + 1);
      if (n >= 0xdc00 && n <= 0xdfff) i++;
      else return true;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
};

describe('sanitize', () => {
  it('never lets a control, bidi or lone-surrogate character through, and replaces one for one', () => {
    fc.assert(
      fc.property(garbage, (t) => {
        const out = sanitize(t);
        expect(UNSAFE_CHAR.test(out)).toBe(false);
        expect(hasLoneSurrogate(out)).toBe(false);
        expect(out.length).toBe(t.length);
        expect(sanitize(out)).toBe(out);
      }),
      RUNS,
    );
  });
  it('leaves safe text alone', () => {
    const safe = fc.string({ unit: 'grapheme', maxLength: 60 }).filter((s) => !UNSAFE_CHAR.test(s) && !s.includes(PLACEHOLDER));
    fc.assert(fc.property(safe, (t) => {
      expect(sanitize(t)).toBe(t);
    }), RUNS);
  });
  it('replaces each unsafe character where it stood', () => {
    const bad = fc.oneof(fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f }), fc.constantFrom(0x61c, 0x200e, 0x200f, 0x202a, 0x202e, 0x2066, 0x2069, 0xd800, 0xdfff));
    fc.assert(fc.property(fc.string({ unit: 'grapheme-ascii', maxLength: 10 }), bad, fc.string({ unit: 'grapheme-ascii', maxLength: 10 }), (a, c, b) => {
      fc.pre(!UNSAFE_CHAR.test(a + b));
      expect(sanitize(a + String.fromCharCode(c) + b)).toBe(a + PLACEHOLDER + b);
    }), RUNS);
  });
});
