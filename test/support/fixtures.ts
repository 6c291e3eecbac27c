// The captured /proc trees of test/fixtures/ as the tests read them. A hand-made layout is stored
// as an overlay on the capture it was derived from: only the files it changes plus its meta.json,
// whose `handMade.from` names the base and `handMade.deleted` the paths it removes (written by
// scripts/tools/capture-proc.ts derive); it is built in full in a temp dir. Every layout's dev/ is
// copied there too: the tests restore pts atimes, which they must not do to the checkout (nor
// can, as a user who does not own it).
import { copyFileSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FIXTURES = new URL('../fixtures', import.meta.url).pathname;

/** meta.json's record of a layout made by hand from a real capture */
export interface HandMade {
  from: string;
  why: string;
  derivedAt?: string;
  /** paths relative to the layout that the derivation removed from the base */
  deleted?: string[];
}

/** every layout: a folder with a meta.json, sorted by name */
export function fixtureNames(): string[] {
  return readdirSync(FIXTURES)
    .filter((d) => exists(join(FIXTURES, d, 'meta.json')))
    .sort();
}

/** the layout's meta.json (a hand-made layout's own, from its overlay) */
export function fixtureMeta<T = { handMade?: HandMade }>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name, 'meta.json'), 'utf8')) as T;
}

/** files and symlinks below dir, relative to it */
export function filesUnder(dir: string, rel = ''): string[] {
  return readdirSync(join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const p = rel === '' ? e.name : `${rel}/${e.name}`;
    return e.isDirectory() ? filesUnder(dir, p) : [p];
  });
}

/** lstat, so a dangling fd symlink (socket:[…]) counts as present */
function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** copy a file, symlink (its target kept verbatim) or tree */
function copy(from: string, to: string): void {
  const st = lstatSync(from);
  if (st.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
  else if (!st.isDirectory()) copyFileSync(from, to);
  else {
    mkdirSync(to, { recursive: true });
    for (const name of readdirSync(from)) copy(join(from, name), join(to, name));
  }
}

/** where a layout is read: a real capture from the checkout (but its dev/), a hand-made one from its build */
export interface Layout {
  /** the folder holding proc/, passwd and meta.json */
  root: string;
  proc: string;
  /** always a copy, whose pts atimes a test may set */
  dev: string;
  passwd: string;
  meta: string;
}

const layoutAt = (root: string, dev = join(root, 'dev')): Layout => ({ root, proc: join(root, 'proc'), dev, passwd: join(root, 'passwd'), meta: join(root, 'meta.json') });

/** build layout `name` under `into/name` (in full if hand-made, else its dev/ only) */
export function materialiseFixture(name: string, into: string): Layout {
  const src = join(FIXTURES, name);
  const out = join(into, name);
  const handMade = fixtureMeta(name).handMade;
  if (handMade === undefined) {
    // a few thousand files copied on every run cost seconds on a busy disk; only dev/ is written to
    copy(join(src, 'dev'), join(out, 'dev'));
    return layoutAt(src, join(out, 'dev'));
  }
  // a hand-made layout's base is a real capture, so one level is all there is
  copy(join(FIXTURES, handMade.from), out);
  const stale = (what: string) =>
    new Error(`fixture ${name}: ${what} in ${handMade.from}; was the base recaptured? re-derive: npx tsx scripts/tools/capture-proc.ts derive ${name}`);
  for (const rel of filesUnder(src)) {
    // the overlay edits files of the base, so a file it does not find means the base changed under it
    if (rel !== 'meta.json' && !exists(join(out, rel))) throw stale(`overlay file ${rel} replaces nothing`);
    rmSync(join(out, rel), { force: true });
    copy(join(src, rel), join(out, rel));
  }
  for (const rel of handMade.deleted ?? []) {
    if (!exists(join(out, rel))) throw stale(`deleted path ${rel} is not`);
    rmSync(join(out, rel), { recursive: true });
  }
  return layoutAt(out);
}

/** every layout built under one temp dir; dispose() removes it */
export function materialiseFixtures(): { layout(name: string): Layout; names: string[]; dispose(): void } {
  const tmp = mkdtempSync(join(tmpdir(), 'sshtop-fixtures-'));
  const names = fixtureNames();
  const layouts = new Map(names.map((n) => [n, materialiseFixture(n, tmp)]));
  return {
    names,
    layout(name) {
      const l = layouts.get(name);
      if (l === undefined) throw new Error(`no fixture ${name}`);
      return l;
    },
    dispose: () => rmSync(tmp, { recursive: true, force: true }),
  };
}
