import { describe, expect, it } from 'vitest';
import { MUTE_RESYNC_INTERVAL_MS } from '../../../src/media/MuteSync.js';
import { settle } from '../../../src/testing/index.js';
import { driveTo, expectReleased, remoteSdp, solo } from '../../helpers/fakeCall.js';

// #11 item 8: a connected peer sending descriptions must not make this side flood its signaling channel
// with mute frames (90 stale answers a second once made a victim send 180 frames a second and get its
// relay socket closed for rate limiting).

describe('mute-state amplification', () => {
  it('1000 stale and duplicate answers on a connected call make the victim send no mute frame', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    const muteBefore = s.signaling.sentOfType('mute').length;
    const sentBefore = s.signaling.sent.length;
    for (let i = 0; i < 1000; i++) {
      // Half duplicates of the applied answer, half answers to an offer nobody made (stale).
      const answer = i % 2 === 0 ? remoteSdp('answer') : remoteSdp('answer', 'R1', 2 + i);
      s.signaling.message({ type: 'description', description: answer });
      if (i % 16 === 15) await settle();
    }
    await settle();
    await s.clock.advanceAsync(10 * MUTE_RESYNC_INTERVAL_MS);
    expect(s.signaling.sentOfType('mute').length - muteBefore).toBe(0);
    expect(s.signaling.sent.length - sentBefore).toBe(0);
    expect(s.session.state).toBe('connected');
    s.session.end();
    expectReleased(s.session);
  });

  it('descriptions that are applied re-send the mute state at most once per interval', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    s.session.setMuted('audio', true);
    const muteBefore = s.signaling.sentOfType('mute').length;
    // 200 renegotiation offers, each applied and answered, over 10 intervals of the session's clock.
    const offers = 200;
    const stepMs = (10 * MUTE_RESYNC_INTERVAL_MS) / offers;
    for (let i = 0; i < offers; i++) {
      s.signaling.message({ type: 'description', description: remoteSdp('offer', 'R1', 10 + i) });
      await s.clock.advanceAsync(stepMs);
    }
    await s.clock.advanceAsync(MUTE_RESYNC_INTERVAL_MS);
    const answers = s.signaling
      .sentOfType('description')
      .filter((message) => message.description.type === 'answer').length;
    expect(answers).toBe(offers); // the offers were really applied
    const resyncFrames = s.signaling.sentOfType('mute').length - muteBefore;
    // One resync (both kinds) per interval at most, plus the trailing one that the last requests coalesced into.
    expect(resyncFrames).toBeGreaterThan(0);
    expect(resyncFrames).toBeLessThanOrEqual(2 * (10 + 2));
    // The state still converges: the last frames carry the current state.
    expect(s.signaling.sentOfType('mute').slice(-2)).toEqual([
      { type: 'mute', kind: 'audio', muted: true },
      { type: 'mute', kind: 'video', muted: false },
    ]);
    s.session.end();
    expectReleased(s.session);
  });
});
