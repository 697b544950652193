import { describe, expect, it } from 'vitest';
import { FakeRTCPeerConnection, settle } from '../../../src/testing/index.js';
import { connect, driveTo, expectReleased, fakeCall, remoteSdp, solo } from '../../helpers/fakeCall.js';

function offersSent(messages: { type: string; description?: { type: string } }[]): number {
  return messages.filter((m) => m.type === 'description' && m.description?.type === 'offer').length;
}

describe('perfect negotiation with the fake runtime', () => {
  it.each([true, false])(
    'the first offer comes from the impolite side only (a is polite=%s)',
    async (aPolite) => {
      // A polite side that rolled back its first offer mid-gathering never gathered again in Chromium.
      const call = fakeCall({ polite: aPolite });
      await connect(call);
      const [politeSent, impoliteSent] = aPolite ? [call.sent.a, call.sent.b] : [call.sent.b, call.sent.a];
      expect(offersSent(politeSent)).toBe(0);
      expect(offersSent(impoliteSent)).toBe(1);
      expect(call.runtime.peerConnections.map((pc) => pc.signalingState)).toEqual(['stable', 'stable']);
      call.a.end();
      await call.clock.advanceAsync(1);
      expect(call.b.endReason).toBe('remote-hangup');
      expectReleased(call.a, call.b);
    },
  );

  it.each([true, false])(
    'glare (both sides renegotiate at once) converges when a is polite=%s',
    async (aPolite) => {
      const call = fakeCall({ polite: aPolite });
      await connect(call);
      const before = { a: offersSent(call.sent.a), b: offersSent(call.sent.b) };
      const remoteOffers = (pc: (typeof call.runtime.peerConnections)[number] | undefined) =>
        pc?.remoteDescriptions.filter((d) => d.type === 'offer').length ?? 0;
      const politeBefore = remoteOffers(call.runtime.peerConnections[aPolite ? 0 : 1]);
      // Both sides restart ICE at the same moment: both offers are on the wire before either arrives.
      for (const pc of call.runtime.peerConnections) pc.restartIce();
      await call.clock.advanceAsync(5);
      expect(offersSent(call.sent.a)).toBe(before.a + 1);
      expect(offersSent(call.sent.b)).toBe(before.b + 1);
      const [polite, impolite] = aPolite
        ? [call.runtime.peerConnections[0], call.runtime.peerConnections[1]]
        : [call.runtime.peerConnections[1], call.runtime.peerConnections[0]];
      // The polite side rolled back and applied the impolite side's offer; the impolite side ignored the
      // polite offer and applied only answers.
      expect(remoteOffers(polite)).toBe(politeBefore + 1);
      expect(impolite?.remoteDescriptions.every((d) => d.type === 'answer')).toBe(true);
      expect(call.runtime.peerConnections.map((pc) => pc.signalingState)).toEqual(['stable', 'stable']);
      expect([call.a.state, call.b.state]).toEqual(['connected', 'connected']);
      call.a.end();
      await call.clock.advanceAsync(1);
      expect(call.b.endReason).toBe('remote-hangup');
      expectReleased(call.a, call.b);
    },
  );

  it.each([1, 2, 3, 7, 42, 1234])(
    'duplicated and reordered signaling still connects (seed %i)',
    async (seed) => {
      const call = fakeCall({}, {}, { duplicateRate: 0.5, reorder: true, latencyMs: 3, seed });
      await connect(call, 400);
      expect(call.a.state).toBe('connected');
      call.b.end();
      await call.clock.advanceAsync(50);
      expect(call.a.endReason).toBe('remote-hangup');
      expect(call.runtime.liveTracks()).toEqual([]);
      expect(call.runtime.openPeerConnections()).toEqual([]);
      expectReleased(call.a, call.b);
    },
  );

  it('one side starting well before the other still connects (early messages are kept)', async () => {
    const call = fakeCall();
    const a = call.a.start();
    await call.clock.advanceAsync(500);
    const b = call.b.start();
    for (let i = 0; i < 50 && call.a.state !== 'connected'; i++) await call.clock.advanceAsync(1);
    await Promise.all([a, b]);
    expect([call.a.state, call.b.state]).toEqual(['connected', 'connected']);
    call.a.end();
    await call.clock.advanceAsync(1);
    expectReleased(call.a, call.b);
  });

  it('a negotiation step that fails is a NEGOTIATION_FAILED error event, not an end', async () => {
    const s = solo();
    await driveTo(s, 'connecting');
    await settle();
    expect(s.pc().signalingState).toBe('have-local-offer');
    const failure = new Error('bad answer');
    s.pc().failNext('setRemoteDescription', failure);
    s.signaling.message({ type: 'description', description: remoteSdp('answer') });
    await settle();
    expect(s.log.events.at(-1)).toBe('error:NEGOTIATION_FAILED');
    expect(s.log.errors.at(-1)?.cause).toBe(failure);
    expect(s.session.state).toBe('connecting');
    s.session.end();
    expectReleased(s.session);
  });

  it('a duplicated remote offer is applied once', async () => {
    const s = solo({ polite: true });
    await driveTo(s, 'connecting');
    await settle();
    const offer = remoteSdp('offer');
    s.signaling.message({ type: 'description', description: offer });
    await settle();
    s.signaling.message({ type: 'description', description: offer });
    await settle();
    expect(s.pc().remoteDescriptions.filter((d) => d.type === 'offer')).toHaveLength(1);
    expect(s.log.errors).toEqual([]);
    s.session.end();
    expectReleased(s.session);
  });

  it('the impolite side ignores a colliding offer; the polite side rolls back and answers', async () => {
    const impolite = solo({ polite: false });
    await driveTo(impolite, 'connecting');
    await settle();
    impolite.signaling.message({ type: 'description', description: remoteSdp('offer') });
    await settle();
    expect(impolite.pc().remoteDescriptions).toEqual([]);
    expect(impolite.pc().signalingState).toBe('have-local-offer');
    impolite.session.end();

    const polite = solo({ polite: true });
    await driveTo(polite, 'connecting');
    await settle();
    polite.signaling.message({ type: 'description', description: remoteSdp('offer') });
    await settle();
    expect(polite.pc().remoteDescriptions.map((d) => d.type)).toEqual(['offer']);
    // Its first description is the answer. (This remote offer has no data section, so the polite side's
    // channels, created after that answer, then need an offer of their own.)
    expect(polite.signaling.sentOfType('description')[0]?.description.type).toBe('answer');
    polite.session.end();
    expectReleased(impolite.session, polite.session);
  });
});

/** A runtime whose connections never fire `negotiationneeded` by themselves; the test fires it by hand. */
function withoutAutomaticNegotiationNeeded(s: ReturnType<typeof solo>): void {
  const Base = s.runtime.RTCPeerConnection;
  Object.defineProperty(s.runtime, 'RTCPeerConnection', {
    value: class extends Base {
      override fireNegotiationNeeded(): void {}
    },
  });
}
const fireByHand = (pc: FakeRTCPeerConnection) =>
  FakeRTCPeerConnection.prototype.fireNegotiationNeeded.call(pc);

describe('the first offer', () => {
  it('the impolite side offers once its tracks are in, without waiting for negotiationneeded', async () => {
    const s = solo({ polite: false });
    withoutAutomaticNegotiationNeeded(s);
    void s.session.start();
    await settle();
    expect(offersSent(s.signaling.sent)).toBe(1);
    expect(
      s
        .pc()
        .getSenders()
        .map((sender) => sender.track?.kind),
    ).toEqual(['audio', 'video']);
    s.session.end();
    expectReleased(s.session);
  });

  it('the polite side makes no first offer, even with tracks and channels in place', async () => {
    const s = solo({ polite: true });
    withoutAutomaticNegotiationNeeded(s);
    void s.session.start();
    await settle();
    fireByHand(s.pc());
    await settle();
    expect(offersSent(s.signaling.sent)).toBe(0);
    s.session.end();
    expectReleased(s.session);
  });

  it('a negotiationneeded raised while the first offer waits for its answer (as @roamhq/wrtc does) makes no second offer; one after the answer does', async () => {
    const s = solo({ polite: false });
    withoutAutomaticNegotiationNeeded(s);
    void s.session.start();
    await settle();
    fireByHand(s.pc());
    await settle();
    expect(offersSent(s.signaling.sent)).toBe(1);
    s.signaling.message({ type: 'description', description: remoteSdp('answer') });
    await settle();
    expect(s.pc().signalingState).toBe('stable');
    // A real change after the first exchange (a track added later, say) is negotiated as usual.
    fireByHand(s.pc());
    await settle();
    expect(offersSent(s.signaling.sent)).toBe(2);
    s.session.end();
    expectReleased(s.session);
  });

  it('the answering side creates its data channels right after its first answer, and that costs no extra round', async () => {
    const call = fakeCall({ polite: true });
    const politePc = () => call.runtime.peerConnections[0]!;
    void call.a.start();
    await settle();
    // Tracks are in, channels are not: the offer has not arrived yet.
    expect(politePc().getSenders()).toHaveLength(2);
    expect(politePc().dataChannels).toEqual([]);
    await connect(call);
    expect(politePc().dataChannels.map((channel) => channel.id)).toEqual([0, 1]);
    expect(offersSent(call.sent.a) + offersSent(call.sent.b)).toBe(1);
    // The channels work: application data crosses both ways.
    const received: unknown[] = [];
    call.a.on('message', (data) => received.push(data));
    call.b.send('hello');
    await call.clock.advanceAsync(1);
    expect(received).toEqual(['hello']);
    call.a.end();
    await call.clock.advanceAsync(1);
    expectReleased(call.a, call.b);
  });

  it('a first offer that fails does not swallow the next negotiationneeded', async () => {
    const s = solo({ polite: false });
    withoutAutomaticNegotiationNeeded(s);
    s.runtime.holdMedia();
    void s.session.start();
    await settle();
    const pc = s.pc();
    pc.createOffer = () => Promise.reject(new Error('no offer today'));
    s.runtime.pendingMedia[0]!.resolve();
    await settle();
    expect(offersSent(s.signaling.sent)).toBe(0);
    expect(s.log.errors.map((e) => (e as { code?: string }).code)).toEqual(['NEGOTIATION_FAILED']);
    pc.createOffer = FakeRTCPeerConnection.prototype.createOffer;
    fireByHand(pc);
    await settle();
    expect(offersSent(s.signaling.sent)).toBe(1);
    s.session.end();
    expectReleased(s.session);
  });
});

describe('the peer connection is built while media is acquired', () => {
  it('it exists during starting, negotiates nothing until the tracks arrive, and teardown closes it', async () => {
    const s = solo({ polite: false });
    s.runtime.holdMedia();
    void s.session.start();
    await settle();
    expect(s.session.state).toBe('starting');
    expect(s.session.liveResources().peerConnection).toBe(true);
    expect(s.pc().getSenders()).toEqual([]);
    expect(offersSent(s.signaling.sent)).toBe(0);
    // An offer arriving now waits for the tracks, so the answer will carry them.
    s.signaling.message({ type: 'description', description: remoteSdp('offer') });
    await settle();
    expect(s.pc().remoteDescriptions).toEqual([]);
    s.session.end();
    expect(s.pc().closed).toBe(true);
    expect(s.pc().hasHandlers()).toBe(false);
    s.runtime.pendingMedia[0]!.resolve();
    await settle();
    expect(s.runtime.liveTracks()).toEqual([]);
    expectReleased(s.session);
  });

  it('a RTCPeerConnection constructor that throws ends the call with error; the camera that arrives later is stopped', async () => {
    const s = solo({ polite: false });
    s.runtime.holdMedia();
    const failure = new Error('bad configuration');
    Object.defineProperty(s.runtime, 'RTCPeerConnection', {
      value: class {
        constructor() {
          throw failure;
        }
      },
    });
    const started = s.session.start();
    await settle();
    expect(s.session.endReason).toBe('error');
    expect((await s.session.ended).error).toBe(failure);
    await expect(started).rejects.toMatchObject({ name: 'CallEndedError', reason: 'error' });
    const stream = s.runtime.pendingMedia[0]!.resolve();
    await settle();
    expect(stream.getTracks().map((track) => track.readyState)).toEqual(['ended', 'ended']);
    expect(s.session.localStream).toBeUndefined();
    expectReleased(s.session);
  });
});
