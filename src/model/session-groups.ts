// How the screen and --once group sessions: under their listener (every listener, even with none),
// then those whose listener /proc hides (partial), mosh, what ended logins left, and those with no
// listener at all. Each session is in exactly one group, the first that takes it. Pure.
import { HIDDEN_GROUP_TITLE } from './hidden-sessions.js';
import { LEFTOVER_GROUP_TITLE, MOSH_GROUP_TITLE } from './loose.js';
import type { Listener, Session } from './types.js';

export const NO_LISTENER_GROUP_TITLE = 'no listener: orphaned (daemon restarted) or socket-activated';

export type SessionGroup =
  | { kind: 'listener'; listener: Listener; sessions: Session[] }
  | { kind: 'hidden' | 'mosh' | 'leftover' | 'none'; title: string; sessions: Session[] };

/** the groups of `sessions` (in their order), listeners first; a group other than a listener's only when it has sessions */
export function groupSessions(listeners: readonly Listener[], sessions: readonly Session[]): SessionGroup[] {
  const placed = new Set<Session>();
  const take = (wanted: (s: Session) => boolean): Session[] => {
    const list = sessions.filter((s) => !placed.has(s) && wanted(s));
    for (const s of list) placed.add(s);
    return list;
  };
  const groups: SessionGroup[] = listeners.map((l) => ({ kind: 'listener', listener: l, sessions: take((s) => s.listenerPid === l.pid) }));
  const rest = [
    ['hidden', HIDDEN_GROUP_TITLE, (s: Session) => s.partial === true],
    ['mosh', MOSH_GROUP_TITLE, (s: Session) => s.kind === 'mosh'],
    ['leftover', LEFTOVER_GROUP_TITLE, (s: Session) => s.kind === 'leftover'],
    ['none', NO_LISTENER_GROUP_TITLE, () => true],
  ] as const;
  for (const [kind, title, wanted] of rest) {
    const list = take(wanted);
    if (list.length > 0) groups.push({ kind, title, sessions: list });
  }
  return groups;
}
