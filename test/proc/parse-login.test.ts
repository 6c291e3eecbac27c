import { describe, expect, it } from 'vitest';
import { AUDIT_UNSET, parseAuditId, parseLoginScope } from '../../src/proc/parse-login.js';

describe('parseAuditId (/proc/PID/sessionid, loginuid)', () => {
  it.each([
    ['a login', '1514', 1514],
    ['a login, with a newline', '1001\n', 1001],
    ['the first login after boot', '1', 1],
    ['unset: (u32)-1, what no login marked', `${AUDIT_UNSET}`, null],
    ['unset, with a newline', '4294967295\n', null],
  ])('%s', (_what, text, want) => {
    expect(parseAuditId(text)).toBe(want);
  });

  it.each([['missing', undefined], ['empty', ''], ['negative', '-1'], ['hex', '0x10'], ['words', 'unset'], ['too long', '99999999999']])('not a plain decimal: %s', (_what, text) => {
    expect(parseAuditId(text)).toBeUndefined();
  });
});

describe('parseLoginScope (/proc/PID/cgroup)', () => {
  it.each([
    ['cgroup v2', '0::/user.slice/user-1000.slice/session-5.scope\n', '5'],
    ['cgroup v1, the named systemd hierarchy among others', '12:memory:/user.slice\n1:name=systemd:/user.slice/user-1000.slice/session-17.scope\n0::/\n', '17'],
    ['logind without audit names its own sessions', '0::/user.slice/user-1001.slice/session-c3.scope\n', 'c3'],
    ['a nested cgroup below the scope', '0::/user.slice/user-1000.slice/session-9.scope/build\n', '9'],
  ])('%s', (_what, text, want) => {
    expect(parseLoginScope(text)).toBe(want);
  });

  it.each([
    ['a service (sshd itself)', '0::/system.slice/ssh.service\n'],
    ["a user's manager", '0::/user.slice/user-1000.slice/user@1000.service/init.scope\n'],
    ['a container', '0::/\n'],
    ['v1 without the systemd hierarchy', '4:memory:/process_api/6dd6\n3:cpuset:/\n'],
    ['a scope in another controller only', '5:cpu:/user.slice/user-1000.slice/session-5.scope\n'],
    ['empty', ''],
  ])('none: %s', (_what, text) => {
    expect(parseLoginScope(text)).toBeNull();
  });
});
