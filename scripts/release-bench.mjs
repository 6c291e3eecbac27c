#!/usr/bin/env node
// `npm run release:bench [runs]`: start-up of the shipped forms side by side, interleaved (one run
// of each in turn, so load from elsewhere hits all alike), against ps -eo, w and a ps-list call.
// Per command: median and min wall time of --json and --once, CPU (user+sys, from the children's
// times) per run, and the TUI's first frame (time until the footer shows, in a pty made by
// script(1)). Candidates: node bin/sshtop, the release executable when built, and any
// SSHTOP_BENCH_EXTRA="name=/path/to/sshtop;name2=/path/…".
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, executablePath } from './release.mjs';

const runs = Number(process.argv[2] ?? 15);
const candidates = [['node bin/sshtop', [process.execPath, join(ROOT, 'bin/sshtop')]]];
if (existsSync(executablePath('x64'))) candidates.push(['release executable', [executablePath('x64')]]);
for (const part of (process.env.SSHTOP_BENCH_EXTRA ?? '').split(';').filter(Boolean)) {
  const [name, path] = part.split('=');
  candidates.push([name, [path]]);
}
const psList = join(ROOT, 'node_modules/ps-list/index.js');
const refs = [
  ['ps -eo (reference)', ['ps', '-eo', 'pid,ppid,user,tty,etime,args']],
  ['w (reference)', ['w']],
  ['ps-list (reference)', [process.execPath, '-e', `import(${JSON.stringify(psList)}).then((m) => m.default())`]],
];

const ticks = () => {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(f[14]) + Number(f[15])) * 10; // cutime + cstime, ms at USER_HZ 100
};

function time(cmd) {
  const c0 = ticks();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd[0], cmd.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { wall, cpu: ticks() - c0 };
}

/** ms from spawn until the TUI's footer is on the pty */
function firstFrame(cmd) {
  return new Promise((resolve, reject) => {
    const line = `stty cols 160 rows 40; exec ${cmd.map((a) => `'${a}'`).join(' ')}`;
    const t0 = process.hrtime.bigint();
    const p = spawn('script', ['-qfec', line, '/dev/null'], { stdio: ['pipe', 'pipe', 'ignore'], detached: true, env: { ...process.env, TERM: 'xterm-256color', CI: '' } });
    let out = '';
    const timer = setTimeout(() => done(new Error(`no frame from ${cmd.join(' ')} in 10 s`)), 10_000);
    function done(err, ms) {
      clearTimeout(timer);
      try {
        process.kill(-p.pid, 'SIGTERM');
      } catch {}
      if (err) reject(err);
      else resolve(ms);
    }
    p.stdout.on('data', (d) => {
      out += d;
      if (/q quit/.test(out.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, ''))) done(undefined, Number(process.hrtime.bigint() - t0) / 1e6);
    });
  });
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0] };
};

const results = new Map();
const add = (k, v) => results.set(k, [...(results.get(k) ?? []), v]);
for (let i = 0; i < runs; i++) {
  for (const [name, cmd] of candidates) {
    for (const mode of ['--json', '--once']) {
      const t = time([...cmd, mode]);
      add(`${name} ${mode}|wall`, t.wall);
      add(`${name} ${mode}|cpu`, t.cpu);
    }
  }
  for (const [name, cmd] of refs) {
    const t = time(cmd);
    add(`${name}|wall`, t.wall);
    add(`${name}|cpu`, t.cpu);
  }
}
const frames = new Map();
for (let i = 0; i < Math.min(runs, 7); i++) for (const [name, cmd] of candidates) frames.set(name, [...(frames.get(name) ?? []), await firstFrame(cmd)]);

const procs = spawnSync('sh', ['-c', 'ls -d /proc/[0-9]* | wc -l'], { encoding: 'utf8' }).stdout.trim();
const ps = stats(results.get('ps -eo (reference)|wall')).median;
console.log(`${procs} processes, ${runs} runs each, interleaved; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
console.log('command'.padEnd(36), 'wall median'.padStart(12), 'wall min'.padStart(9), 'cpu/run'.padStart(8), 'x ps -eo'.padStart(9));
const keys = [...new Set([...results.keys()].map((k) => k.split('|')[0]))];
for (const k of keys) {
  const w = stats(results.get(`${k}|wall`));
  const cpu = results.get(`${k}|cpu`).reduce((a, b) => a + b, 0) / runs;
  console.log(k.padEnd(36), `${w.median.toFixed(0)} ms`.padStart(12), `${w.min.toFixed(0)} ms`.padStart(9), `${cpu.toFixed(0)} ms`.padStart(8), (w.median / ps).toFixed(2).padStart(9));
}
for (const [name, xs] of frames) {
  const f = stats(xs);
  console.log(`${name} TUI first frame`.padEnd(36), `${f.median.toFixed(0)} ms`.padStart(12), `${f.min.toFixed(0)} ms`.padStart(9));
}
