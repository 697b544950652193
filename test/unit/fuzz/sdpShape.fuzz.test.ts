import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isInvalidSignalError } from '../../../src/errors/InvalidSignalError.js';
import { DEFAULT_SIGNAL_LIMITS, parseSignalMessage } from '../../../src/signaling/parseSignalMessage.js';

// SDP amplifiers: descriptions built from random numbers of media sections, candidate lines and filler lines
// (around and far beyond the limits), with either line ending. A description is accepted exactly when every
// count is within its limit, and refused with InvalidSignalError otherwise. Same knob as the other fuzz
// files: HANGUP_FUZZ_RUNS (`npm run fuzz -- --runs N`).

const FUZZ_RUNS = Number(process.env.HANGUP_FUZZ_RUNS ?? 300);
const TIMEOUT_MS = Math.max(30_000, FUZZ_RUNS * 20);
const { maxMediaSections, maxSdpCandidates, maxSdpLines, maxSdpBytes } = DEFAULT_SIGNAL_LIMITS;

type Piece = 'section' | 'candidate' | 'filler';

const count = (limit: number) =>
  fc.oneof(fc.integer({ min: 0, max: limit + 2 }), fc.integer({ min: limit - 2, max: limit * 4 }));

describe('parseSignalMessage: SDP shape fuzz', () => {
  it(
    'accepts exactly the descriptions within every SDP bound',
    () => {
      fc.assert(
        fc.property(
          count(maxMediaSections),
          count(maxSdpCandidates),
          count(maxSdpLines),
          fc.constantFrom('\r\n', '\n'),
          fc.constantFrom('offer', 'answer', 'pranswer'),
          fc.integer({ min: 0, max: 2 ** 31 }),
          (sections, candidates, filler, eol, type, seed) => {
            // Interleave the pieces in a seeded order, so the limit met first varies.
            const pieces: Piece[] = [
              ...Array<Piece>(sections).fill('section'),
              ...Array<Piece>(candidates).fill('candidate'),
              ...Array<Piece>(filler).fill('filler'),
            ];
            let state = seed;
            for (let i = pieces.length - 1; i > 0; i--) {
              state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
              const j = state % (i + 1);
              [pieces[i], pieces[j]] = [pieces[j] as Piece, pieces[i] as Piece];
            }
            const line = {
              section: 'm=video 9 UDP/TLS/RTP/SAVPF 96',
              candidate: 'a=candidate:1 1 udp 1 10.0.0.1 9 typ host',
              filler: 'a=x',
            };
            const sdp = `v=0${eol}${pieces.map((piece) => line[piece]).join(eol)}${eol}`;
            const lines = pieces.length + 1;
            const within =
              sections <= maxMediaSections &&
              candidates <= maxSdpCandidates &&
              lines <= maxSdpLines &&
              sdp.length <= maxSdpBytes;
            let accepted = true;
            try {
              parseSignalMessage({ type: 'description', description: { type, sdp } });
            } catch (error) {
              expect(isInvalidSignalError(error)).toBe(true);
              accepted = false;
            }
            expect(accepted).toBe(within);
          },
        ),
        { numRuns: FUZZ_RUNS },
      );
    },
    TIMEOUT_MS,
  );
});
