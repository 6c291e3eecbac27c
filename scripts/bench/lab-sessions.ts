// Real SSH sessions for the benchmark: a mix of tty, exec and forward-only connections on the
// lab's own sshd, opened a few at a time (MaxStartups drops unauthenticated excess at random).
import { LAB_USERS, startLab, type Client, type Lab } from '../../test/support/lab.js';

export interface SessionMix {
  tty: number;
  exec: number;
  forward: number;
}

/** 50 sessions: mostly interactive, some remote commands, some `-N` forwards */
export const DEFAULT_MIX: SessionMix = { tty: 30, exec: 10, forward: 10 };

const BATCH = 8;

export async function openSessions(lab: Lab, mix: SessionMix = DEFAULT_MIX): Promise<Client[]> {
  const jobs: (() => Promise<Client>)[] = [];
  let n = 0;
  const user = () => LAB_USERS[n++ % LAB_USERS.length] as string;
  for (let i = 0; i < mix.tty; i++) {
    const u = user();
    jobs.push(() => lab.openTty(u));
  }
  for (let i = 0; i < mix.exec; i++) {
    const u = user();
    jobs.push(() => lab.openExec(u, 'sleep 100000'));
  }
  for (let i = 0; i < mix.forward; i++) {
    const u = user();
    jobs.push(() => lab.openForward(u));
  }
  const out: Client[] = [];
  for (let i = 0; i < jobs.length; i += BATCH) out.push(...(await Promise.all(jobs.slice(i, i + BATCH).map((j) => j()))));
  return out;
}

/** a lab with its sessions; the caller stops it */
export async function startSessionLab(mix: SessionMix = DEFAULT_MIX): Promise<{ lab: Lab; clients: Client[] }> {
  const lab = await startLab();
  try {
    return { lab, clients: await openSessions(lab, mix) };
  } catch (e) {
    await lab.stop();
    throw e;
  }
}
