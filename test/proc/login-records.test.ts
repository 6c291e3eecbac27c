// The login-record reader over files written in the exact utmp layout (this machine has no
// /run/utmp: systemd without utmp support; its sshd writes wtmp only), pointed at by an option.
import { mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LoginRecordReader } from '../../src/proc/login-records.js';
import { DEAD_PROCESS, encodeUtmp } from '../../src/proc/parse-utmp.js';
import { ProcReader } from '../../src/proc/reader.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});
const tmp = () => (dir = mkdtempSync(join(tmpdir(), 'sshtop-utmp-')));

describe('LoginRecordReader', () => {
  it('utmp first, wtmp for what utmp lacks; only the asked pids; missing files give nothing', () => {
    const d = tmp();
    writeFileSync(join(d, 'utmp'), Buffer.concat([encodeUtmp({ pid: 100, line: 'pts/1', user: 'bob', host: '192.0.2.1', addr: [192, 0, 2, 1], at: 5000 }), encodeUtmp({ pid: 999, line: 'pts/9' })]));
    writeFileSync(
      join(d, 'wtmp'),
      Buffer.concat([
        encodeUtmp({ pid: 100, line: 'pts/1', host: 'stale.example', at: 4000 }),
        encodeUtmp({ pid: 200, line: 'pts/2', host: 'h2', at: 6000 }),
        encodeUtmp({ pid: 300, line: 'pts/3', at: 6000 }),
        encodeUtmp({ type: DEAD_PROCESS, pid: 300, line: 'pts/3', at: 7000 }),
      ]),
    );
    const r = new LoginRecordReader({ utmp: [join(d, 'nope'), join(d, 'utmp')], wtmp: [join(d, 'wtmp')] });
    expect(r.read(new Set([100, 200, 300]))).toEqual([
      { source: 'utmp', pid: 100, line: 'pts/1', user: 'bob', host: '192.0.2.1', address: '192.0.2.1', at: 5000 },
      { source: 'wtmp', pid: 200, line: 'pts/2', user: '', host: 'h2', address: null, at: 6000 },
    ]);
    expect(new LoginRecordReader({ utmp: [join(d, 'nope')], wtmp: [d] }).read(new Set([100]))).toEqual([]);
  });

  it('a wtmp past 1 MiB is read to its end: the newest login is there, the oldest beyond the bound is not', () => {
    const d = tmp();
    // records from offset 0, as glibc writes them; 1 MiB is no multiple of a record (384 bytes), so
    // the bound cuts the log inside one (found when this machine's wtmp passed 1 MiB)
    const record = (pid: number, host: string) => encodeUtmp({ pid, line: `pts/${pid % 50}`, host, at: pid });
    const count = Math.ceil((1 << 20) / record(1, '').length) + 5;
    writeFileSync(join(d, 'wtmp'), Buffer.concat(Array.from({ length: count }, (_, i) => record(i + 1, i === 0 ? 'oldest' : i === count - 1 ? 'newest' : 'mid'))));
    const r = new LoginRecordReader({ utmp: [], wtmp: [join(d, 'wtmp')] });
    expect(r.read(new Set([count])).map((x) => x.host)).toEqual(['newest']);
    expect(r.read(new Set([1]))).toEqual([]);
  });

  it('reads a file again only when it changed', () => {
    const d = tmp();
    const w = join(d, 'wtmp');
    writeFileSync(w, encodeUtmp({ pid: 1, line: 'pts/0', host: 'a' }));
    const r = new LoginRecordReader({ utmp: [], wtmp: [w] });
    expect(r.read(new Set([1, 2])).map((x) => x.pid)).toEqual([1]);
    appendFileSync(w, encodeUtmp({ pid: 2, line: 'pts/1', host: 'b' }));
    expect(r.read(new Set([1, 2])).map((x) => x.pid)).toEqual([1, 2]);
  });

  it('a pid asked for later, of an unchanged file, gets its logins (each pid is looked up once, when first asked)', () => {
    const d = tmp();
    const w = join(d, 'wtmp');
    writeFileSync(w, Buffer.concat([encodeUtmp({ pid: 1, line: 'pts/0', host: 'a' }), encodeUtmp({ pid: 2, line: 'pts/1', host: 'b' }), encodeUtmp({ pid: 2, line: 'pts/4', host: 'c' })]));
    const r = new LoginRecordReader({ utmp: [], wtmp: [w] });
    expect(r.read(new Set([1])).map((x) => x.host)).toEqual(['a']);
    expect(r.read(new Set([2, 1])).map((x) => x.host)).toEqual(['b', 'c', 'a']);
    expect(r.read(new Set([3]))).toEqual([]);
    expect(r.read(new Set([1, 2])).map((x) => x.host)).toEqual(['a', 'b', 'c']);
    // the same pids again (the answers kept as they are), then fewer
    expect(r.read(new Set([1, 2])).map((x) => x.host)).toEqual(['a', 'b', 'c']);
    expect(r.read(new Set([2])).map((x) => x.host)).toEqual(['b', 'c']);
  });

  it('the live reader uses them only when asked for a captured tree (its pids are not the live ones)', () => {
    const fixture = new URL('../fixtures/openssh-9.2p1', import.meta.url).pathname;
    const d = tmp();
    const base = { procRoot: `${fixture}/proc`, devRoot: `${fixture}/dev`, passwdPath: `${fixture}/passwd` };
    expect(new ProcReader(base).read().loginRecords).toBeUndefined();
    const pid = [...new ProcReader(base).read().procs.keys()][0] as number;
    writeFileSync(join(d, 'utmp'), encodeUtmp({ pid, line: 'pts/5', host: 'h' }));
    const snap = new ProcReader({ ...base, loginRecords: { utmp: [join(d, 'utmp')], wtmp: [] } }).read();
    expect(snap.loginRecords?.map((x) => [x.pid, x.line])).toEqual([[pid, 'pts/5']]);
  });
});
