import { describe, expect, it } from 'vitest';
import { type FakeRTCPeerConnection, FakeRuntime } from '../../../src/testing/index.js';
import { connect, expectReleased, fakeCall, record } from '../../helpers/fakeCall.js';

// Regression (#14 item 1): the side that answered the first offer (polite, DTLS client) restarts ICE; its peer
// answers `a=setup:active` again, as Firefox does, claiming the client role too. The runtime refused that answer
// ("Failed to set SSL role for the transport"), the restart failed with NEGOTIATION_FAILED and the connection
// stayed in have-local-offer. The session now applies the answer with the established role kept.
describe('a restart answered with a flipped DTLS role (Firefox)', () => {
  async function restartByPolite(peerAnswers: 'active' | 'keep') {
    const call = fakeCall({ polite: true });
    const logs = [record(call.a), record(call.b)];
    await connect(call);
    const [first, second] = call.runtime.peerConnections as [FakeRTCPeerConnection, FakeRTCPeerConnection];
    // The polite side answered the first offer.
    const [politePc, impolitePc] =
      first.localDescription?.type === 'answer' ? [first, second] : [second, first];
    expect(politePc.localDescription?.sdp).toContain('a=setup:active');
    impolitePc.answerSetup = peerAnswers;
    const ufragBefore = politePc.localDescription?.sdp?.match(/a=ice-ufrag:(\S+)/)?.[1];
    politePc.restartIce();
    await call.clock.advanceAsync(20);
    return { call, logs, politePc, impolitePc, ufragBefore };
  }

  it('the restart completes: the answer is applied with the established role, no error', async () => {
    const { call, logs, politePc, impolitePc, ufragBefore } = await restartByPolite('active');
    // The peer really did answer with the flipped role...
    expect(impolitePc.localDescription?.sdp).toContain('a=setup:active');
    // ...and the polite side applied it as passive, keeping itself the DTLS client.
    const applied = politePc.remoteDescriptions.at(-1);
    expect(applied?.type).toBe('answer');
    expect(applied?.sdp).toContain('a=setup:passive');
    expect(politePc.signalingState).toBe('stable');
    // The restart offer (new credentials) went out and its answer was applied.
    expect(politePc.localDescription?.sdp?.match(/a=ice-ufrag:(\S+)/)?.[1]).not.toBe(ufragBefore);
    expect(logs.flatMap((log) => log.errors.map((error) => error.message))).toEqual([]);
    expect([call.a.state, call.b.state]).toEqual(['connected', 'connected']);
    call.a.end();
    await call.clock.advanceAsync(10);
    expectReleased(call.a, call.b);
  });

  it('the fake runtime refuses an answer that flips the role, like Chromium and wrtc', async () => {
    const runtime = new FakeRuntime({ autoConnect: false, gatherCandidates: false });
    const offerer = new runtime.RTCPeerConnection() as unknown as FakeRTCPeerConnection;
    const answerer = new runtime.RTCPeerConnection() as unknown as FakeRTCPeerConnection;
    const exchange = async (from: FakeRTCPeerConnection, to: FakeRTCPeerConnection) => {
      const offer = await from.createOffer();
      await from.setLocalDescription(offer);
      await to.setRemoteDescription(offer);
      const answer = await to.createAnswer();
      await to.setLocalDescription(answer);
      return answer;
    };
    // First exchange: the answerer takes the client role (active).
    await offerer.setRemoteDescription(await exchange(offerer, answerer));
    // The first answerer offers again and the other side answers active too (Firefox).
    offerer.answerSetup = 'active';
    const flipped = await exchange(answerer, offerer);
    expect(flipped.sdp).toContain('a=setup:active');
    await expect(answerer.setRemoteDescription(flipped)).rejects.toThrow(
      /Failed to set SSL role for the transport/,
    );
    expect(answerer.signalingState).toBe('have-local-offer');
    // The same answer with the role kept is accepted.
    await answerer.setRemoteDescription({
      type: 'answer',
      sdp: flipped.sdp?.replace('setup:active', 'setup:passive'),
    });
    expect(answerer.signalingState).toBe('stable');
    offerer.close();
    answerer.close();
  });

  it('a peer that keeps the role is applied unchanged', async () => {
    const { call, logs, politePc } = await restartByPolite('keep');
    expect(politePc.remoteDescriptions.at(-1)?.sdp).toContain('a=setup:passive');
    expect(politePc.signalingState).toBe('stable');
    expect(logs.flatMap((log) => log.errors)).toEqual([]);
    call.b.end();
    await call.clock.advanceAsync(10);
    expectReleased(call.a, call.b);
  });
});
