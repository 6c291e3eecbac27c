// The layer check itself: it passes on the real tree, and a wrong-way import in a copy of a layer
// makes it fail with the rule's name (a check that never fails proves nothing).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const DEPCRUISE = join(REPO, 'node_modules', '.bin', 'depcruise');
const dir = mkdtempSync(join(tmpdir(), 'sshtop-layers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cruise(cwd: string): { status: number | null; out: string } {
  const r = spawnSync(DEPCRUISE, ['src', '--config', join(REPO, '.dependency-cruiser.cjs'), '--ts-config', join(REPO, 'tsconfig.json')], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('npm run lint:deps', () => {
  it('passes on the tree as it is', () => {
    const r = cruise(REPO);
    expect(r.status, r.out).toBe(0);
  });

  it.each([
    ['proc-reads-only', 'src/proc/wrong.ts', "import { buildModel } from '../model/sessions.js';\nexport const x = buildModel;\n"],
    ['ui-never-loads-act', 'src/ui/wrong.ts', "import { createSignaller } from '../act/signal.js';\nexport const x = createSignaller;\n"],
    ['text-is-a-leaf', 'src/text/wrong.ts', "import { sanitize } from '../model/classify.js';\nexport const x = sanitize;\n"],
  ])('fails on a wrong-way import (%s)', (rule, file, text) => {
    const copy = mkdtempSync(join(dir, 'tree-'));
    cpSync(join(REPO, 'src'), join(copy, 'src'), { recursive: true });
    writeFileSync(join(copy, file), text);
    const r = cruise(copy);
    expect(r.status, r.out).not.toBe(0);
    expect(r.out).toContain(rule);
  });
});
