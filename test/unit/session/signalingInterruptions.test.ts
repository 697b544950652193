import { describe, expect, it } from 'vitest';
import { isHangupError } from '../../../src/index.js';
import { settle } from '../../../src/testing/index.js';
import { driveTo, expectReleased, type Solo, solo } from '../../helpers/fakeCall.js';

const offersSent = (s: Solo) =>
  s.signaling.sentOfType('description').filter((message) => message.description.type === 'offer').length;

const RECOVERY = { disconnectGraceMs: 100, iceRestartTimeoutMs: 1_000, maxIceRestarts: 2 } as const;

describe('signaling interruptions never end a call by themselves', () => {
  it('interrupted then resumed on a connected call: no end, no state change, no error', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    s.signaling.deliver({ type: 'interrupted' });
    await s.clock.advanceAsync(60_000);
    expect(s.session.state).toBe('connected');
    s.signaling.deliver({ type: 'resumed' });
    expect(s.session.state).toBe('connected');
    expect(s.log.errors).toEqual([]);
    s.session.end();
    expectReleased(s.session);
  });

  it('interrupted while connecting: the call goes on; only its own connect timeout bounds it', async () => {
    const s = solo({ connectTimeoutMs: 5_000 });
    await driveTo(s, 'connecting');
    s.signaling.deliver({ type: 'interrupted' });
    await s.clock.advanceAsync(4_999);
    expect(s.session.state).toBe('connecting');
    await s.clock.advanceAsync(1);
    expect(s.session.endReason).toBe('connect-timeout');
    expectReleased(s.session);
  });

  it('an ICE restart needing signaling waits for resumed, then goes out within its bound', async () => {
    const s = solo(RECOVERY);
    await driveTo(s, 'connected');
    const before = offersSent(s);
    s.signaling.deliver({ type: 'interrupted' });
    s.pc().setConnectionState('disconnected');
    await s.clock.advanceAsync(100); // grace over: restart 1 is due
    expect(s.log.events).toContain('reconnecting:1');
    expect(offersSent(s)).toBe(before); // nothing can carry it yet
    await s.clock.advanceAsync(500);
    expect(offersSent(s)).toBe(before);
    s.signaling.deliver({ type: 'resumed' });
    await settle();
    expect(offersSent(s)).toBe(before + 1);
    s.pc().setConnectionState('connected');
    expect(s.session.state).toBe('connected');
    s.session.end();
    expectReleased(s.session);
  });

  it('a restart waiting for signaling that never resumes is still bounded: ice-failed with ICE_FAILED', async () => {
    const s = solo(RECOVERY);
    await driveTo(s, 'connected');
    s.signaling.deliver({ type: 'interrupted' });
    s.pc().setConnectionState('disconnected');
    await s.clock.advanceAsync(100 + 1_000 + 1_000);
    const summary = await s.session.ended;
    expect(summary.reason).toBe('ice-failed');
    expect(isHangupError(summary.error) && summary.error.code).toBe('ICE_FAILED');
    expectReleased(s.session);
  });

  it('closed stays final: closed after interrupted, while a restart waits for signaling, ends signaling-closed', async () => {
    const s = solo(RECOVERY);
    await driveTo(s, 'connected');
    s.signaling.deliver({ type: 'interrupted' });
    s.pc().setConnectionState('disconnected');
    await s.clock.advanceAsync(100);
    s.signaling.deliver({ type: 'closed' });
    expect(s.session.endReason).toBe('signaling-closed');
    expectReleased(s.session);
  });

  it('a resumed without an interruption, or a second one, does nothing', async () => {
    const s = solo(RECOVERY);
    await driveTo(s, 'connected');
    const before = offersSent(s);
    s.signaling.deliver({ type: 'resumed' });
    s.signaling.deliver({ type: 'interrupted' });
    s.signaling.deliver({ type: 'resumed' });
    s.signaling.deliver({ type: 'resumed' });
    await settle();
    expect(offersSent(s)).toBe(before);
    expect(s.session.state).toBe('connected');
    s.session.end();
    expectReleased(s.session);
  });
});
