// Table-driven tests of the /proc, ss and sshd_config parsers with strings captured on a real
// machine (Linux 6.18 x86_64, Debian 12, OpenSSH 9.2p1, iproute2 6.1). Where a value could not be
// produced on that machine the comment says it is computed, and from what.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/text/duration.js';
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
import { readConfigFiles } from '../../src/proc/policy.js';

// ---- /proc/PID/stat -------------------------------------------------------------------------

// `cp /bin/sleep '/tmp/:-) 1 2'; '/tmp/:-) 1 2' 300 &; cat /proc/$!/stat`
const STAT_SMILEY =
  '20090 (:-) 1 2) S 1 20086 11951 0 -1 4194304 129 0 0 0 0 0 0 0 20 0 1 0 42573 2990080 414 18446744073709551615 94644439052288 94644439070217 140728244808720 0 0 0 0 6 0 1 0 0 17 0 0 0 0 0 0 94644439084304 94644439085568 94644820164608 140728244816609 140728244816626 140728244816626 140728244817899 0\n';
// `tmux -L captest new-session -d`: the server's stat
const STAT_TMUX =
  '20103 (tmux: server) S 1 20103 20103 0 -1 4194368 378 78 0 0 0 0 0 0 20 0 1 0 42594 6029312 910 18446744073709551615 93983938101248 93983938698061 140720845707376 0 0 0 0 3674116 134433283 1 0 0 17 0 0 0 0 0 0 93983938918224 93983938996904 93984000815104 140720845712064 140720845712112 140720845712112 140720845713386 0\n';
// a binary copied to '/tmp/x) R 7 7 7 7': a comm built to fool a parser that splits at the first `)`
const STAT_FAKE_FIELDS =
  '8250 (x) R 7 7 7 7) S 1 8245 11951 0 -1 4194304 137 0 0 0 0 0 0 0 20 0 1 0 63293 2990080 402 18446744073709551615 94724576342016 94724576359945 140723804637424 0 0 0 0 6 0 1 0 0 17 0 0 0 0 0 0 94724576374032 94724576375296 94725222514688 140723804646099 140723804646120 140723804646120 140723804647398 0\n';
// a binary copied to $'/tmp/nl\n) Z 9': a newline and a `)` inside comm
const STAT_NEWLINE =
  '8251 (nl\n) Z 9) S 1 8245 11951 0 -1 4194304 134 0 0 0 0 0 0 0 20 0 1 0 63293 2990080 412 18446744073709551615 94368349081600 94368349099529 140736767528432 0 0 0 0 6 0 1 0 0 17 1 0 0 0 0 0 94368349113616 94368349114880 94369104588800 140736767531743 140736767531760 140736767531760 140736767533034 0\n';
// `perl -e '$0="sshd: alice\@pts/3"; sleep 60'`: perl also sets comm (PR_SET_NAME, cut to 15 bytes)
const STAT_PERL_TITLE =
  '21585 (sshd: alice@pts) S 1 21582 11951 0 -1 4194304 272 0 1 0 0 0 0 0 20 0 1 0 45320 8069120 1234 18446744073709551615 94604160454656 94604162109861 140727232727536 0 0 0 0 134 0 1 0 0 17 1 0 0 0 0 0 94604163887144 94604163957588 94604846112768 140727232731808 140727232731891 140727232731891 140727232733162 0\n';
// `sleep` in the first pane of that tmux server: its controlling tty is pts/0
const STAT_PANE =
  '20104 (sleep) S 20103 20104 20104 34816 20104 4194304 321 0 0 0 0 0 0 0 20 0 1 0 42595 2990080 420 18446744073709551615 93864968925184 93864968943113 140735438930320 0 0 0 0 3145728 0 1 0 0 17 1 0 0 0 0 0 93864968957200 93864968958464 93865947230208 140735438932610 140735438932620 140735438932620 140735438933993 0\n';
// a python process made session leader of /dev/pts/301 (300 other ptys held open first)
const STAT_PTS_301 =
  '20572 (python3) R 20528 20572 20572 1083437 20572 4194304 1945 0 0 0 1 1 0 0 20 0 1 0 43571 17027072 3349 18446744073709551615 94079231963136 94079231963477 140734433161264 0 0 0 0 16781312 2 0 0 0 17 1 0 0 0 0 0 94079231974832 94079231975448 94079529828352 140734433167505 140734433167656 140734433167656 140734433169359 0\n';
// OpenSSH 9.2p1: the per-connection process of a root login (`sshd: root@pts/5`) and the shell's command under it
const STAT_SSHD_ROOT =
  '21227 (sshd) S 20955 21227 21227 0 -1 4194560 717 290 0 0 0 0 1 0 20 0 1 0 44759 17342464 2449 18446744073709551615 94717299671040 94717300515725 140726709831712 0 0 0 0 4096 81926 1 0 0 17 1 0 0 0 0 0 94717300868976 94717300885136 94717726932992 140726709836453 140726709836529 140726709836529 140726709837801 0\n';
const STAT_SSH_CHILD =
  '21235 (sleep) S 21227 21235 21235 34821 21235 4194560 476 12765 0 4 0 0 6 4 20 0 1 0 44780 2560000 344 18446744073709551615 93830654152704 93830654170633 140732180379024 0 0 0 0 0 0 1 0 0 17 1 0 0 0 0 0 93830654184720 93830654185984 93830814265344 140732180381203 140732180381213 140732180381213 140732180381673 0\n';

describe('parseStat', () => {
  const base = { cpuTicks: 0, threads: 1 };
  it.each([
    ['comm with spaces and a `)`', STAT_SMILEY, { ...base, rssPages: 414, comm: ':-) 1 2', state: 'S', ppid: 1, pgrp: 20086, sid: 11951, ttyNr: 0, tpgid: -1, startTicks: 42573 }],
    ['comm with a colon and a space', STAT_TMUX, { ...base, rssPages: 910, comm: 'tmux: server', state: 'S', ppid: 1, pgrp: 20103, sid: 20103, ttyNr: 0, tpgid: -1, startTicks: 42594 }],
    ['comm that looks like stat fields', STAT_FAKE_FIELDS, { ...base, rssPages: 402, comm: 'x) R 7 7 7 7', state: 'S', ppid: 1, pgrp: 8245, sid: 11951, ttyNr: 0, tpgid: -1, startTicks: 63293 }],
    ['comm with a newline', STAT_NEWLINE, { ...base, rssPages: 412, comm: 'nl\n) Z 9', state: 'S', ppid: 1, pgrp: 8245, sid: 11951, ttyNr: 0, tpgid: -1, startTicks: 63293 }],
    ['comm set by a retitling program', STAT_PERL_TITLE, { ...base, rssPages: 1234, comm: 'sshd: alice@pts', state: 'S', ppid: 1, pgrp: 21582, sid: 11951, ttyNr: 0, tpgid: -1, startTicks: 45320 }],
    ['tty pts/0, foreground group', STAT_PANE, { ...base, rssPages: 420, comm: 'sleep', state: 'S', ppid: 20103, pgrp: 20104, sid: 20104, ttyNr: 34816, tpgid: 20104, startTicks: 42595 }],
    ['utime + stime', STAT_PTS_301, { ...base, rssPages: 3349, comm: 'python3', state: 'R', ppid: 20528, pgrp: 20572, sid: 20572, ttyNr: 1083437, tpgid: 20572, cpuTicks: 2, startTicks: 43571 }],
    ['sshd connection process', STAT_SSHD_ROOT, { ...base, rssPages: 2449, comm: 'sshd', state: 'S', ppid: 20955, pgrp: 21227, sid: 21227, ttyNr: 0, tpgid: -1, startTicks: 44759 }],
    ['shell command of an ssh session', STAT_SSH_CHILD, { ...base, rssPages: 344, comm: 'sleep', state: 'S', ppid: 21227, pgrp: 21235, sid: 21235, ttyNr: 34821, tpgid: 21235, startTicks: 44780 }],
  ])('%s', (_name, text, want) => {
    expect(parseStat(text)).toEqual(want);
  });

  it.each([
    ['empty', ''],
    ['no parentheses', '123 sleep S 1 2 3'],
    ['truncated after comm', '20090 (:-) 1 2) S 1 20086'],
    ['non-numeric ppid', STAT_PANE.replace(' 20103 20104 20104 ', ' x 20104 20104 ')],
    ['two-letter state', STAT_PANE.replace(') S ', ') SS ')],
    ['non-numeric thread count', STAT_PANE.replace(' 20 0 1 0 42595 ', ' 20 0 x 0 42595 ')],
  ])('rejects %s', (_name, text) => {
    expect(parseStat(text)).toBeUndefined();
  });
});

// ---- tty_nr ---------------------------------------------------------------------------------

describe('ttyName', () => {
  it.each([
    // tty_nr fields of the captured stat lines above; /dev/pts/N named by the kernel
    [34816, 'pts/0'],
    [34821, 'pts/5'],
    [1083437, 'pts/301'], // minor 301 >= 256: its high bits sit at bit 20 and up
    // computed: new_encode_dev(MKDEV(major, minor)) = (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12)
    [(137 << 8) | 4, 'pts/260'], // legacy majors 137..143 hold ptys 256..2047
    [(143 << 8) | 255, 'pts/2047'],
    [(136 << 8) | 0xff | (0x7ff00 << 12), `pts/${0x7ffff}`], // the largest minor that keeps tty_nr positive
    [(4 << 8) | 1, 'tty1'],
    [(4 << 8) | 64, 'ttyS0'],
  ])('%i → %s', (nr, name) => {
    expect(ttyName(nr)).toBe(name);
  });

  it('reads the minors whose top bit makes the signed tty_nr negative', () => {
    // the kernel prints tty_nr as a signed int: pts/524288 (MKDEV(136, 1 << 19)) comes out negative
    const nr = ((136 << 8) | ((524288 & ~0xff) << 12)) | 0;
    expect(nr).toBeLessThan(0);
    expect(ttyName(nr)).toBe('pts/524288');
  });

  it.each([[0], [(5 << 8) | 1], [1.5], [Number.NaN], [2 ** 40]])('%s has no tty name', (nr) => {
    expect(ttyName(nr)).toBeNull();
  });
});

// ---- cmdline ----------------------------------------------------------------------------------

// OpenSSH 9.2p1 listener: the title outgrew the original argv and runs on into the environ area
const CMDLINE_LISTENER = 'sshd: /usr/sbin/sshd -f /tmp/capsshd.xvnn/sshd_config -E /tmp/capsshd.xvnn/log [listener] 0 of 10-100 startups\0';
// OpenSSH 9.2p1 per-connection process: the shorter title is padded with NULs to the old argv length
const CMDLINE_NUL_PADDED = 'sshd: root@pts/5' + '\0'.repeat(60);
// a C program retitled the sendmail way (SPT_PADCHAR ' '; OpenSSH's own compat code pads with NULs): argv area filled with spaces, one final NUL
const CMDLINE_SPACE_PADDED = 'sshd: alice@pts/3,pts/7' + ' '.repeat(30) + '\0';

describe('parseCmdline', () => {
  it.each([
    ['NUL-separated argv', 'sleep\0' + '120\0', ['sleep', '120']],
    ['a title with spaces stays one element', CMDLINE_LISTENER, ['sshd: /usr/sbin/sshd -f /tmp/capsshd.xvnn/sshd_config -E /tmp/capsshd.xvnn/log [listener] 0 of 10-100 startups']],
    ['trailing NUL padding', CMDLINE_NUL_PADDED, ['sshd: root@pts/5']],
    ['trailing space padding', CMDLINE_SPACE_PADDED, ['sshd: alice@pts/3,pts/7']],
    ['spaces inside an argument are kept', '/tmp/:-) 1 2\x00300\x00', ['/tmp/:-) 1 2', '300']],
    ['empty (kernel thread, zombie)', '', []],
    ['only padding', '\0\0  \0', []],
  ])('%s', (_name, raw, want) => {
    expect(parseCmdline(raw)).toEqual(want);
  });

  it('trims a huge padding run in linear time (any local user controls argv)', () => {
    // 1 MiB of NUL/space argv followed by one more argument: a backtracking trim needs ~10^12 steps
    const run = (' '.repeat(131071) + '\0').repeat(8);
    const raw = 'x\0' + run + 'y\0';
    const t0 = performance.now();
    const argv = parseCmdline(raw);
    const ms = performance.now() - t0;
    expect(argv.length).toBe(10);
    expect(argv[9]).toBe('y');
    // generous bound: linear work is ~1 ms, the quadratic trim took minutes
    expect(ms).toBeLessThan(1000);
  });
});

// ---- status, /proc/stat, fd links, passwd, environ -------------------------------------------

// /proc/<pid>/status of an OpenSSH 9.2p1 per-connection process, first lines
const STATUS_SSHD = 'Name:\tsshd\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t6319\nNgid:\t0\nPid:\t6319\nPPid:\t20955\nTracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n';

describe('parseStatusUid', () => {
  it.each([
    ['root', STATUS_SSHD, 0],
    ['real uid, not effective (setuid program)', STATUS_SSHD.replace('Uid:\t0\t0\t0\t0', 'Uid:\t1000\t0\t0\t0'), 1000],
    ['nobody', STATUS_SSHD.replace('Uid:\t0\t0\t0\t0', 'Uid:\t65534\t65534\t65534\t65534'), 65534],
  ])('%s', (_name, text, uid) => {
    expect(parseStatusUid(text)).toBe(uid);
  });
  it.each([[''], ['Name:\tsshd\n'], ['XUid:\t5\t5\t5\t5\n'], ['Uid:\tx\n']])('no uid in %j', (text) => {
    expect(parseStatusUid(text)).toBeUndefined();
  });
});

// /proc/stat of this machine (cpu lines shortened)
const PROC_STAT = 'cpu  3525 0 2861 1043906 205 0 171 0 0 0\nintr 1091234 0 9\nctxt 2236011\nbtime 1795554950\nprocesses 23514\nprocs_running 2\n';

describe('parseUptime', () => {
  it('reads seconds since boot', () => expect(parseUptime('3265.43 6210.82\n')).toBe(3265.43));
  it.each([[''], ['x 1\n'], ['-1.00 2\n'], ['12.5e3 1\n'], ['5']])('none in %j', (text) => expect(parseUptime(text)).toBeUndefined());
});

describe('parseBtime', () => {
  it('reads the btime line', () => expect(parseBtime(PROC_STAT)).toBe(1795554950));
  it.each([[''], ['cpu 1 2 3\n'], ['xbtime 5\n'], ['btime\n']])('none in %j', (text) => expect(parseBtime(text)).toBeUndefined());
});

describe('parseSocketLink', () => {
  // `ls -l /proc/21227/fd`: 4 -> socket:[61460], plus the other kinds of link targets found there
  it.each([
    ['socket:[61460]', 61460],
    ['socket:[61250]', 61250],
    ['/dev/pts/5', undefined],
    ['pipe:[61470]', undefined],
    ['anon_inode:[eventpoll]', undefined],
    ['socket:[]', undefined],
    ['socket:[12]x', undefined],
  ])('%s', (target, inode) => {
    expect(parseSocketLink(target)).toBe(inode);
  });
});

// first and last lines of this machine's /etc/passwd
const PASSWD = `root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
sync:x:4:65534:sync:/bin:/bin/sync
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
sshtop-t2:x:1002:1002::/home/sshtop-t2:/bin/bash
`;

describe('parsePasswd', () => {
  it('maps uids to names', () => {
    expect([...parsePasswd(PASSWD)]).toEqual([
      [0, 'root'],
      [1, 'daemon'],
      [4, 'sync'],
      [65534, 'nobody'],
      [1002, 'sshtop-t2'],
    ]);
  });
  it('keeps the first name of a uid, skips comments and blank lines', () => {
    expect([...parsePasswd('#x:x:7:7\n\nroot:x:0:0::/:/bin/sh\ntoor:x:0:0::/:/bin/sh\n')]).toEqual([[0, 'root']]);
  });
  it('skips NIS compat lines and entries without a numeric uid', () => {
    // `+::::::` pulls in NIS; glibc skips a line whose uid field is empty or not a number
    expect([...parsePasswd('+::::::\n-bad::::::\nweird:x: :0::/:\nhex:x:0x10:0::/:\nroot:x:0:0::/:/bin/sh\n')]).toEqual([[0, 'root']]);
  });
});

// /proc/<pid>/environ of the command run by `ssh -tt root@127.0.0.1 -p 42722 'sleep 120'` (OpenSSH 9.2p1)
const ENVIRON_V4 =
  'SHELL=/bin/bash\0PWD=/root\0LOGNAME=root\0HOME=/root\0SSH_CONNECTION=127.0.0.1 54282 127.0.0.1 42722\0TERM=xterm\0USER=root\0SHLVL=0\0SSH_CLIENT=127.0.0.1 54282 42722\0MAIL=/var/mail/root\0SSH_TTY=/dev/pts/5\0_=/usr/bin/sleep\0';
// the same over ::1
const ENVIRON_V6 =
  'SHELL=/bin/bash\0PWD=/root\0LOGNAME=root\0HOME=/root\0SSH_CONNECTION=::1 53996 ::1 42722\0TERM=xterm\0USER=root\0SHLVL=0\0SSH_CLIENT=::1 53996 42722\0MAIL=/var/mail/root\0SSH_TTY=/dev/pts/6\0_=/usr/bin/sleep\0';
// a tmux pane's environ (`tmux -L captest`)
const ENVIRON_TMUX = 'SHELL=/bin/bash\0TERM_PROGRAM_VERSION=3.3a\0TMUX=/tmp/tmux-0/captest,20103,0\0PWD=/tmp\0TMUX_PANE=%0\0';

describe('environValue', () => {
  it.each([
    [ENVIRON_V4, 'SSH_CONNECTION', '127.0.0.1 54282 127.0.0.1 42722'],
    [ENVIRON_V4, 'SSH_TTY', '/dev/pts/5'],
    [ENVIRON_V4, 'SSH_CLIENT', '127.0.0.1 54282 42722'],
    [ENVIRON_V6, 'SSH_CONNECTION', '::1 53996 ::1 42722'],
    [ENVIRON_TMUX, 'TMUX', '/tmp/tmux-0/captest,20103,0'],
    [ENVIRON_TMUX, 'TMUX_PANE', '%0'],
    [ENVIRON_V4, 'SSH', undefined], // a prefix of a name is not the name
    [ENVIRON_V4, 'DISPLAY', undefined],
    ['', 'HOME', undefined],
    ['EMPTY=\0', 'EMPTY', ''],
    ['A=1=2\0', 'A', '1=2'],
  ])('%#: %s', (raw, name, value) => {
    expect(environValue(raw, name)).toBe(value);
  });
});

describe('tmuxServerPid', () => {
  it.each([
    ['/tmp/tmux-0/captest,20103,0', 20103],
    ['/tmp/tmux-1000/default,4242,3', 4242],
    ['/tmp/odd,name,with,commas,777,1', 777], // socket paths may contain commas: the pid is the second field from the end
    [undefined, undefined],
    ['', undefined],
    ['/tmp/tmux-0/default', undefined],
    ['/tmp/tmux-0/default,abc,0', undefined],
    ['/tmp/tmux-0/default,0,0', undefined],
    ['/tmp/tmux-0/default,-5,0', undefined],
  ])('%s', (tmux, pid) => {
    expect(tmuxServerPid(tmux)).toBe(pid);
  });
});

describe('parseSshConnection', () => {
  it.each([
    ['127.0.0.1 54282 127.0.0.1 42722', { remote: { address: '127.0.0.1', port: 54282 }, local: { address: '127.0.0.1', port: 42722 } }],
    ['::1 53996 ::1 42722', { remote: { address: '::1', port: 53996 }, local: { address: '::1', port: 42722 } }],
    ['127.0.0.1 54282 127.0.0.1 42722\n', { remote: { address: '127.0.0.1', port: 54282 }, local: { address: '127.0.0.1', port: 42722 } }],
  ])('%j', (value, want) => {
    expect(parseSshConnection(value)).toEqual(want);
  });
  it.each([[''], ['127.0.0.1 54282 42722'], ['a b c d'], ['1.2.3.4 70000 5.6.7.8 22'], ['1.2.3.4 -1 5.6.7.8 22'], ['1.2.3.4 1.5 5.6.7.8 22']])('rejects %j', (v) => {
    expect(parseSshConnection(v)).toBeUndefined();
  });
});

// ---- /proc/net/tcp and tcp6 -------------------------------------------------------------------

// /proc/net/tcp with the lab sshd (127.0.0.1:42722) holding one session, a listener on 0.0.0.0:2024
// and TIME_WAIT rows (inode 0, fewer columns) from a proxy connection; rows trimmed to a few
const NET_TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode                                                     
   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1151 1 00000000a86f8c38 100 0 0 10 0                      
   2: 0100007F:A6E2 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 60624 1 0000000032687b66 100 0 0 10 0                     
   4: 0100007F:A6E2 0100007F:D40A 01 00000000:00000000 02:000AF7BF 00000000     0        0 61460 2 00000000e3cb9f92 20 4 12 18 -1                    
   8: 020200C0:B386 507100CB:0050 06 00000000:00000000 03:000008FF 00000000     0        0 0 3 0000000095169886                                      
  25: 0100007F:D40A 0100007F:A6E2 01 00000000:00000000 02:000AF7BE 00000000     0        0 61459 2 000000006d4fb846 21 4 19 18 -1                    
`;
// python on this machine: a listener on 127.10.20.30 and a connection from it (asymmetric bytes show the order)
const NET_TCP_ASYM = `   3: 1E140A7F:CC13 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 63141 1 0000000015d495e2 100 0 0 10 0                     
  26: 1E140A7F:D8A7 0100007F:A6D1 01 00000000:00000000 00:00000000 00000000     0        0 63135 2 00000000b3aa9533 20 0 0 10 -1                     
`;
// /proc/net/tcp6: the lab sshd on [::1]:42722 with one session; a socket listening on `::` (v6only off) reached
// from 127.0.0.1 and from 127.10.20.30 (v4-mapped rows); a listener on [::1]
const NET_TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:D40F 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 61754 1 0000000057397710 100 0 0 10 0
   1: 00000000000000000000000001000000:A6E2 00000000000000000000000001000000:D2EC 01 00000000:00000000 02:000AF7BE 00000000     0        0 61240 2 000000000f45e549 20 4 12 18 -1
   2: 0000000000000000FFFF00000100007F:D40F 0000000000000000FFFF00000100007F:9E9E 01 00000000:00000000 00:00000000 00000000     0        0 61756 1 000000000673a83f 20 0 0 10 -1
   5: 0000000000000000FFFF00000100007F:A6D1 0000000000000000FFFF00001E140A7F:D8A7 01 00000000:00000000 00:00000000 00000000     0        0 63136 1 00000000fc787a8c 20 0 0 10 -1
   6: 00000000000000000000000001000000:8913 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 63143 1 0000000050321849 100 0 0 10 0
`;

describe('parseHexEndpoint', () => {
  it.each([
    ['0100007F:A6E2', '127.0.0.1', 42722],
    ['00000000:07E8', '0.0.0.0', 2024],
    ['1E140A7F:CC13', '127.10.20.30', 52243],
    ['507100CB:0050', '203.0.113.80', 80],
    ['00000000000000000000000001000000:A6E2', '::1', 42722],
    ['00000000000000000000000000000000:D40F', '::', 54287],
    ['0000000000000000FFFF00000100007F:9E9E', '127.0.0.1', 40606],
    ['0000000000000000FFFF00001E140A7F:D8A7', '127.10.20.30', 55463],
    // computed: 2001:db8::8a2e:370:7334 as the kernel prints it (each 32-bit word byte-swapped)
    ['B80D0120000000002E8A000034737003:0016', '2001:db8::8a2e:370:7334', 22],
    ['000080FE00000000FF000002FEDC01FE:FFFF', 'fe80::200:ff:fe01:dcfe', 65535],
    ['0100007f:0016', '127.0.0.1', 22], // lower-case hex is read too
  ])('%s', (field, address, port) => {
    expect(parseHexEndpoint(field)).toEqual({ address, port });
  });
  it.each([[''], ['0100007F'], ['0100007F:'], ['0100007F:12345'], ['100007F:0016'], ['0100007G:0016'], ['000000000000000000000000010000:0016']])('rejects %j', (f) => {
    expect(parseHexEndpoint(f)).toBeUndefined();
  });
});

describe('parseNetTcp', () => {
  it('reads every socket row and skips inode 0 (TIME_WAIT) and the header', () => {
    const socks = parseNetTcp(NET_TCP);
    expect(socks.map((s) => s.inode)).toEqual([1151, 60624, 61460, 61459]);
    // the session socket held by `sshd: root@pts/5` (its fd 4 -> socket:[61460]); SSH_CONNECTION says 127.0.0.1 54282
    expect(socks[2]).toEqual({
      inode: 61460,
      local: { address: '127.0.0.1', port: 42722 },
      remote: { address: '127.0.0.1', port: 54282 },
      state: 1,
      txQueue: 0,
      rxQueue: 0,
      timer: 2,
      timerJiffies: 0xaf7bf,
      retransmits: 0,
      uid: 0,
      probes: 0,
    });
    expect(socks[0]).toMatchObject({ local: { address: '0.0.0.0', port: 2024 }, remote: { address: '0.0.0.0', port: 0 }, state: 10, timer: 0 });
  });

  it('reads asymmetric IPv4 addresses in network order', () => {
    expect(parseNetTcp(NET_TCP_ASYM).map((s) => [s.inode, s.local, s.remote])).toEqual([
      [63141, { address: '127.10.20.30', port: 52243 }, { address: '0.0.0.0', port: 0 }],
      [63135, { address: '127.10.20.30', port: 55463 }, { address: '127.0.0.1', port: 42705 }],
    ]);
  });

  it('reads tcp6 rows, v4-mapped peers as IPv4', () => {
    expect(parseNetTcp(NET_TCP6).map((s) => [s.inode, s.state, `${s.local.address} ${s.local.port}`, `${s.remote.address} ${s.remote.port}`])).toEqual([
      [61754, 10, ':: 54287', ':: 0'],
      [61240, 1, '::1 42722', '::1 53996'], // SSH_CONNECTION of that session: `::1 53996 ::1 42722`
      [61756, 1, '127.0.0.1 54287', '127.0.0.1 40606'],
      [63136, 1, '127.0.0.1 42705', '127.10.20.30 55463'],
      [63143, 10, '::1 35091', ':: 0'],
    ]);
  });

  it('reads a garbled counter column as 0, never NaN or negative', () => {
    const row = '   7: 0100007F:A6E2 0100007F:D40A 01 0000051E:zz 01:0000002A 00000003    -1     1e99 77777 2';
    expect(parseNetTcp(row)[0]).toMatchObject({ inode: 77777, txQueue: 0x51e, rxQueue: 0, uid: 0, probes: 0 });
  });

  it('reads queue, retransmit and probe columns', () => {
    // computed row in the kernel's format: 0x51e bytes unacked, retransmit timer, 3 retransmits, 2 probes, uid 1000
    const row = '   7: 0100007F:A6E2 0100007F:D40A 01 0000051E:00000010 01:0000002A 00000003  1000        2 77777 2 0000000000000000 20 4 12 18 -1';
    expect(parseNetTcp(row)).toEqual([
      {
        inode: 77777,
        local: { address: '127.0.0.1', port: 42722 },
        remote: { address: '127.0.0.1', port: 54282 },
        state: 1,
        txQueue: 0x51e,
        rxQueue: 0x10,
        timer: 1,
        timerJiffies: 0x2a,
        retransmits: 3,
        uid: 1000,
        probes: 2,
      },
    ]);
  });

  it.each([
    [''],
    ['\n\n'],
    ['   0: garbage'],
    ['   0: 0100007F:A6E2 0100007F:D40A 01 00000000:00000000 02:000AF7BF 00000000 0 0 -5 2'],
    ['   0: 0100007F:A6E2 0100007F:D40A ZZ 00000000:00000000 02:000AF7BF 00000000 0 0 61460 2'],
    ['   0: 0100007F:A6E2 0100007F:D40A 01 00000000:00000000 02:000AF7BF 00000000 0 0 1e5 2'],
  ])('yields nothing for %j', (t) => {
    expect(parseNetTcp(t)).toEqual([]);
  });
});

// ---- ss -tinHe -----------------------------------------------------------------------------------

// `ss -tinHe state established '( sport = :42722 )'` against the lab sshd (one IPv4, one IPv6 session)
const SS_TWO = `0      0      127.0.0.1:42722 127.0.0.1:54282 timer:(keepalive,119min,0) ino:61460 sk:102f cgroup:/ <->
\t ts sack bbr wscale:10,10 rto:208 rtt:5.843/10.786 ato:40 mss:42496 pmtu:65535 rcvmss:1560 advmss:65483 cwnd:18 bytes_sent:3505 bytes_acked:3505 bytes_received:3713 segs_out:16 segs_in:17 data_segs_out:10 data_segs_in:11 bbr:(bw:28330659912bps,mrtt:0.012,pacing_gain:2.88672,cwnd_gain:2.88672) send 1047308574bps lastsnd:27196 lastrcv:27196 lastack:27196 pacing_rate 416204775192bps delivery_rate 28330666664bps delivered:11 app_limited busy:80ms rcv_space:65483 rcv_ssthresh:84361 minrtt:0.012 snd_wnd:84992
0      0          [::1]:42722     [::1]:53996 timer:(keepalive,119min,0) ino:61240 sk:1030 cgroup:/ <->
\t ts sack bbr wscale:10,10 rto:208 rtt:6.02/10.971 ato:40 mss:42496 pmtu:65536 rcvmss:1560 advmss:65464 cwnd:18 bytes_sent:3505 bytes_acked:3505 bytes_received:3713 segs_out:14 segs_in:18 data_segs_out:10 data_segs_in:11 bbr:(bw:15453076168bps,mrtt:0.022,pacing_gain:2.88672,cwnd_gain:2.88672) send 1016515615bps lastsnd:27180 lastrcv:27180 lastack:27180 pacing_rate 88137481800bps delivery_rate 15453090904bps delivered:11 app_limited busy:96ms rcv_space:65464 rcv_ssthresh:84361 minrtt:0.022 snd_wnd:84992 `;

describe('parseSs', () => {
  it('keys IPv4 and IPv6 sockets by the inodes /proc/net/tcp{,6} show for them', () => {
    const list = parseSs(SS_TWO);
    expect(list.map((s) => [s.inode, s.local, s.peer])).toEqual([
      [61460, '127.0.0.1:42722', '127.0.0.1:54282'],
      [61240, '[::1]:42722', '[::1]:53996'],
    ]);
    expect(list[1]).toEqual({
      inode: 61240,
      local: '[::1]:42722',
      peer: '[::1]:53996',
      sendQ: 0,
      recvQ: 0,
      rttMs: 6.02,
      rttVarMs: 10.971,
      rtoMs: 208,
      // no backoff: field in ss's output: the RTO was never doubled
      backoff: 0,
      lastSndMs: 27180,
      lastRcvMs: 27180,
      lastAckMs: 27180,
      bytesSent: 3505,
      bytesAcked: 3505,
      bytesReceived: 3713,
      retransCurrent: null,
      retransTotal: null,
      timer: 'keepalive,119min,0',
    });
  });
});

// ---- sshd configuration --------------------------------------------------------------------------

// `sshd -T -f <lab config>` (OpenSSH 9.2p1), the lines sshtop uses, in the order sshd prints them
const SSHD_T = `port 42722
listenaddress 127.0.0.1:42722
listenaddress [::1]:42722
logingracetime 120
maxsessions 10
clientaliveinterval 0
clientalivecountmax 3
permitrootlogin yes
tcpkeepalive yes
authorizedkeysfile /tmp/capsshd.xvnn/authorized_keys
maxstartups 10:30:100
subsystem sftp /usr/lib/openssh/sftp-server
`;

describe('parseSshdT', () => {
  it('reads keyword → value, the first of repeated keywords', () => {
    const v = parseSshdT(SSHD_T);
    expect(v.get('maxstartups')).toBe('10:30:100');
    expect(v.get('logingracetime')).toBe('120');
    expect(v.get('clientalivecountmax')).toBe('3');
    expect(v.get('listenaddress')).toBe('127.0.0.1:42722');
    expect(v.get('subsystem')).toBe('sftp /usr/lib/openssh/sftp-server');
    expect(v.size).toBe(11);
  });
  it('treats keywords case-insensitively, first one winning', () => {
    expect([...parseSshdT('Port 1\nPORT 2\nport 3\n')]).toEqual([['port', '1']]);
  });
});

// Debian 12's /etc/ssh/sshd_config with comments removed
const DEBIAN_CONFIG = `Include /etc/ssh/sshd_config.d/*.conf
KbdInteractiveAuthentication no
UsePAM yes
X11Forwarding yes
PrintMotd no
AcceptEnv LANG LC_*
Subsystem\tsftp\t/usr/lib/openssh/sftp-server
`;

describe('parseSshdConfigLines', () => {
  it('reads a stock config, lower-casing keywords', () => {
    expect(parseSshdConfigLines(DEBIAN_CONFIG)).toEqual({
      lines: [
        { key: 'include', value: '/etc/ssh/sshd_config.d/*.conf' },
        { key: 'kbdinteractiveauthentication', value: 'no' },
        { key: 'usepam', value: 'yes' },
        { key: 'x11forwarding', value: 'yes' },
        { key: 'printmotd', value: 'no' },
        { key: 'acceptenv', value: 'LANG LC_*' },
        { key: 'subsystem', value: 'sftp\t/usr/lib/openssh/sftp-server' },
      ],
      sawMatch: false,
    });
  });
  it('stops at Match: what follows applies only to some connections', () => {
    const text = '# comment\nClientAliveInterval 30\nMatch User alice\n  ClientAliveInterval 5\nLoginGraceTime 9\n';
    expect(parseSshdConfigLines(text)).toEqual({ lines: [{ key: 'clientaliveinterval', value: '30' }], sawMatch: true });
    expect(parseSshdConfigLines('match all\nPort 1\n').sawMatch).toBe(true);
  });
  it.each([
    ['MaxStartups=7:40:9', 'maxstartups', '7:40:9'],
    ['ClientAliveInterval = 2m', 'clientaliveinterval', '2m'],
    ['ClientAliveInterval= 2m', 'clientaliveinterval', '2m'],
    ['  LoginGraceTime\t\t1h30m  ', 'logingracetime', '1h30m'],
    ['Banner "/etc/issue net"', 'banner', '/etc/issue net'],
  ])('%j', (line, key, value) => {
    expect(parseSshdConfigLines(line).lines).toEqual([{ key, value }]);
  });
});

describe('parseSshdTime', () => {
  // each value checked against `sshd -T` (OpenSSH 9.2p1) with `LoginGraceTime <value>` in the config
  it.each([
    ['120', 120],
    ['1h30m', 5400],
    ['1h30', 3630], // a bare number after units counts as seconds (misc.c convtime)
    ['90S', 90],
    ['1W', 604800],
    ['2m', 120],
    ['1d', 86400],
    ['0', 0],
  ])('%s → %i s', (text, seconds) => {
    expect(parseSshdTime(text)).toBe(seconds);
  });
  it.each([[''], ['x'], ['1y'], ['1h 30m'], ['-5'], ['m'], ['1.5h']])('rejects %j', (text) => {
    expect(parseSshdTime(text)).toBeUndefined();
  });
});

describe('parseMaxStartups', () => {
  it.each([
    ['10:30:100', { start: 10, rate: 30, full: 100 }],
    ['5:50:20', { start: 5, rate: 50, full: 20 }],
    // `MaxStartups 10`: no random early drop, refuse every new unauthenticated connection beyond 10
    ['10', { start: 10, rate: 100, full: 10 }],
  ])('%s', (text, want) => {
    expect(parseMaxStartups(text)).toEqual(want);
  });
  it.each([[''], ['a:b:c'], ['10:-1:20'], ['1.5']])('rejects %j', (text) => {
    expect(parseMaxStartups(text)).toBeUndefined();
  });
});

describe('configFileOf', () => {
  it.each([
    ['sshd: /usr/sbin/sshd -f /tmp/capsshd.xvnn/sshd_config -E /tmp/capsshd.xvnn/log [listener] 0 of 10-100 startups', '/tmp/capsshd.xvnn/sshd_config'],
    ['/usr/sbin/sshd -D -f/etc/ssh/alt_config', '/etc/ssh/alt_config'],
    ['sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups', undefined],
    ['sshd: /usr/sbin/sshd -D [listener] -f /not/this 0 of 10-100 startups', undefined],
    ['/usr/sbin/sshd -D -o X=-f', undefined],
  ])('%s', (cmd, file) => {
    expect(configFileOf(cmd)).toBe(file);
  });
});

describe('readConfigFiles (sshd_config with Include)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sshtop-sshdconf-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('expands Include in place, first value wins, a Match inside an included file ends only that file', () => {
    // the same layout fed to `sshd -T -f main.conf` (OpenSSH 9.2p1) printed:
    //   logingracetime 33, clientaliveinterval 5, clientalivecountmax 7
    mkdirSync(join(dir, 'inc.d'));
    writeFileSync(join(dir, 'inc.d', '10-a.conf'), 'ClientAliveCountMax 7\nMatch User nobodyx\n  ClientAliveInterval 99\n');
    writeFileSync(join(dir, 'inc.d', '20-b.conf'), 'ClientAliveCountMax 9\nLoginGraceTime 33\n');
    writeFileSync(join(dir, 'inc.d', 'ignored.txt'), 'LoginGraceTime 1\n');
    writeFileSync(join(dir, 'main.conf'), `Port 42723\nInclude ${dir}/inc.d/*.conf\nClientAliveInterval 5\nLoginGraceTime 44\nMatch Address 10.0.0.0/8\n  ClientAliveInterval 1\n`);
    const v = readConfigFiles(join(dir, 'main.conf'));
    expect(v?.get('logingracetime')).toBe('33');
    expect(v?.get('clientaliveinterval')).toBe('5');
    expect(v?.get('clientalivecountmax')).toBe('7');
    expect(v?.get('port')).toBe('42723');
    expect(v?.has('include')).toBe(false);
    expect(v?.has('match')).toBe(false);
  });

  it('includes a plain file, and survives a missing one and an Include loop', () => {
    writeFileSync(join(dir, 'one.conf'), 'MaxStartups=3:50:9\n');
    writeFileSync(join(dir, 'loop.conf'), `Include ${dir}/loop.conf\nTCPKeepAlive no\n`);
    writeFileSync(join(dir, 'top.conf'), `Include ${dir}/nope.conf ${dir}/one.conf\nInclude ${dir}/loop.conf\n`);
    const v = readConfigFiles(join(dir, 'top.conf'));
    expect(v?.get('maxstartups')).toBe('3:50:9');
    expect(v?.get('tcpkeepalive')).toBe('no');
  });

  it('is null for an unreadable config', () => {
    expect(readConfigFiles(join(dir, 'missing.conf'))).toBeNull();
  });
});

// ---- command-line durations ------------------------------------------------------------------

describe('parseDuration', () => {
  it.each([
    ['90s', 90],
    ['30m', 1800],
    ['2h', 7200],
    ['1d', 86400],
    ['0.5', 0.5],
    ['15', 15],
    [' 10m ', 600],
    ['1.5h', 5400],
  ])('%s', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });
  it.each([[''], ['m'], ['-5'], ['5w'], ['1h30m'], ['.5'], ['5 m'], ['1e3'], ['9'.repeat(400)]])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
