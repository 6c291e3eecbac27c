// Every string from /proc is attacker-controlled (any local user sets argv and comm). These make
// them safe for a terminal (sanitize) and for JSON (escapeJsonUnsafe).

/** C0 controls, DEL, C1 controls, bidi embeddings/overrides/isolates and marks, U+FFFD from bad UTF-8 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export const PLACEHOLDER = '\ufffd';

/** for the terminal: every unsafe character becomes a visible placeholder */
export function sanitize(text: string): string {
  return text.replace(UNSAFE, PLACEHOLDER);
}

/** whether a string would be changed by sanitize */
export function isUnsafe(text: string): boolean {
  UNSAFE.lastIndex = 0;
  const found = UNSAFE.test(text);
  UNSAFE.lastIndex = 0;
  return found;
}

const JSON_EXTRA = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** JSON.stringify escapes C0 but leaves DEL, C1, bidi and line/paragraph separators raw: escape those too */
export function escapeJsonUnsafe(json: string): string {
  return json.replace(JSON_EXTRA, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
