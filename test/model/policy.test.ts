import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { derivePolicy, describeDrop } from '../../src/model/policy.js';
import { configFileOf, parseMaxStartups, parseSshdConfigLines, parseSshdT, parseSshdTime } from '../../src/proc/parse-sshd-config.js';
import { readConfigFiles } from '../../src/proc/policy.js';

const KERNEL = { keepaliveTime: 7200, keepaliveIntvl: 75, keepaliveProbes: 9 };

describe('sshd configuration parsing', () => {
  it('reads sshd -T output (captured from OpenSSH 9.2)', () => {
    const v = parseSshdT('logingracetime 120\nclientaliveinterval 0\nclientalivecountmax 3\nunusedconnectiontimeout none\ntcpkeepalive yes\nmaxstartups 10:30:100\n');
    const p = derivePolicy(v, 'sshd -T', '/etc/ssh/sshd_config', KERNEL);
    expect(p).toMatchObject({ clientAliveInterval: 0, clientAliveCountMax: 3, tcpKeepAlive: true, loginGraceTime: 120, unusedConnectionTimeout: 0 });
    expect(p.maxStartups).toEqual({ start: 10, rate: 30, full: 100 });
    expect(p.silentClientDropSeconds).toBe(7200 + 9 * 75);
    expect(describeDrop(p)).toMatch(/TCP keepalive/);
  });

  it('ClientAlive wins over TCP keepalive for the silent-client drop', () => {
    const p = derivePolicy(new Map([['clientaliveinterval', '1m'], ['clientalivecountmax', '5']]), 'sshd_config', null, KERNEL);
    expect(p.silentClientDropSeconds).toBe(300);
    expect(p.silentClientDropBy).toMatch(/ClientAliveInterval 60s × ClientAliveCountMax 5/);
  });

  it('no ClientAlive and TCPKeepAlive no: never dropped', () => {
    const p = derivePolicy(new Map([['tcpkeepalive', 'no']]), 'sshd_config', null, KERNEL);
    expect(p.silentClientDropSeconds).toBeNull();
    expect(describeDrop(p)).toMatch(/never dropped/);
  });

  it('unknown policy stays null, never invented', () => {
    const p = derivePolicy(null, 'unknown', null, null);
    expect(p.loginGraceTime).toBeNull();
    expect(p.tcpKeepAlive).toBeNull();
    expect(describeDrop(p)).toBe('server policy unknown');
  });

  it('time, MaxStartups and -f parsing', () => {
    expect(parseSshdTime('1h30m')).toBe(5400);
    expect(parseSshdTime('120')).toBe(120);
    expect(parseSshdTime('2x')).toBeUndefined();
    expect(parseMaxStartups('10')).toEqual({ start: 10, rate: 100, full: 10 });
    expect(parseMaxStartups('a:b')).toBeUndefined();
    expect(configFileOf('sshd: /usr/sbin/sshd -D -f /tmp/lab/cfg -E /tmp/lab/log [listener] 0 of 10-100 startups')).toBe('/tmp/lab/cfg');
    expect(configFileOf('sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups')).toBeUndefined();
  });

  it('sshd_config: case-insensitive keys, key=value, first value wins, Match ends the global part', () => {
    const { lines, sawMatch } = parseSshdConfigLines('# c\nClientAliveInterval=30\nclientaliveinterval 99\nMatch User bob\n  ClientAliveInterval 1\n');
    expect(lines).toEqual([
      { key: 'clientaliveinterval', value: '30' },
      { key: 'clientaliveinterval', value: '99' },
    ]);
    expect(sawMatch).toBe(true);
  });

  it('follows Include globs in order, the first value obtained winning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sshtop-cfg-'));
    mkdirSync(join(dir, 'd'));
    writeFileSync(join(dir, 'd', '10-a.conf'), 'LoginGraceTime 30\n');
    writeFileSync(join(dir, 'd', '20-b.conf'), 'LoginGraceTime 99\nClientAliveInterval 15\n');
    writeFileSync(join(dir, 'main'), `Include ${dir}/d/*.conf\nLoginGraceTime 200\nTCPKeepAlive no\n`);
    const v = readConfigFiles(join(dir, 'main'))!;
    expect(v.get('logingracetime')).toBe('30');
    expect(v.get('clientaliveinterval')).toBe('15');
    expect(v.get('tcpkeepalive')).toBe('no');
    expect(readConfigFiles(join(dir, 'absent'))).toBeNull();
  });
});
