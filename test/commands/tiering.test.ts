// The screen's bigger V8 interrupt budget: set under Node, not under Bun, and honoured by this
// Node when set at run time (a Node whose V8 froze its flags would make it a silent no-op).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INTERRUPT_BUDGET, tierLazily } from '../../src/commands/tiering.js';

describe('tierLazily', () => {
  it('under Node, sets the interrupt budget to four times the default', () => {
    const flags: string[] = [];
    tierLazily({ bun: undefined, setFlags: (f) => flags.push(f) });
    expect(flags).toEqual(['--interrupt-budget=270336']);
    expect(INTERRUPT_BUDGET).toBe(270_336);
  });

  it('under Bun, sets nothing', () => {
    const flags: string[] = [];
    tierLazily({ bun: '1.4.5', setFlags: (f) => flags.push(f) });
    expect(flags).toEqual([]);
  });

  describe('on this Node', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sshtop-tiering-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    // calls until V8 has optimised a small function, compiled synchronously so the count is exact
    const probe = join(dir, 'probe.mjs');
    writeFileSync(
      probe,
      [
        `const { tierLazily } = await import(${JSON.stringify(new URL('../../src/commands/tiering.ts', import.meta.url).href)});`,
        `if (process.argv[2] === 'lazy') tierLazily();`,
        `const status = new Function('f', 'return %GetOptimizationStatus(f)');`,
        `function work(a) { let s = 0; for (let i = 0; i < 20; i++) s += (a ^ i) & 7; return s; }`,
        // bit 4: optimised (TurboFan or Maglev); bit 5: TurboFan
        `let n = 0;`,
        `while ((status(work) & 0b110000) === 0 && n < 1e6) { work(n); n++; }`,
        `console.log(n);`,
      ].join('\n'),
    );
    const callsUntilOptimised = (mode: string): number => {
      const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--no-concurrent-recompilation', '--import', 'tsx', probe, mode], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return Number(r.stdout.trim());
    };

    it('optimises a function only after several times as many calls', () => {
      const plain = callsUntilOptimised('plain');
      const lazy = callsUntilOptimised('lazy');
      expect(plain).toBeGreaterThan(0);
      expect(plain).toBeLessThan(1e6);
      expect(lazy).toBeGreaterThanOrEqual(3 * plain);
      expect(lazy).toBeLessThan(1e6);
    });
  });
});
