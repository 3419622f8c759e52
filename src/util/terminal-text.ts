/**
 * Text from input (user names, CSV cells, policy names, certificate subjects, file names) on its
 * way to a terminal. A control character in such text could move the cursor, rewrite a line
 * (CR, ESC sequences), ring the bell, or (bidi overrides) show "admin" for a name that is not; a
 * newline could forge a line of output. Each one is shown as a visible escape instead: `\x1B`
 * for C0/C1 controls and DEL, `\u202E` for the invisible format characters. Everything else,
 * including every printable non-ASCII letter, is shown as it is.
 */

/**
 * C0 controls (tab and newline included: every value is printed on one line), DEL, C1 controls,
 * the Arabic letter mark, LRM/RLM, line and paragraph separators, the bidi embeddings and
 * overrides U+202A-U+202E and the isolates U+2066-U+2069.
 */
const UNSAFE_FOR_TERMINAL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function visibleEscape(character: string): string {
  const code = character.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}` : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** `text` with every control and bidi character replaced by a visible escape; safe to print. */
export function escapeForTerminal(text: string): string {
  return text.replace(UNSAFE_FOR_TERMINAL, visibleEscape);
}
