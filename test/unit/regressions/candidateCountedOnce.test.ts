import { describe, expect, it } from 'vitest';
import { settle } from '../../../src/testing/index.js';
import { driveTo, expectReleased, remoteCandidate, remoteSdp, solo } from '../../helpers/fakeCall.js';

// Review of #11: the candidate queue kept two "already counted" sets with different keys (the full trickled
// candidate, and the identity of a listed one), so a candidate trickled after the remote SDP had listed it
// was counted, and applied, a second time: a peer that lists its candidates and trickles them too (many do)
// tripped CANDIDATE_LIMIT at half the allowance. Now one set keyed by identity: counted once however it came.

type S = ReturnType<typeof solo>;

/** The peer's answer of generation R1 listing the candidates numbered 1 to `count`. */
function answerListing(count: number) {
  const description = remoteSdp('answer');
  let lines = '';
  for (let n = 1; n <= count; n++) lines += `a=${remoteCandidate(n).candidate}\r\n`;
  return { ...description, sdp: description.sdp + lines };
}

function trickle(s: S, from: number, count: number): void {
  for (let n = from; n < from + count; n++) {
    s.signaling.message({ type: 'candidate', candidate: remoteCandidate(n) });
  }
}

const limitErrors = (s: S) => s.log.events.filter((event) => event === 'error:CANDIDATE_LIMIT');

describe('a candidate listed in the SDP and trickled too is counted once', () => {
  it('trickled after the SDP listed it: dropped as a duplicate, no CANDIDATE_LIMIT; new ones past the allowance still trip it', async () => {
    const s = solo({ maxRemoteCandidates: 10 });
    await driveTo(s, 'connecting');
    s.signaling.message({ type: 'description', description: answerListing(6) });
    await settle();
    s.pc().setConnectionState('connected');
    trickle(s, 1, 6); // the same six, trickled as well
    await settle();
    expect(limitErrors(s)).toEqual([]);
    // The runtime has them from the SDP: none is applied a second time.
    expect(s.pc().addedCandidates).toEqual([]);
    // Four genuinely new ones fill the allowance of ten...
    trickle(s, 7, 4);
    await settle();
    expect(s.pc().addedCandidates).toEqual([7, 8, 9, 10].map((n) => remoteCandidate(n)));
    expect(limitErrors(s)).toEqual([]);
    // ...and the eleventh distinct candidate is over it.
    trickle(s, 11, 3);
    await settle();
    expect(s.pc().addedCandidates).toHaveLength(4);
    expect(limitErrors(s)).toEqual(['error:CANDIDATE_LIMIT']);
    expect(s.log.errors).toHaveLength(1);
    s.session.end();
    expectReleased(s.session);
  });

  it('trickled before the SDP that lists it (queued): not applied again at the flush, counted once', async () => {
    const s = solo({ maxRemoteCandidates: 10 });
    await driveTo(s, 'connecting');
    await settle();
    trickle(s, 1, 8); // they overtake the answer
    expect(s.session.liveResources().queuedCandidates).toBe(8);
    s.signaling.message({ type: 'description', description: answerListing(8) });
    await settle();
    expect(s.session.liveResources().queuedCandidates).toBe(0);
    expect(s.pc().addedCandidates).toEqual([]);
    expect(limitErrors(s)).toEqual([]);
    trickle(s, 9, 3);
    await settle();
    expect(s.pc().addedCandidates).toEqual([9, 10].map((n) => remoteCandidate(n)));
    expect(limitErrors(s)).toEqual(['error:CANDIDATE_LIMIT']);
    s.session.end();
    expectReleased(s.session);
  });

  it('a trickled candidate repeated with another sdpMid is still the same candidate', async () => {
    const s = solo({ maxRemoteCandidates: 2 });
    await driveTo(s, 'connected');
    s.signaling.message({ type: 'candidate', candidate: remoteCandidate(1) });
    s.signaling.message({
      type: 'candidate',
      candidate: { ...remoteCandidate(1), sdpMid: '1', sdpMLineIndex: 1 },
    });
    s.signaling.message({ type: 'candidate', candidate: remoteCandidate(2) });
    await settle();
    expect(s.pc().addedCandidates).toEqual([remoteCandidate(1), remoteCandidate(2)]);
    expect(limitErrors(s)).toEqual([]);
    s.session.end();
    expectReleased(s.session);
  });
});
