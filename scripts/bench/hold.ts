// Keep the benchmark's world up for profiling by hand: the lab with its 50 sessions and, with an
// argument, that many idle processes. Prints the pids; Enter or Ctrl+C tears everything down by pid.
//   npx tsx scripts/bench/hold.ts 5000
import { ensurePidRoom, startIdle } from './idle-procs.js';
import { startSessionLab } from './lab-sessions.js';

const idle = Number(process.argv[2] ?? 0);
const { lab, clients } = await startSessionLab();
const room = idle > 0 ? ensurePidRoom(idle) : undefined;
const group = idle > 0 ? await startIdle(idle) : undefined;
console.log(`lab sshd ${lab.sshdPid} port ${lab.port}, ${clients.length} sessions, idle parent ${group?.pid ?? '-'} (${group?.count ?? 0})`);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await group?.stop();
  room?.restore();
  await lab.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.stdin.on('data', stop);
process.stdin.on('end', stop);
