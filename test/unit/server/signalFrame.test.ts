import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signalFrame, signalPayload } from '../../../src/server/signalFrame.js';

// A relayed signal is serialised and measured once; every frame carrying it is built and sized from that. The
// frames must be exactly what serialising the whole frame would give, and the sizes their real UTF-8 sizes.

describe('signalFrame', () => {
  it('builds the same text as JSON.stringify, numbered or not, with its UTF-8 size', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.option(fc.nat(), { nil: undefined }), (data, n) => {
        const payload = signalPayload(data);
        const frame = signalFrame(payload, n);
        const expected = JSON.stringify(n === undefined ? { t: 'signal', data } : { t: 'signal', n, data });
        expect(frame.text).toBe(expected);
        expect(frame.bytes).toBe(Buffer.byteLength(expected));
      }),
      { numRuns: 300 },
    );
  });

  it('counts multi-byte characters as bytes', () => {
    const payload = signalPayload('é👍');
    expect(payload.bytes).toBe(Buffer.byteLength('"é👍"'));
    expect(signalFrame(payload, 12).bytes).toBe(Buffer.byteLength('{"t":"signal","n":12,"data":"é👍"}'));
  });
});
