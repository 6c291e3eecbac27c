// What a polling run remembers of the SSH logins it saw, so that what a login leaves running can
// be told by where it came from after the login is gone (model/loose.ts): every process seen in a
// session (the only tie where no login identity is set: UsePAM no), every login by its identity,
// and when each login was first seen gone. Forgotten once nothing of a login runs any more.
import { loginKey } from '../model/loose.js';
import type { LoginHistory, LoginOrigin, Model } from '../model/types.js';

export class LoginMemory {
  /** by session identity (`pid:startTicks`) */
  private live = new Map<string, LoginOrigin>();
  private readonly processes = new Map<string, LoginOrigin>();
  private readonly logins = new Map<string, LoginOrigin>();

  /** what the next model is built with */
  history(): LoginHistory {
    return { processes: this.processes, logins: this.logins };
  }

  /** learn from a model (built from the full snapshot, before any filter) */
  update(model: Model): void {
    const next = new Map<string, LoginOrigin>();
    const running = new Set<string>();
    for (const s of model.sessions) {
      for (const p of s.processes) running.add(`${p.pid}:${p.startTicks}`);
      // only real SSH sessions are logins to remember: not what is already left over, not an impostor
      if (s.kind !== undefined || s.partial || s.flags.includes('untrusted') || s.flags.includes('preauth')) continue;
      const id = `${s.pid}:${s.startTicks}`;
      const known = this.live.get(id);
      const origin: LoginOrigin = known ?? { sessionPid: s.pid, startTicks: s.startTicks, user: s.user, remote: s.remote, local: s.local, ttys: [...s.ttys], loginAt: s.startedAt, endedAt: null };
      // facts can arrive late (the user once authenticated, the socket once visible): keep the best
      if (known) {
        known.user ??= s.user;
        known.remote ??= s.remote;
        known.local ??= s.local;
        for (const t of s.ttys) if (!known.ttys.includes(t)) known.ttys.push(t);
      }
      next.set(id, origin);
      for (const p of s.processes) this.processes.set(`${p.pid}:${p.startTicks}`, origin);
      const key = loginKey(s.loginId);
      if (key !== null) this.logins.set(key, origin);
    }
    for (const [id, origin] of this.live) if (!next.has(id)) origin.endedAt ??= model.takenAt;
    this.live = next;
    for (const k of this.processes.keys()) if (!running.has(k)) this.processes.delete(k);
    const referenced = new Set([...this.processes.values(), ...next.values()]);
    for (const [k, origin] of this.logins) if (!referenced.has(origin)) this.logins.delete(k);
  }
}
