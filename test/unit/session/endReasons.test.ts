import { describe, expect, it } from 'vitest';
import {
  END_REASONS,
  type EndReason,
  isMediaAcquisitionError,
  MediaAcquisitionError,
} from '../../../src/index.js';
import { LOCALLY_CAUSED_END_REASONS } from '../../../src/model/endReason.js';
import { settle } from '../../../src/testing/index.js';
import {
  connect,
  driveTo,
  expectReleased,
  fakeCall,
  LIVE_STATES,
  type LiveState,
  solo,
} from '../../helpers/fakeCall.js';

describe('LOCALLY_CAUSED_END_REASONS', () => {
  it('is exactly the reasons caused on this side', () => {
    expect([...LOCALLY_CAUSED_END_REASONS].sort()).toEqual(
      [
        'connect-timeout',
        'disposed',
        'error',
        'expired',
        'hangup',
        'ice-failed',
        'media-error',
        'page-hide',
      ].sort(),
    );
    for (const reason of ['remote-hangup', 'peer-left', 'finalized', 'signaling-closed'] as EndReason[]) {
      expect(LOCALLY_CAUSED_END_REASONS.has(reason)).toBe(false);
    }
  });
});

describe('teardown(reason) from every reachable state', () => {
  const cases = LIVE_STATES.flatMap((state) => END_REASONS.map((reason) => [state, reason] as const));
  it.each(cases)('from %s with %s', async (state: LiveState, reason: EndReason) => {
    const s = solo();
    await driveTo(s, state);
    const cause = new Error('cause');
    const summary = s.session.teardown(reason, cause);
    expect(summary.reason).toBe(reason);
    expect(summary.error).toBe(cause);
    expect(s.session.state).toBe('ended');
    expect(s.session.endReason).toBe(reason);
    expect(s.log.events.slice(-2)).toEqual(['state:ended', `ended:${reason}`]);
    expect(s.log.states.at(-2)).toBe(state);
    // A bye goes out for a locally caused end of a started session, and before the subscription is dropped.
    const byeExpected = state !== 'idle' && LOCALLY_CAUSED_END_REASONS.has(reason);
    expect(s.signaling.sentOfType('bye')).toEqual(byeExpected ? [{ type: 'bye', reason }] : []);
    if (byeExpected) {
      expect(s.signaling.log.indexOf('send:bye')).toBeLessThan(s.signaling.log.indexOf('unsubscribe'));
    }
    if (state === 'idle') expect(s.signaling.log).toEqual([]);
    else expect(s.signaling.log.at(-1)).toBe('unsubscribe');
    expect(s.runtime.liveTracks()).toEqual([]);
    expect(s.runtime.openPeerConnections()).toEqual([]);
    await expect(s.session.ended).resolves.toBe(summary);
    expectReleased(s.session);
  });
});

async function startedSolo(state: LiveState, options = {}) {
  const s = solo(options);
  await driveTo(s, state);
  return s;
}

const SUBSCRIBED_STATES = ['starting', 'connecting', 'connected', 'reconnecting'] as const;

describe('natural triggers', () => {
  it.each(LIVE_STATES)('end() from %s is a hang-up', async (state) => {
    const s = await startedSolo(state);
    expect(s.session.end().reason).toBe('hangup');
    expect(s.signaling.sentOfType('bye')).toHaveLength(state === 'idle' ? 0 : 1);
    expectReleased(s.session);
  });

  it.each(SUBSCRIBED_STATES)(
    'a bye from the peer in %s is remote-hangup, with no bye back',
    async (state) => {
      const s = await startedSolo(state);
      s.signaling.message({ type: 'bye', reason: 'hangup' });
      expect(s.session.endReason).toBe('remote-hangup');
      expect(s.signaling.sentOfType('bye')).toEqual([]);
      expectReleased(s.session);
    },
  );

  it.each(SUBSCRIBED_STATES)('peer-left in %s ends with peer-left, no bye', async (state) => {
    const s = await startedSolo(state);
    s.signaling.deliver({ type: 'peer-left' });
    expect(s.session.endReason).toBe('peer-left');
    expect(s.signaling.sentOfType('bye')).toEqual([]);
    expectReleased(s.session);
  });

  it.each(SUBSCRIBED_STATES)('finalize in %s ends with finalized, no bye', async (state) => {
    const s = await startedSolo(state);
    s.signaling.deliver({ type: 'finalize', info: { by: 'server' } });
    expect(s.session.endReason).toBe('finalized');
    expect(s.signaling.sentOfType('bye')).toEqual([]);
    expectReleased(s.session);
  });

  it.each(['starting', 'connecting'] as const)(
    'signaling closed in %s (not connected) ends with signaling-closed',
    async (state) => {
      const s = await startedSolo(state);
      const cause = new Error('socket gone');
      s.signaling.deliver({ type: 'closed', error: cause });
      expect(s.session.endReason).toBe('signaling-closed');
      await expect(s.session.ended).resolves.toMatchObject({ reason: 'signaling-closed', error: cause });
      expect(s.signaling.sentOfType('bye')).toEqual([]);
      expectReleased(s.session);
    },
  );

  it('signaling closed while an ICE restart is under way ends with signaling-closed', async () => {
    const s = await startedSolo('reconnecting', { disconnectGraceMs: 1000 });
    s.clock.advance(1000);
    expect(s.pc().restartIceCalls).toBe(1);
    s.signaling.deliver({ type: 'closed' });
    expect(s.session.endReason).toBe('signaling-closed');
    expectReleased(s.session);
  });

  it('signaling closed during the disconnect grace is only an error event: the call may still recover', async () => {
    const s = await startedSolo('reconnecting', { disconnectGraceMs: 1000 });
    s.signaling.deliver({ type: 'closed' });
    expect(s.session.state).toBe('reconnecting');
    expect(s.log.events.at(-1)).toBe('error:SIGNALING_CLOSED');
    s.pc().setConnectionState('connected');
    expect(s.session.state).toBe('connected');
    s.clock.advance(60_000);
    expect(s.session.state).toBe('connected');
    s.session.end();
    expectReleased(s.session);
  });

  it('signaling closed during the disconnect grace, then no recovery: signaling-closed when the restart needs it', async () => {
    const s = await startedSolo('reconnecting', { disconnectGraceMs: 1000 });
    s.signaling.deliver({ type: 'closed' });
    s.clock.advance(999);
    expect(s.session.state).toBe('reconnecting');
    s.clock.advance(1);
    expect(s.session.endReason).toBe('signaling-closed');
    expect(s.pc().restartIceCalls).toBe(0);
    expectReleased(s.session);
  });

  it('signaling closed while connected is only an error event: the call continues', async () => {
    const s = await startedSolo('connected');
    s.signaling.deliver({ type: 'closed' });
    expect(s.session.state).toBe('connected');
    expect(s.log.events.at(-1)).toBe('error:SIGNALING_CLOSED');
    s.clock.advance(60_000);
    expect(s.session.state).toBe('connected');
    s.session.end();
    expectReleased(s.session);
  });

  it('signaling closed while connected, then an ICE restart is needed: signaling-closed', async () => {
    const s = await startedSolo('connected', { disconnectGraceMs: 1000 });
    s.signaling.deliver({ type: 'closed' });
    s.pc().setConnectionState('disconnected');
    expect(s.session.state).toBe('reconnecting');
    s.clock.advance(1000);
    expect(s.session.endReason).toBe('signaling-closed');
    expect(s.pc().restartIceCalls).toBe(0);
    expectReleased(s.session);
  });

  it('connect timeout counts media acquisition time (ends in starting)', async () => {
    const s = await startedSolo('starting', { connectTimeoutMs: 5000 });
    s.clock.advance(4999);
    expect(s.session.state).toBe('starting');
    s.clock.advance(1);
    expect(s.session.endReason).toBe('connect-timeout');
    expect(s.signaling.sentOfType('bye')).toEqual([{ type: 'bye', reason: 'connect-timeout' }]);
    expect(s.runtime.pendingMedia).toHaveLength(1);
    expectReleased(s.session);
    // The camera that arrives after the timeout is stopped at once.
    const late = s.runtime.pendingMedia[0]!.resolve();
    await settle();
    expect(late.getTracks().every((track) => track.readyState === 'ended')).toBe(true);
    expectReleased(s.session);
  });

  it('connect timeout while connecting', async () => {
    const s = solo({ connectTimeoutMs: 5000 });
    void s.session.start();
    await settle();
    expect(s.session.state).toBe('connecting');
    s.clock.advance(5000);
    expect(s.session.endReason).toBe('connect-timeout');
    expectReleased(s.session);
  });

  it('connectTimeoutMs: 0 disables the connect timeout', async () => {
    const s = await startedSolo('connecting', { connectTimeoutMs: 0 });
    s.clock.advance(10 * 60_000);
    expect(s.session.state).toBe('connecting');
    s.session.end();
    expectReleased(s.session);
  });

  it.each(['connected', 'reconnecting'] as const)(
    'expiry in %s ends with expired and a bye',
    async (state) => {
      const s = await startedSolo(state, { maxDurationMs: 10_000, disconnectGraceMs: 60_000 });
      s.clock.advance(10_000);
      expect(s.session.endReason).toBe('expired');
      expect(s.signaling.sentOfType('bye')).toEqual([{ type: 'bye', reason: 'expired' }]);
      expectReleased(s.session);
    },
  );

  it('ICE failed after the restarts are exhausted', async () => {
    const s = await startedSolo('reconnecting', {
      disconnectGraceMs: 1000,
      maxIceRestarts: 1,
      iceRestartTimeoutMs: 2000,
    });
    s.clock.advance(1000);
    expect(s.pc().restartIceCalls).toBe(1);
    s.clock.advance(2000);
    expect(s.session.endReason).toBe('ice-failed');
    expect(s.signaling.sentOfType('bye')).toEqual([{ type: 'bye', reason: 'ice-failed' }]);
    expectReleased(s.session);
  });

  it('ICE failed while connecting ends at once', async () => {
    const s = await startedSolo('connecting');
    s.pc().setConnectionState('failed');
    expect(s.session.endReason).toBe('ice-failed');
    expectReleased(s.session);
  });

  it('media-error: the summary error is a MediaAcquisitionError whose cause is the DOMException', async () => {
    const s = solo();
    const denied = new DOMException('Permission denied', 'NotAllowedError');
    s.runtime.failMedia(denied);
    const started = s.session.start();
    await expect(started).rejects.toMatchObject({ name: 'CallEndedError', reason: 'media-error' });
    expect(s.session.endReason).toBe('media-error');
    const summary = await s.session.ended;
    expect(summary.error).toBeInstanceOf(MediaAcquisitionError);
    expect(isMediaAcquisitionError(summary.error)).toBe(true);
    expect((summary.error as MediaAcquisitionError).cause).toBe(denied);
    expect((summary.error as MediaAcquisitionError).code).toBe('MEDIA_ACQUISITION');
    expect(s.signaling.sentOfType('bye')).toEqual([{ type: 'bye', reason: 'media-error' }]);
    expectReleased(s.session);
  });

  it.each(SUBSCRIBED_STATES)('window pagehide in %s ends with page-hide and a bye', async (state) => {
    const s = await startedSolo(state, { endOnPageHide: true });
    expect(s.session.liveResources().domListeners).toBe(2);
    window.dispatchEvent(new Event('pagehide'));
    expect(s.session.endReason).toBe('page-hide');
    expect(s.signaling.sentOfType('bye')).toEqual([{ type: 'bye', reason: 'page-hide' }]);
    expectReleased(s.session);
  });

  it('pagehide before start() does nothing (no listener yet)', () => {
    const s = solo({ endOnPageHide: true });
    expect(s.session.liveResources().domListeners).toBe(0);
    window.dispatchEvent(new Event('pagehide'));
    expect(s.session.state).toBe('idle');
    s.session.end();
    expectReleased(s.session);
  });

  it('endOnPageHide: false ignores pagehide', async () => {
    const s = await startedSolo('connected', { endOnPageHide: false });
    expect(s.session.liveResources().domListeners).toBe(0);
    window.dispatchEvent(new Event('pagehide'));
    expect(s.session.state).toBe('connected');
    s.session.end();
    expectReleased(s.session);
  });

  it('the pagehide listener is removed at teardown (a later pagehide reaches nothing)', async () => {
    const s = await startedSolo('connected', { endOnPageHide: true });
    const removeSpy = vi_spyRemove();
    s.session.end();
    expect(removeSpy.calls).toContain('pagehide');
    removeSpy.restore();
    expectReleased(s.session);
  });

  it('disposed (an owner releasing the session) sends a bye', async () => {
    const s = await startedSolo('connected');
    expect(s.session.teardown('disposed').reason).toBe('disposed');
    expect(s.signaling.sentOfType('bye')).toEqual([{ type: 'bye', reason: 'disposed' }]);
    expectReleased(s.session);
  });

  it('a peer connection that closes by itself ends with error', async () => {
    const s = await startedSolo('connected');
    s.pc().setConnectionState('closed');
    expect(s.session.endReason).toBe('error');
    expect(s.signaling.sentOfType('bye')).toEqual([{ type: 'bye', reason: 'error' }]);
    expectReleased(s.session);
  });

  it('an internal failure while opening the peer connection ends with error', async () => {
    const s = solo();
    const boom = new Error('constructor failed');
    (s.runtime as { RTCPeerConnection: unknown }).RTCPeerConnection = class {
      constructor() {
        throw boom;
      }
    };
    void s.session.start();
    await settle();
    expect(s.session.endReason).toBe('error');
    expect((await s.session.ended).error).toBe(boom);
    expect(s.runtime.liveTracks()).toEqual([]);
    expectReleased(s.session);
  });
});

describe('the bye reaches the peer over the in-memory pair', () => {
  it.each([
    ['hangup', (call: ReturnType<typeof fakeCall>) => call.a.end()],
    ['expired', (call: ReturnType<typeof fakeCall>) => call.clock.advance(5000)],
    ['disposed', (call: ReturnType<typeof fakeCall>) => call.a.teardown('disposed')],
  ] as const)('%s on one side is remote-hangup on the other', async (reason, trigger) => {
    const call = fakeCall({ maxDurationMs: 5000 });
    await connect(call);
    trigger(call);
    expect(call.a.endReason).toBe(reason);
    expect(call.sent.a.at(-1)).toEqual({ type: 'bye', reason });
    await call.clock.advanceAsync(1);
    expect(call.b.endReason).toBe(reason === 'expired' ? 'expired' : 'remote-hangup');
    expect(call.runtime.liveTracks()).toEqual([]);
    expectReleased(call.a, call.b);
  });

  it('peer-left and finalize from the pair end both sides without a bye', async () => {
    const call = fakeCall();
    await connect(call);
    call.pair.leave('a');
    await call.clock.advanceAsync(1);
    expect(call.b.endReason).toBe('peer-left');
    expect(call.sent.b.filter((m) => m.type === 'bye')).toEqual([]);
    call.a.end();
    expectReleased(call.a, call.b);

    const again = fakeCall();
    await connect(again);
    again.pair.finalize({ why: 'billing' });
    // Both deliveries in one synchronous step: the server's finalize reaches both sides at the same moment.
    again.clock.advance(1);
    expect(again.a.endReason).toBe('finalized');
    expect(again.b.endReason).toBe('finalized');
    expectReleased(again.a, again.b);
  });
});

function vi_spyRemove(): { calls: string[]; restore(): void } {
  const calls: string[] = [];
  const original = window.removeEventListener.bind(window);
  window.removeEventListener = ((type: string, ...rest: unknown[]) => {
    calls.push(type);
    return (original as (...args: unknown[]) => void)(type, ...rest);
  }) as typeof window.removeEventListener;
  return {
    calls,
    restore: () => {
      window.removeEventListener = original;
    },
  };
}
