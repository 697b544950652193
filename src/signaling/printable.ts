/**
 * Characters that must never reach a log verbatim from an untrusted source: C0/C1 controls (`Cc`, a newline
 * starts a forged line), format characters (`Cf`: the bidi overrides and isolates U+202A–U+202E and U+2066–U+2069
 * reorder what a terminal or log viewer shows, zero-width ones U+200B–U+200F and U+FEFF hide text), lone
 * surrogates (`Cs`) and the line / paragraph separators U+2028 and U+2029 (`Zl`, `Zp`).
 */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;

/**
 * `value` as a single printable line of at most `max` characters (log-injection and log-spoofing safe): every
 * unprintable character (see `UNPRINTABLE`) becomes a space, and a longer text is cut and ends with `…`.
 * Non-primitives are never `String()`-ed: `{"toString":1}` from the wire would make that throw.
 *
 * @internal
 */
export function printable(value: unknown, max: number): string {
  const primitive = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
  const raw = primitive ? String(value) : typeof value;
  let text = '';
  // Code points, so a surrogate pair stays one (printable) character; a pair cut by the slice is a lone
  // surrogate and becomes a space.
  for (const char of raw.slice(0, max)) text += UNPRINTABLE.test(char) ? ' ' : char;
  return raw.length > max ? `${text}…` : text;
}
