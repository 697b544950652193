import { describe, expect, it } from 'vitest';
import { settle } from '../../../src/testing/index.js';
import { driveTo, expectReleased, solo } from '../../helpers/fakeCall.js';

const OPTIONS = { disconnectGraceMs: 1000, maxIceRestarts: 2, iceRestartTimeoutMs: 4000, tickMs: 60_000 };

function trouble(events: string[]): string[] {
  return events.filter((e) => /^(state:|reconnecting|connected|ended)/.test(e));
}

describe('ICE disconnect, grace and restarts', () => {
  it('disconnected → reconnecting(0) at once', async () => {
    const s = solo(OPTIONS);
    await driveTo(s, 'connected');
    s.pc().setConnectionState('disconnected');
    expect(s.session.state).toBe('reconnecting');
    expect(s.log.events.slice(-2)).toEqual(['state:reconnecting', 'reconnecting:0']);
    s.session.end();
    expectReleased(s.session);
  });

  it('recovery within the grace period → connected, grace timer cleared, no restart', async () => {
    const s = solo(OPTIONS);
    await driveTo(s, 'connected');
    const timers = s.session.liveResources().timers;
    s.pc().setConnectionState('disconnected');
    expect(s.session.liveResources().timers).toBe(timers + 1);
    s.clock.advance(999);
    s.pc().setConnectionState('connected');
    expect(s.session.state).toBe('connected');
    expect(s.session.liveResources().timers).toBe(timers);
    s.clock.advance(10_000);
    expect(s.pc().restartIceCalls).toBe(0);
    expect(trouble(s.log.events).slice(-4)).toEqual([
      'state:reconnecting',
      'reconnecting:0',
      'state:connected',
      'connected',
    ]);
    s.session.end();
    expectReleased(s.session);
  });

  it('grace exceeded → restarts 1..maxIceRestarts, each bounded by iceRestartTimeoutMs, then ice-failed', async () => {
    const s = solo(OPTIONS);
    await driveTo(s, 'connected');
    const pc = s.pc();
    pc.setConnectionState('disconnected');
    s.clock.advance(999);
    expect(pc.restartIceCalls).toBe(0);
    s.clock.advance(1);
    expect(pc.restartIceCalls).toBe(1);
    expect(s.log.events.at(-1)).toBe('reconnecting:1');
    s.clock.advance(3999);
    expect(pc.restartIceCalls).toBe(1);
    s.clock.advance(1);
    expect(pc.restartIceCalls).toBe(2);
    expect(s.log.events.at(-1)).toBe('reconnecting:2');
    s.clock.advance(3999);
    expect(s.session.state).toBe('reconnecting');
    s.clock.advance(1);
    expect(s.session.endReason).toBe('ice-failed');
    expect(pc.restartIceCalls).toBe(2);
    expect(trouble(s.log.events).slice(-6)).toEqual([
      'state:reconnecting',
      'reconnecting:0',
      'reconnecting:1',
      'reconnecting:2',
      'state:ended',
      'ended:ice-failed',
    ]);
    expectReleased(s.session);
  });

  it('a restart sends a new offer with new ICE credentials', async () => {
    const s = solo(OPTIONS);
    await driveTo(s, 'connected');
    await settle();
    const before = s.signaling.sentOfType('description').length;
    const oldUfrag = s.pc().iceUfrag;
    s.pc().setConnectionState('failed');
    await settle();
    const offers = s.signaling.sentOfType('description').slice(before);
    expect(offers.length).toBeGreaterThan(0);
    expect(offers.every((m) => m.description.type === 'offer')).toBe(true);
    expect(s.pc().iceUfrag).not.toBe(oldUfrag);
    expect(offers.at(-1)?.description.sdp).toContain(`a=ice-ufrag:${s.pc().iceUfrag}`);
    s.session.end();
    expectReleased(s.session);
  });

  it('failed → an immediate restart (no grace)', async () => {
    const s = solo(OPTIONS);
    await driveTo(s, 'connected');
    s.pc().setConnectionState('failed');
    expect(s.session.state).toBe('reconnecting');
    expect(s.pc().restartIceCalls).toBe(1);
    expect(s.log.events.slice(-2)).toEqual(['state:reconnecting', 'reconnecting:1']);
    s.session.end();
    expectReleased(s.session);
  });

  it('failed during the grace period restarts at once; failed again during a restart does not stack one', async () => {
    const s = solo(OPTIONS);
    await driveTo(s, 'connected');
    s.pc().setConnectionState('disconnected');
    s.pc().setConnectionState('failed');
    expect(s.pc().restartIceCalls).toBe(1);
    s.pc().setConnectionState('failed');
    expect(s.pc().restartIceCalls).toBe(1);
    s.clock.advance(4000);
    expect(s.pc().restartIceCalls).toBe(2);
    s.session.end();
    expectReleased(s.session);
  });

  it('recovery during a restart → connected; the next trouble starts counting from 1 again', async () => {
    const s = solo(OPTIONS);
    await driveTo(s, 'connected');
    s.pc().setConnectionState('failed');
    s.clock.advance(4000);
    expect(s.log.events.at(-1)).toBe('reconnecting:2');
    s.pc().setConnectionState('connected');
    expect(s.session.state).toBe('connected');
    s.clock.advance(60_000);
    expect(s.session.state).toBe('connected');
    s.pc().setConnectionState('failed');
    expect(s.log.events.at(-1)).toBe('reconnecting:1');
    s.session.end();
    expectReleased(s.session);
  });

  it('maxIceRestarts: 0 ends with ice-failed when the grace runs out', async () => {
    const s = solo({ ...OPTIONS, maxIceRestarts: 0 });
    await driveTo(s, 'connected');
    s.pc().setConnectionState('disconnected');
    s.clock.advance(1000);
    expect(s.session.endReason).toBe('ice-failed');
    expect(s.pc().restartIceCalls).toBe(0);
    expectReleased(s.session);
  });

  it('a mute set before the drop is re-sent on recovery', async () => {
    const s = solo(OPTIONS);
    await driveTo(s, 'connected');
    s.session.setMuted('video', true);
    s.pc().setConnectionState('disconnected');
    s.pc().setConnectionState('connected');
    const mutes = s.signaling.sentOfType('mute');
    expect(mutes[0]).toEqual({ type: 'mute', kind: 'video', muted: true });
    expect(mutes.slice(1)).toContainEqual({ type: 'mute', kind: 'video', muted: true });
    s.session.end();
    expectReleased(s.session);
  });
});

describe('an ICE restart whose offer got no answer', () => {
  it('the next attempt sends a new restart offer directly (negotiationneeded never fires outside stable)', async () => {
    const s = solo({ disconnectGraceMs: 100, iceRestartTimeoutMs: 1000, maxIceRestarts: 2 });
    await driveTo(s, 'connected');
    const offers = () => s.signaling.sentOfType('description').filter((m) => m.description.type === 'offer');
    const ufragOf = (sdp: string | undefined) => /a=ice-ufrag:(\S+)/.exec(sdp ?? '')?.[1];
    expect(offers()).toHaveLength(1);
    s.pc().setConnectionState('disconnected');
    s.clock.advance(100);
    await settle();
    // Attempt 1 went out through restartIce() and negotiationneeded; its answer is lost.
    expect(offers()).toHaveLength(2);
    expect(s.pc().signalingState).toBe('have-local-offer');
    s.clock.advance(1000);
    await settle();
    // Attempt 2: still in have-local-offer, so the offer is made directly, with new credentials again.
    expect(s.log.events.filter((e) => e.startsWith('reconnecting'))).toEqual([
      'reconnecting:0',
      'reconnecting:1',
      'reconnecting:2',
    ]);
    expect(offers()).toHaveLength(3);
    const ufrags = offers().map((m) => ufragOf(m.description.sdp));
    expect(new Set(ufrags).size).toBe(3);
    s.clock.advance(1000);
    expect(s.session.endReason).toBe('ice-failed');
    expectReleased(s.session);
  });
});
