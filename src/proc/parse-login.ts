// The kernel's login identity of a process: the audit session (/proc/PID/sessionid) and the uid
// that logged in (/proc/PID/loginuid), both set once by pam_loginuid when a login opens and
// inherited by everything it starts, whatever its parent becomes later; and systemd-logind's
// `session-N.scope` in /proc/PID/cgroup, which says the same where logind runs. Pure.

/** (u32)-1: the value of both files in a process no login has marked (kernel threads, daemons, UsePAM no) */
export const AUDIT_UNSET = 4294967295;

/** sessionid or loginuid: a number, null when unset, undefined when not a plain decimal */
export function parseAuditId(text: string | undefined): number | null | undefined {
  const t = text?.trim();
  if (t === undefined || !/^\d{1,10}$/.test(t)) return undefined;
  const n = Number(t);
  return n === AUDIT_UNSET ? null : n;
}

/**
 * logind's session of a process from its cgroup file: the `session-N.scope` of the systemd
 * hierarchy (cgroup v2 `0::/user.slice/user-1000.slice/session-5.scope`, v1
 * `1:name=systemd:/user.slice/…/session-5.scope`); null when in none. N is the audit session
 * where audit runs, else logind's own (`c1`).
 */
export function parseLoginScope(cgroup: string): string | null {
  for (const line of cgroup.split('\n')) {
    const m = /^\d+:(?:name=systemd)?:(.*)$/.exec(line);
    if (!m) continue;
    const scope = /\/session-([\w.]+?)\.scope(?:\/|$)/.exec(m[1] as string);
    if (scope) return scope[1] as string;
  }
  return null;
}
