import { describe, expect, it } from 'vitest';
import { settle } from '../../../src/testing/index.js';
import { expectReleased, remoteSdp, solo } from '../../helpers/fakeCall.js';

// Review of "the polite side creates its data channels right after its first answer" (since 958e589): the
// channels are now created inside the negotiation's send callback, where a failure is only a non-fatal
// NEGOTIATION_FAILED event and is never retried. Before, the same failure (in #openPeerConnection) ended the
// call with 'error', like every other failure to build the call's resources.

describe('the polite side cannot create its data channels', () => {
  it('ends the call with error, as when the impolite side cannot create them', async () => {
    const s = solo({ polite: true });
    const failure = new Error('no SCTP today');
    const Base = s.runtime.RTCPeerConnection;
    Object.defineProperty(s.runtime, 'RTCPeerConnection', {
      value: class extends Base {
        override createDataChannel(): never {
          throw failure;
        }
      },
    });
    void s.session.start();
    await settle();
    s.signaling.message({
      type: 'description',
      description: {
        type: 'offer',
        sdp: `${remoteSdp('offer').sdp}m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:data\r\n`,
      },
    });
    await settle();
    expect(s.signaling.sentOfType('description')[0]?.description.type).toBe('answer');
    // The session holds no channel, so send() can only queue until it is full, forever.
    expect(s.session.endReason).toBe('error');
    expect((await s.session.ended).error).toBe(failure);
    expectReleased(s.session);
  });
});
