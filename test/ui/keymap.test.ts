import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commandFor, commandIn, footerHints, keyHelp, modeHint, type KeyName, type KeyPress } from '../../src/ui/keymap.js';

// the words keyHelp uses for named keys
const NAMED: Record<string, KeyName> = {
  '↑': 'up', '↓': 'down', '→': 'right', PgUp: 'pageup', PgDn: 'pagedown', Home: 'home', End: 'end',
  Enter: 'return', Space: 'space', 'Ctrl+C': 'ctrl-c', F1: 'f1', F3: 'f3', F4: 'f4', F5: 'f5', F6: 'f6', F9: 'f9', F10: 'f10',
};
const press = (token: string): KeyPress => (NAMED[token] ? { name: NAMED[token], text: token === 'Space' ? ' ' : '' } : { text: token });
const tokens = (keys: string) => keys.split(/\s+/).filter(Boolean);

/** README's Keys table: each row's keys (`F9, x or K` → F9 x K) and action */
function readmeKeys(): [string[], string][] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Keys'));
  const table = section.slice(section.indexOf('\n| key |')).split('\n').slice(3);
  const rows = table.slice(0, table.findIndex((l) => !l.startsWith('|')));
  return rows.map((l) => {
    const [keys = '', what = ''] = l.slice(1, -1).split(' | ');
    // markdown escapes the backslash
    return [keys.replace(/\\\\/g, '\\').split(/[\s,]+/).filter((k) => k && k !== 'or'), what.trim()];
  });
}

describe('keymap', () => {
  it('k moves up (vim); K, x and F9 open the signal menu, and none of them in watch mode', () => {
    expect(commandFor({ text: 'k' }, { readOnly: false })).toEqual({ type: 'move', by: -1 });
    expect(commandFor({ text: 'k' }, { readOnly: true })).toEqual({ type: 'move', by: -1 });
    expect(commandFor({ text: 'j' }, { readOnly: false })).toEqual({ type: 'move', by: 1 });
    for (const k of [press('K'), press('x'), press('F9')]) {
      expect(commandFor(k, { readOnly: false })).toEqual({ type: 'signal-menu' });
      expect(commandFor(k, { readOnly: true })).toBeUndefined();
    }
    expect(footerHints(false)).toMatch(/^F9\/x signal /);
    expect(footerHints(true)).not.toContain('signal');
  });

  it('the help lists exactly the keys commandFor knows', () => {
    const listed = keyHelp(false).flatMap(([keys]) => tokens(keys));
    for (const t of listed) expect(commandFor(press(t), { readOnly: false }), t).toBeDefined();
    // every printable ASCII key and every named key that does something is in the help
    const bound = [
      ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).filter((c) => c !== ' '),
      ...Object.keys(NAMED),
    ].filter((t) => commandFor(press(t), { readOnly: false }) !== undefined);
    expect(new Set(bound)).toEqual(new Set(listed));
  });

  it('the help lists every signal key only where it works', () => {
    const signalRow = keyHelp(false).find(([, what]) => what.startsWith('signal menu'));
    expect(tokens(signalRow?.[0] ?? '').sort()).toEqual(['F9', 'K', 'x']);
    const readOnly = keyHelp(true).flatMap(([keys]) => tokens(keys));
    for (const t of readOnly) expect(commandFor(press(t), { readOnly: true }), t).toBeDefined();
    expect(readOnly).not.toContain('K');
  });

  it("README's key table has the help's rows, with the same keys in each", () => {
    const readme = readmeKeys();
    const help = keyHelp(false);
    expect(readme.map(([keys]) => [...keys].sort())).toEqual(help.map(([keys]) => tokens(keys).sort()));
    expect(readme.every(([, what]) => what.length > 0)).toBe(true);
  });
});

describe('keymap: the other modes', () => {
  const ctx = { readOnly: false };
  it('k and j move in a picker as in the list; Esc goes back', () => {
    expect(commandIn('picker', { text: 'k' }, ctx)).toEqual({ type: 'move', by: -1 });
    expect(commandIn('picker', { text: 'j' }, ctx)).toEqual({ type: 'move', by: 1 });
    expect(commandIn('picker', { name: 'escape', text: '' }, ctx)).toEqual({ type: 'back' });
    expect(commandIn('picker', { text: 'x' }, ctx)).toBeUndefined();
  });

  it('a prompt types what is not bound, a space included; F3 is bound in search only', () => {
    expect(commandIn('filter', { text: 'q' }, ctx)).toEqual({ type: 'type', text: 'q' });
    expect(commandIn('search', press('Space'), ctx)).toEqual({ type: 'type', text: ' ' });
    expect(commandIn('search', press('F3'), ctx)).toEqual({ type: 'next-match' });
    expect(commandIn('filter', press('F3'), ctx)).toBeUndefined();
  });

  it('the menu picks 1-8; [y/N] takes y or Y and cancels on anything else; help leaves on any key', () => {
    expect(commandIn('signal-menu', { text: '8' }, ctx)).toEqual({ type: 'pick', index: 7 });
    expect(commandIn('signal-menu', { text: '9' }, ctx)).toBeUndefined();
    expect(commandIn('confirm', { text: 'Y' }, ctx)).toEqual({ type: 'confirm' });
    for (const k of [press('Enter'), { text: 'n' }, press('↑')]) expect(commandIn('confirm', k, ctx)).toEqual({ type: 'cancel' });
    expect(commandIn('confirm-yes', { text: 'y' }, ctx)).toEqual({ type: 'type', text: 'y' });
    expect(commandIn('help', press('F9'), ctx)).toEqual({ type: 'back' });
  });

  it('each hint line names keys its mode binds', () => {
    expect(modeHint('picker')).toBe('↑↓ choose, Enter select, Esc back');
    expect(modeHint('signal-menu')).toBe('↑↓ or 1-8, Enter choose, Esc cancel');
    expect(modeHint('detail')).toBe('Esc / ← / Enter: back');
    for (const k of [press('↑'), press('↓'), press('Enter')]) expect(commandIn('picker', k, ctx)).toBeDefined();
    for (const k of [{ name: 'escape', text: '' } as KeyPress, { name: 'left', text: '' } as KeyPress, press('Enter')]) expect(commandIn('detail', k, ctx)).toEqual({ type: 'back' });
  });

  it('the footer is drawn from the help rows: each of its keys does what the row says', () => {
    for (const readOnly of [false, true]) {
      const listed = new Set(keyHelp(readOnly).flatMap(([keys]) => tokens(keys)));
      const hints = footerHints(readOnly).replace(/^READ-ONLY {2}/, '').split(/ {2}/);
      for (const h of hints) {
        const keys = h.slice(0, h.indexOf(' '));
        for (const t of keys === '/' ? [keys] : keys.split('/')) expect(listed.has(t), `${h} (${t})`).toBe(true);
      }
    }
    expect(footerHints(false)).toBe('F9/x signal  Space tag  F1 help  F4 filter  / search  F5 tree  F6 sort  i idle  Enter details  p pause  q quit');
    expect(footerHints(true)).toBe('READ-ONLY  F1 help  F4 filter  / search  F5 tree  F6 sort  i idle  Enter details  p pause  q quit');
  });
});
