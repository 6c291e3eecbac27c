import { describe, expect, it } from 'vitest';
import { parseSs } from '../../src/proc/parse-ss.js';

// captured from `ss -tinHe state established` on this project's lab sshd (Linux 6.18, iproute2 6.1)
const HEALTHY = `0      0      127.0.0.1:22022 127.0.0.1:33070 timer:(keepalive,118min,0) ino:8989 sk:4 cgroup:/ <->
\t ts sack bbr wscale:10,10 rto:212 rtt:9.277/14.973 ato:40 mss:42496 pmtu:65535 rcvmss:1560 advmss:65483 cwnd:18 bytes_sent:4521 bytes_acked:4521 bytes_received:3609 segs_out:26 segs_in:24 data_segs_out:20 data_segs_in:10 send 659633933bps lastsnd:101496 lastrcv:102268 lastack:101452 pacing_rate 267560190296bps delivered:21 app_limited busy:148ms rcv_space:65483 rcv_ssthresh:84361 minrtt:0.007 snd_wnd:84992 `;
// the same daemon while an iptables rule dropped the server's packets to the client
const DEAD = `0      1292   127.0.0.1:22022 127.0.0.1:54814 timer:(persist,2.696ms,4) ino:15485 sk:b cgroup:/ <->
\t ts sack bbr wscale:10,10 rto:208 backoff:4 rtt:5.115/9.198 ato:40 mss:42496 pmtu:65535 rcvmss:1560 advmss:65483 cwnd:18 bytes_sent:18873 bytes_acked:3913 bytes_received:3609 segs_out:43 segs_in:23 data_segs_out:40 data_segs_in:11 send 1196368328bps lastsnd:104 lastrcv:5336 lastack:4064 pacing_rate 374584320000bps delivered:18 app_limited busy:4000ms rcv_space:65483 rcv_ssthresh:84361 notsent:1292 minrtt:0.017 snd_wnd:84992`;

describe('parseSs', () => {
  it('reads TCP_INFO figures from the continuation line, keyed by inode', () => {
    const [s] = parseSs(HEALTHY);
    expect(s).toMatchObject({
      inode: 8989,
      local: '127.0.0.1:22022',
      peer: '127.0.0.1:33070',
      sendQ: 0,
      rttMs: 9.277,
      rtoMs: 212,
      lastSndMs: 101496,
      lastRcvMs: 102268,
      lastAckMs: 101452,
      bytesSent: 4521,
      bytesReceived: 3609,
      timer: 'keepalive,118min,0',
      retransTotal: null,
    });
  });

  it('keeps several sockets apart and accepts a leading state column', () => {
    const list = parseSs(`ESTAB ${HEALTHY}\n${DEAD}\n`);
    expect(list.map((s) => s.inode)).toEqual([8989, 15485]);
    expect(list[1]).toMatchObject({ sendQ: 1292, lastAckMs: 4064, timer: 'persist,2.696ms,4' });
  });

  it('reads the RTO backoff and the RTT variance (the timeout model needs both), 0 backoff when ss prints none', () => {
    const [healthy, dead] = parseSs(`${HEALTHY}\n${DEAD}\n`);
    expect(dead).toMatchObject({ rtoMs: 208, backoff: 4, rttMs: 5.115, rttVarMs: 9.198 });
    expect(healthy).toMatchObject({ backoff: 0, rttVarMs: 14.973 });
    expect(parseSs('0 0 a:1 b:2 ino:9 <->\n\t rtt:x/ rto:204')[0]).toMatchObject({ backoff: 0, rttVarMs: null });
  });

  it('reads retrans current/total', () => {
    const [s] = parseSs('0 10 [::1]:22 [::1]:5000 ino:7 <->\n\t rto:400 retrans:2/9 lastack:9000');
    expect(s).toMatchObject({ local: '[::1]:22', retransCurrent: 2, retransTotal: 9, lastAckMs: 9000 });
  });

  it('drops rows without an inode and survives garbage', () => {
    expect(parseSs('0 0 1.2.3.4:1 5.6.7.8:2 <->\n')).toEqual([]);
    expect(parseSs('\u0000\n\t\t\nino:x')).toEqual([]);
  });
});
