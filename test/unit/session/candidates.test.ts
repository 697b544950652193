import { describe, expect, it } from 'vitest';
import { settle } from '../../../src/testing/index.js';
import { driveTo, expectReleased, remoteCandidate, remoteSdp, solo } from '../../helpers/fakeCall.js';

function sendCandidate(s: ReturnType<typeof solo>, candidate: RTCIceCandidateInit | null): void {
  s.signaling.message({ type: 'candidate', candidate });
}

/** Connecting, with our offer out (have-local-offer), waiting for the remote answer. */
async function awaitingAnswer(options = {}) {
  const s = solo(options);
  await driveTo(s, 'connecting');
  await settle();
  expect(s.pc().signalingState).toBe('have-local-offer');
  return s;
}

describe('remote candidates', () => {
  it('are queued before the remote description and flushed in arrival order after it', async () => {
    const s = await awaitingAnswer();
    for (const n of [3, 1, 2]) sendCandidate(s, remoteCandidate(n));
    expect(s.session.liveResources().queuedCandidates).toBe(3);
    expect(s.pc().addedCandidates).toEqual([]);
    s.signaling.message({ type: 'description', description: remoteSdp('answer') });
    await settle();
    expect(s.pc().addedCandidates).toEqual([remoteCandidate(3), remoteCandidate(1), remoteCandidate(2)]);
    expect(s.session.liveResources().queuedCandidates).toBe(0);
    // After the description, candidates go straight in.
    sendCandidate(s, remoteCandidate(4));
    await settle();
    expect(s.pc().addedCandidates.at(-1)).toEqual(remoteCandidate(4));
    s.session.end();
    expectReleased(s.session);
  });

  it('candidates that arrive while media is still being acquired are kept too', async () => {
    const s = solo();
    await driveTo(s, 'starting');
    sendCandidate(s, remoteCandidate(1));
    sendCandidate(s, remoteCandidate(2));
    expect(s.session.liveResources().queuedCandidates).toBe(2);
    s.runtime.pendingMedia[0]!.resolve();
    await settle();
    s.signaling.message({ type: 'description', description: remoteSdp('answer') });
    await settle();
    expect(s.pc().addedCandidates).toEqual([remoteCandidate(1), remoteCandidate(2)]);
    s.session.end();
    expectReleased(s.session);
  });

  it('the queue is capped: overflow is one CANDIDATE_QUEUE_FULL error event and the queue does not grow', async () => {
    const s = await awaitingAnswer({ maxQueuedCandidates: 2 });
    for (const n of [1, 2, 3, 4]) sendCandidate(s, remoteCandidate(n));
    expect(s.session.liveResources().queuedCandidates).toBe(2);
    // Once per filling, not once per dropped candidate.
    expect(s.log.events.filter((e) => e.startsWith('error'))).toEqual(['error:CANDIDATE_QUEUE_FULL']);
    expect(s.log.errors[0]?.message).toContain('maxQueuedCandidates');
    expect(s.session.state).toBe('connecting');
    s.signaling.message({ type: 'description', description: remoteSdp('answer') });
    await settle();
    expect(s.pc().addedCandidates).toEqual([remoteCandidate(1), remoteCandidate(2)]);
    s.session.end();
    expectReleased(s.session);
  });

  it('the cap also holds before the peer connection exists', async () => {
    const s = solo({ maxQueuedCandidates: 1 });
    await driveTo(s, 'starting');
    sendCandidate(s, remoteCandidate(1));
    sendCandidate(s, remoteCandidate(2));
    expect(s.session.liveResources().queuedCandidates).toBe(1);
    expect(s.log.events.at(-1)).toBe('error:CANDIDATE_QUEUE_FULL');
    s.session.end();
    expectReleased(s.session);
  });

  it('duplicates are dropped, queued or not', async () => {
    const s = await awaitingAnswer();
    sendCandidate(s, remoteCandidate(1));
    sendCandidate(s, remoteCandidate(1));
    expect(s.session.liveResources().queuedCandidates).toBe(1);
    s.signaling.message({ type: 'description', description: remoteSdp('answer') });
    await settle();
    sendCandidate(s, remoteCandidate(1));
    sendCandidate(s, remoteCandidate(2));
    sendCandidate(s, remoteCandidate(2));
    await settle();
    expect(s.pc().addedCandidates).toEqual([remoteCandidate(1), remoteCandidate(2)]);
    expect(s.log.errors).toEqual([]);
    s.session.end();
    expectReleased(s.session);
  });

  it('candidates of a replaced ICE generation (old usernameFragment after a restart) are dropped', async () => {
    const s = await awaitingAnswer();
    s.signaling.message({ type: 'description', description: remoteSdp('answer', 'R1') });
    await settle();
    s.pc().setConnectionState('connected');
    sendCandidate(s, remoteCandidate(1, 'R1'));
    await settle();
    // The peer restarts ICE: a new offer with a new ufrag.
    s.signaling.message({ type: 'description', description: remoteSdp('offer', 'R2', 2) });
    await settle();
    expect(s.pc().remoteDescription?.sdp).toContain('a=ice-ufrag:R2');
    sendCandidate(s, remoteCandidate(2, 'R1')); // late candidate of the old generation
    sendCandidate(s, remoteCandidate(3, 'R2'));
    await settle();
    expect(s.pc().addedCandidates).toEqual([remoteCandidate(1, 'R1'), remoteCandidate(3, 'R2')]);
    // Dropped, not parked: nothing waits in the queue for a generation that will never come back.
    expect(s.session.liveResources().queuedCandidates).toBe(0);
    expect(s.log.errors).toEqual([]);
    s.session.end();
    expectReleased(s.session);
  });

  it('a candidate of a newer generation that overtakes its offer waits for it', async () => {
    const s = await awaitingAnswer();
    s.signaling.message({ type: 'description', description: remoteSdp('answer', 'R1') });
    await settle();
    sendCandidate(s, remoteCandidate(5, 'R2'));
    await settle();
    expect(s.pc().addedCandidates).toEqual([]);
    expect(s.session.liveResources().queuedCandidates).toBe(1);
    s.signaling.message({ type: 'description', description: remoteSdp('offer', 'R2', 2) });
    await settle();
    expect(s.pc().addedCandidates).toEqual([remoteCandidate(5, 'R2')]);
    s.session.end();
    expectReleased(s.session);
  });

  it('a failing addIceCandidate is a CANDIDATE_FAILED error event; the call continues', async () => {
    const s = await awaitingAnswer();
    s.signaling.message({ type: 'description', description: remoteSdp('answer') });
    await settle();
    s.pc().setConnectionState('connected');
    const failure = new Error('bad candidate');
    s.pc().failNext('addIceCandidate', failure);
    sendCandidate(s, remoteCandidate(1));
    await settle();
    expect(s.log.events.at(-1)).toBe('error:CANDIDATE_FAILED');
    expect(s.log.errors[0]?.cause).toBe(failure);
    expect(s.session.state).toBe('connected');
    sendCandidate(s, remoteCandidate(2));
    await settle();
    expect(s.pc().addedCandidates).toEqual([remoteCandidate(2)]);
    s.session.end();
    expectReleased(s.session);
  });

  it('end-of-candidates (null) is accepted silently', async () => {
    const s = await awaitingAnswer();
    sendCandidate(s, null);
    s.signaling.message({ type: 'description', description: remoteSdp('answer') });
    sendCandidate(s, null);
    await settle();
    expect(s.log.errors).toEqual([]);
    expect(s.session.liveResources().queuedCandidates).toBe(0);
    s.session.end();
    expectReleased(s.session);
  });

  it('queued candidates are dropped at teardown', async () => {
    const s = await awaitingAnswer();
    for (const n of [1, 2, 3]) sendCandidate(s, remoteCandidate(n));
    expect(s.session.liveResources().queuedCandidates).toBe(3);
    s.session.end();
    expectReleased(s.session);
  });

  it('local candidates are sent to the peer', async () => {
    const s = await awaitingAnswer();
    s.pc().emitIceCandidate({
      candidate: 'candidate:9 1 udp 1 10.1.1.1 9 typ host',
      sdpMid: '0',
      sdpMLineIndex: 0,
      usernameFragment: 'L1',
    });
    s.pc().emitIceCandidate(null);
    expect(s.signaling.sentOfType('candidate')).toEqual([
      {
        type: 'candidate',
        candidate: {
          candidate: 'candidate:9 1 udp 1 10.1.1.1 9 typ host',
          sdpMid: '0',
          sdpMLineIndex: 0,
          usernameFragment: 'L1',
        },
      },
      { type: 'candidate', candidate: null },
    ]);
    s.session.end();
    expectReleased(s.session);
  });
});

describe('a candidate retired while on its way to the connection', () => {
  it('fails quietly (debug), not as CANDIDATE_FAILED: an ICE restart made it stale', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    const held = s.pc().holdNext('addIceCandidate');
    s.signaling.message({ type: 'candidate', candidate: remoteCandidate(1, 'R1') });
    await settle();
    // The peer restarts ICE: its new offer retires generation R1 while that candidate is still in flight.
    s.signaling.message({ type: 'description', description: remoteSdp('offer', 'R2', 2) });
    await settle();
    expect(s.pc().remoteDescriptions.at(-1)?.sdp).toContain('a=ice-ufrag:R2');
    held.reject(new DOMException('Unknown ufrag', 'OperationError'));
    await settle();
    expect(s.log.events.filter((e) => e.startsWith('error'))).toEqual([]);
    expect(s.session.state).toBe('connected');
    s.session.end();
    expectReleased(s.session);
  });
});
