import { describe, expect, it } from 'vitest';
import { printable } from '../../../src/signaling/printable.js';

// Untrusted text (a relay's `error` frame) is logged through `printable`: one line, nothing that changes how the
// surrounding log reads. Issue #11 item 5: bidi and format characters were let through.

const hex = (code: number): string => code.toString(16).toUpperCase().padStart(4, '0');

describe('printable', () => {
  const mustEscape: [string, number[]][] = [
    ['C0 controls and DEL', [0x00, 0x09, 0x0a, 0x0d, 0x1b, 0x1f, 0x7f]],
    ['C1 controls', [0x80, 0x85, 0x9b, 0x9f]],
    ['bidi embeddings and overrides U+202A–U+202E', [0x202a, 0x202b, 0x202c, 0x202d, 0x202e]],
    ['bidi isolates U+2066–U+2069', [0x2066, 0x2067, 0x2068, 0x2069]],
    ['zero-width and direction marks U+200B–U+200F', [0x200b, 0x200c, 0x200d, 0x200e, 0x200f]],
    ['line and paragraph separators', [0x2028, 0x2029]],
    ['byte order mark', [0xfeff]],
    // The rest of the general category Cf: soft hyphen, Arabic letter mark, word joiner, invisible operators,
    // interlinear annotation, tag characters (astral).
    ['other format characters (Cf)', [0x00ad, 0x061c, 0x2060, 0x2064, 0xfff9, 0xe0001, 0xe007f]],
    ['lone surrogates', [0xd800, 0xdfff]],
  ];
  for (const [what, codes] of mustEscape) {
    it(`replaces ${what} with a space`, () => {
      for (const code of codes) {
        const char =
          code >= 0xd800 && code <= 0xdfff ? String.fromCharCode(code) : String.fromCodePoint(code);
        expect(printable(`a${char}b`, 64), `U+${hex(code)}`).toBe('a b');
      }
    });
  }

  it('keeps ordinary text, including non-Latin scripts, right-to-left letters and emoji', () => {
    const text = 'room-full: é ü 日本 שלום مرحبا 👍🏽 ok';
    expect(printable(text, 200)).toBe(text);
  });

  it('bounds the length and marks the cut; a surrogate pair cut in half becomes a space', () => {
    expect(printable('x'.repeat(300), 200)).toBe(`${'x'.repeat(200)}…`);
    expect(printable('ab👍', 3)).toBe('ab …');
  });

  it('never stringifies a non-primitive', () => {
    expect(printable({ toString: 1 }, 64)).toBe('object');
    expect(printable(undefined, 64)).toBe('undefined');
    expect(printable(42, 64)).toBe('42');
  });
});
