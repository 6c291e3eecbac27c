// The utmp parser: the glibc 64-bit layout, table cases, and garbage (never a throw, shapes kept).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEAD_PROCESS, encodeUtmp, formatUtmpAddress, openLoginOffsets, parseUtmp, recordAt, USER_PROCESS, UTMP_RECORD } from '../../src/proc/parse-utmp.js';

const cat = (...parts: Uint8Array[]) => Buffer.concat(parts);
const AT = Date.UTC(2026, 10, 30, 4, 3, 47, 25);
/** the open logins of every pid the records name, in file order, each decoded whole (as login-records.ts decodes the ones a live pid asks for) */
const openLogins = (buf: Uint8Array) =>
  [...openLoginOffsets(buf, new Set(parseUtmp(buf).map((r) => r.pid))).values()]
    .flat()
    .sort((a, b) => a - b)
    .map((off) => recordAt(buf, off));

describe('parseUtmp', () => {
  it('reads a record at the glibc x86_64/arm64 offsets', () => {
    const buf = new Uint8Array(UTMP_RECORD);
    const v = new DataView(buf.buffer);
    v.setInt16(0, 7, true);
    v.setInt32(4, 10524, true);
    buf.set(Buffer.from('pts/2'), 8);
    buf.set(Buffer.from('ts/2'), 40);
    buf.set(Buffer.from('alice'), 44);
    buf.set(Buffer.from('client.example.org'), 76);
    v.setInt32(340, Math.floor(AT / 1000), true);
    v.setInt32(344, 25_123, true);
    buf.set([192, 0, 2, 7], 348);
    expect(parseUtmp(buf)).toEqual([{ type: 7, pid: 10524, line: 'pts/2', id: 'ts/2', user: 'alice', host: 'client.example.org', address: '192.0.2.7', at: AT }]);
  });

  it.each([
    ['full-width fields without NUL', { line: 'x'.repeat(40), user: 'u'.repeat(40), host: 'h'.repeat(300) }, { line: 'x'.repeat(32), user: 'u'.repeat(32), host: 'h'.repeat(256) }],
    ['escape sequences kept raw (sanitised at display)', { host: '\u001b]0;pwned\u0007' }, { host: '\u001b]0;pwned\u0007' }],
  ])('%s', (_, input, want) => {
    expect(parseUtmp(encodeUtmp({ pid: 1, ...input }))[0]).toMatchObject(want);
  });

  it('invalid UTF-8 becomes U+FFFD', () => {
    const buf = encodeUtmp({ pid: 1 });
    buf.set([0x68, 0xff, 0xfe, 0x69], 76);
    expect(parseUtmp(buf)[0]?.host).toBe('h\ufffd\ufffdi');
  });

  it('drops a trailing partial record and reads nothing from an empty file', () => {
    expect(parseUtmp(new Uint8Array(0))).toEqual([]);
    expect(parseUtmp(cat(encodeUtmp({ pid: 5, line: 'pts/1' }), new Uint8Array(100)))).toHaveLength(1);
  });

  it.each([
    [[127, 0, 0, 1], '127.0.0.1'],
    [[], null],
    [[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], '2001:db8::1'],
    [[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55], 'fe80::211:22ff:fe33:4455'],
    [[0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8], '1:2:3:4:5:6:7:8'],
  ])('ut_addr_v6 %j is %s', (bytes, want) => {
    const words = new Uint8Array(16);
    words.set(bytes);
    expect(formatUtmpAddress(words)).toBe(want);
  });
});

describe('openLoginOffsets', () => {
  it('keeps the last USER_PROCESS per pid and line; a DEAD_PROCESS for the line closes it', () => {
    const recs = cat(
      encodeUtmp({ pid: 10, line: 'pts/0', at: 1000 }),
      encodeUtmp({ pid: 11, line: 'pts/1', at: 2000 }),
      encodeUtmp({ type: DEAD_PROCESS, pid: 10, line: 'pts/0', at: 3000 }),
      encodeUtmp({ pid: 12, line: 'pts/0', at: 4000 }),
      encodeUtmp({ type: 2, pid: 0, line: '~', at: 5000 }), // BOOT_TIME: names no login
      encodeUtmp({ pid: 0, line: 'pts/4' }),
      encodeUtmp({ pid: 13, line: '' }),
    );
    expect(openLogins(recs).map((r) => [r.pid, r.line])).toEqual([
      [11, 'pts/1'],
      [12, 'pts/0'],
    ]);
  });

  it('an open login is decoded whole', () => {
    const recs = cat(encodeUtmp({ pid: 10, line: 'pts/0', user: 'alice', host: 'client.example.org', addr: [192, 0, 2, 7], at: AT }));
    expect(openLogins(recs)).toEqual([{ type: USER_PROCESS, pid: 10, line: 'pts/0', id: '', user: 'alice', host: 'client.example.org', address: '192.0.2.7', at: AT }]);
  });

  it('is what the rule says over every record decoded (random logins and logouts)', () => {
    // the rule, the plain way: every record decoded, each DEAD_PROCESS searching what is open
    const reference = (recs: ReturnType<typeof parseUtmp>) => {
      const last = new Map<string, (typeof recs)[number]>();
      for (const r of recs) {
        if (r.type === DEAD_PROCESS) {
          for (const [k, v] of last) if (v.line === r.line && (r.pid === 0 || v.pid === r.pid)) last.delete(k);
        } else if (r.type === USER_PROCESS && r.pid > 0 && r.line !== '') {
          const key = `${r.pid}\0${r.line}`;
          last.delete(key);
          last.set(key, r);
        }
      }
      return [...last.values()];
    };
    const record = fc.record({
      type: fc.constantFrom(USER_PROCESS, USER_PROCESS, DEAD_PROCESS, 2),
      pid: fc.integer({ min: 0, max: 4 }),
      line: fc.constantFrom('', 'pts/0', 'pts/1', 'pts/2'),
      user: fc.constantFrom('alice', 'bob'),
      at: fc.integer({ min: 0, max: 1e12 }),
    });
    fc.assert(
      fc.property(fc.array(record, { maxLength: 40 }), (rs) => {
        const bytes = cat(...rs.map((r) => encodeUtmp(r)));
        expect(openLogins(bytes)).toEqual(reference(parseUtmp(bytes)));
      }),
      { numRuns: 500 },
    );
  });

  it('asked for some pids, gives just their part of the whole answer, each in file order', () => {
    const record = fc.record({
      type: fc.constantFrom(USER_PROCESS, USER_PROCESS, DEAD_PROCESS),
      pid: fc.integer({ min: 0, max: 5 }),
      line: fc.constantFrom('pts/0', 'pts/1', 'pts/2'),
    });
    fc.assert(
      fc.property(fc.array(record, { maxLength: 40 }), fc.uniqueArray(fc.integer({ min: 0, max: 6 })), (rs, asked) => {
        const bytes = cat(...rs.map((r) => encodeUtmp(r)));
        const whole = openLogins(bytes);
        const got = openLoginOffsets(bytes, new Set(asked));
        expect([...got.keys()].every((pid) => asked.includes(pid))).toBe(true);
        for (const pid of asked) expect((got.get(pid) ?? []).map((off) => recordAt(bytes, off))).toEqual(whole.filter((r) => r.pid === pid));
      }),
      { numRuns: 500 },
    );
  });

  it('a DEAD_PROCESS with pid 0 (utmp cleaned at logout) closes the line whoever held it', () => {
    const recs = cat(encodeUtmp({ pid: 10, line: 'pts/0' }), encodeUtmp({ type: DEAD_PROCESS, pid: 0, line: 'pts/0' }));
    expect(openLogins(recs)).toEqual([]);
  });
});

describe('garbage', () => {
  it('any bytes: whole records only, each of the right shape, never a throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: UTMP_RECORD * 4 + 50 }), (bytes) => {
        const recs = parseUtmp(bytes);
        expect(recs).toHaveLength(Math.floor(bytes.length / UTMP_RECORD));
        for (const r of recs) {
          expect(Number.isInteger(r.type) && Number.isInteger(r.pid) && Number.isFinite(r.at)).toBe(true);
          expect(Buffer.byteLength(r.line)).toBeLessThanOrEqual(32 * 3);
          expect(r.line.includes('\0') || r.host.includes('\0') || r.user.includes('\0')).toBe(false);
          if (r.address !== null) expect(r.address).toMatch(/^[\d.]+$|^[0-9a-f:]+$/);
        }
        for (const r of openLogins(bytes)) expect(r.type === USER_PROCESS && r.pid > 0 && r.line !== '').toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('what glibc would write reads back as written', () => {
    const text = (max: number) => fc.string({ unit: fc.constantFrom(...'abcxyz0189./-_:'.split('')), maxLength: max });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), text(32), text(32), text(256), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (pid, line, user, host, sec) => {
        const [r] = parseUtmp(encodeUtmp({ pid, line, user, host, at: sec * 1000 }));
        expect(r).toMatchObject({ type: USER_PROCESS, pid, line, user, host, at: sec * 1000, address: null });
      }),
      { numRuns: 200 },
    );
  });
});
