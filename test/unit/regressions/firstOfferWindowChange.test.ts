import { describe, expect, it } from 'vitest';
import { settle } from '../../../src/testing/index.js';
import { driveTo, expectReleased, remoteSdp, solo } from '../../helpers/fakeCall.js';

// Review of `#firstOfferPending` (since 958e589): every negotiationneeded until the first answer is applied
// is taken as covered by the first offer. A change made after that offer was created is not in it; when the
// runtime re-raises the event on returning to 'stable' before the negotiation has applied the answer (the fake
// does: its event is a microtask queued inside setRemoteDescription, ahead of the awaiting continuation), the
// change is never negotiated.

function offers(s: ReturnType<typeof solo>): string[] {
  return s.signaling
    .sentOfType('description')
    .filter((m) => m.description.type === 'offer')
    .map((m) => m.description.sdp ?? '');
}

describe('a change made while the first offer waits for its answer', () => {
  it('audio-only call: a video track added by switchDevice in the first-offer window is negotiated after the answer', async () => {
    const s = solo({ polite: false, media: { audio: true, video: false } });
    await driveTo(s, 'connecting');
    await settle();
    expect(s.pc().signalingState).toBe('have-local-offer');
    expect(offers(s)).toHaveLength(1);
    // No video sender: the switch adds the track (sendTrack -> addTrack), which needs a new offer.
    await s.session.switchDevice('video', 'camera-2');
    expect(
      s
        .pc()
        .getSenders()
        .map((sender) => sender.track?.kind),
    ).toEqual(['audio', 'video']);
    expect(offers(s)[0]).not.toContain('m=video');
    s.signaling.message({ type: 'description', description: remoteSdp('answer') });
    await settle();
    // The video track must be offered at some point; nothing else will ever raise negotiationneeded.
    expect(offers(s)).toHaveLength(2);
    expect(offers(s)[1]).toContain('m=video');
    s.session.end();
    expectReleased(s.session);
  });
});
