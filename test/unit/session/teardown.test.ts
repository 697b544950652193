import { afterEach, describe, expect, it, vi } from 'vitest';
import { CallEndedError, type HangupError } from '../../../src/index.js';
import {
  createFakeMediaStream,
  createFakeTrackEvent,
  type FakeMediaStreamTrack,
  fakeTrack,
  ManualClock,
  NOTHING_HELD,
  settle,
} from '../../../src/testing/index.js';
import { ALL_EVENTS, driveTo, expectReleased, LIVE_STATES, solo } from '../../helpers/fakeCall.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('teardown order and atomicity', () => {
  it.each(LIVE_STATES)('from %s: state is ended inside every listener teardown calls', async (state) => {
    const s = solo();
    await driveTo(s, state);
    // A throwing stop() makes teardown emit an error event too.
    const track = s.runtime.tracks[0];
    if (track) track.stopError = new Error('stop failed');
    const seen: string[] = [];
    for (const event of ALL_EVENTS) {
      s.session.on(event, () => {
        if (s.session.state === 'ended') seen.push(event);
        else seen.push(`${event}@${s.session.state}`);
      });
    }
    s.session.end();
    expect(seen).toEqual([...(track ? ['error'] : []), 'stateChange', 'ended']);
    expectReleased(s.session);
  });

  it('every resource is released before stateChange(ended) listeners run', async () => {
    const s = solo({ maxDurationMs: 60_000, endOnPageHide: true });
    await driveTo(s, 'connected');
    const pc = s.pc();
    const resources: unknown[] = [];
    s.session.on('stateChange', (state) => {
      if (state !== 'ended') return;
      resources.push(s.session.liveResources());
      resources.push(s.runtime.tracks.map((t) => t.readyState));
      resources.push(pc.closed, pc.hasHandlers(), s.signaling.subscribed, s.clock.pendingTimers);
      resources.push(s.session.localStream, s.session.remoteStream);
    });
    s.session.end();
    expect(resources).toEqual([
      NOTHING_HELD,
      ['ended', 'ended'],
      true,
      false,
      false,
      0,
      undefined,
      undefined,
    ]);
    expectReleased(s.session);
  });

  it('when teardown returns: every owned track ended, pc closed with no handlers, no timer left', async () => {
    const s = solo({ maxDurationMs: 60_000 });
    await driveTo(s, 'reconnecting');
    expect(s.runtime.tracks).toHaveLength(2);
    expect(s.clock.pendingTimers).toBeGreaterThan(0);
    const pc = s.pc();
    expect(pc.hasHandlers()).toBe(true);
    s.session.end();
    expect(s.runtime.tracks.map((track) => track.readyState)).toEqual(['ended', 'ended']);
    expect(pc.closed).toBe(true);
    expect(pc.hasHandlers()).toBe(false);
    expect(s.clock.pendingTimers).toBe(0);
    expect(s.signaling.subscribed).toBe(false);
    expectReleased(s.session);
  });

  it('is idempotent: a second call returns the same summary, sends and emits nothing', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    const first = s.session.end();
    const sentBefore = s.signaling.log.length;
    const late = vi.fn();
    for (const event of ALL_EVENTS) s.session.on(event, late);
    const second = s.session.teardown('error', new Error('again'));
    expect(second).toBe(first);
    expect(s.session.end()).toBe(first);
    expect(s.session.endReason).toBe('hangup');
    expect(s.signaling.log.length).toBe(sentBefore);
    expect(late).not.toHaveBeenCalled();
    expect(s.log.events.filter((e) => e.startsWith('ended'))).toEqual(['ended:hangup']);
    expectReleased(s.session);
  });

  it('emits stateChange(ended) then ended(summary) exactly once, resolves ended, rejects a pending start()', async () => {
    const s = solo();
    s.runtime.holdMedia();
    const started = s.session.start();
    await settle();
    const summary = s.session.teardown('disposed');
    expect(s.log.events.filter((e) => e.includes('ended'))).toEqual(['state:ended', 'ended:disposed']);
    await expect(s.session.ended).resolves.toBe(summary);
    const error = await started.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallEndedError);
    expect(error).toMatchObject({ reason: 'disposed', summary, code: 'CALL_ENDED' });
    expectReleased(s.session);
  });

  it('summary carries startedAt, connectedAt, endedAt and the connected duration', async () => {
    const s = solo();
    s.clock.advance(100);
    void s.session.start();
    await settle();
    s.clock.advance(50);
    s.pc().setConnectionState('connected');
    s.clock.advance(1234);
    const summary = s.session.end();
    expect(summary).toEqual({
      reason: 'hangup',
      startedAt: 100,
      connectedAt: 150,
      endedAt: 1384,
      durationMs: 1234,
    });
    expect(s.session.elapsedMs).toBe(1234);
    s.clock.advance(1000);
    expect(s.session.elapsedMs).toBe(1234);
    expectReleased(s.session);
  });

  it('a session never started ends with durationMs 0 and no startedAt', () => {
    const s = solo();
    expect(s.session.end()).toEqual({ reason: 'hangup', endedAt: 0, durationMs: 0 });
    expectReleased(s.session);
  });

  it('removes every listener after ending', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    s.session.on('tick', () => {});
    s.session.once('connected', () => {});
    const snapshot = vi.fn();
    s.session.subscribe(snapshot);
    s.session.end();
    expect(s.session.eventNames()).toEqual([]);
    snapshot.mockClear();
    s.session.teardown('error');
    expect(snapshot).not.toHaveBeenCalled();
    expectReleased(s.session);
  });
});

describe('a failing teardown step is reported, never thrown, and the others still run', () => {
  it('a throwing track.stop(): TEARDOWN_STEP_FAILED before ended; the other track and the pc are released', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    const [audio, video] = s.runtime.tracks as [FakeMediaStreamTrack, FakeMediaStreamTrack];
    const failure = new Error('device busy');
    audio.stopError = failure;
    expect(() => s.session.end()).not.toThrow();
    expect(s.log.events.slice(-3)).toEqual(['error:TEARDOWN_STEP_FAILED', 'state:ended', 'ended:hangup']);
    expect((s.log.errors[0] as HangupError).cause).toBe(failure);
    expect(s.log.errors[0]?.message).toContain('stop tracks');
    expect(video.readyState).toBe('ended');
    expect(s.pc().closed).toBe(true);
    expect(s.signaling.subscribed).toBe(false);
    await expect(s.session.ended).resolves.toMatchObject({ reason: 'hangup' });
    expect((await s.session.ended).error).toBeUndefined();
    expectReleased(s.session);
  });

  it('every throwing track is reported, each track stop() still attempted', async () => {
    const stream = createFakeMediaStream();
    const tracks = stream.getTracks().map(fakeTrack);
    for (const track of tracks) track.stopError = new Error(`stop ${track.kind}`);
    const s = solo({ media: stream });
    await driveTo(s, 'connecting');
    s.session.end();
    expect(tracks.map((t) => t.stopCalls)).toEqual([1, 1]);
    expect(s.log.errors.map((e) => (e as HangupError).code)).toEqual([
      'TEARDOWN_STEP_FAILED',
      'TEARDOWN_STEP_FAILED',
    ]);
    expectReleased(s.session);
  });

  it('a throwing pc.close(): reported; the pc is still closed and dropped, the tracks stopped', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    const pc = s.pc();
    pc.closeError = new Error('close failed');
    expect(() => s.session.end()).not.toThrow();
    expect(s.log.events.slice(-3)).toEqual(['error:TEARDOWN_STEP_FAILED', 'state:ended', 'ended:hangup']);
    expect(s.log.errors[0]?.message).toContain('close peer connection');
    expect(pc.closed).toBe(true);
    expect(pc.hasHandlers()).toBe(false);
    expect(s.runtime.liveTracks()).toEqual([]);
    expectReleased(s.session);
  });

  it('a throwing unsubscribe: reported; the subscription is still dropped', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    s.signaling.unsubscribeError = new Error('unsubscribe failed');
    expect(() => s.session.end()).not.toThrow();
    expect(s.log.events.slice(-3)).toEqual(['error:TEARDOWN_STEP_FAILED', 'state:ended', 'ended:hangup']);
    expect(s.log.errors[0]?.message).toContain('unsubscribe signaling');
    expectReleased(s.session);
  });

  it('a throwing bye send: reported; everything else still released', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    s.signaling.sendError = new Error('send failed');
    expect(() => s.session.end()).not.toThrow();
    expect(s.log.events.slice(-3)).toEqual(['error:TEARDOWN_STEP_FAILED', 'state:ended', 'ended:hangup']);
    expect(s.log.errors[0]?.message).toContain('send bye');
    expect(s.signaling.log.slice(-2)).toEqual(['send:bye', 'unsubscribe']);
    expect(s.runtime.liveTracks()).toEqual([]);
    expectReleased(s.session);
  });

  it('a bye whose send rejects later is not reported after the end (and is no unhandled rejection)', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    s.signaling.sendRejection = new Error('async send failure');
    const late = vi.fn();
    s.session.end();
    s.session.on('error', late);
    await settle();
    expect(late).not.toHaveBeenCalled();
    expect(s.log.errors).toEqual([]);
    expectReleased(s.session);
  });

  it('all failures at once: each reported in order, all before ended', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    s.signaling.sendError = new Error('send');
    (s.runtime.tracks[0] as FakeMediaStreamTrack).stopError = new Error('stop');
    s.pc().closeError = new Error('close');
    s.signaling.unsubscribeError = new Error('unsub');
    s.session.end();
    expect(s.log.errors.map((e) => e.message.match(/'([^']+)'/)?.[1])).toEqual([
      'send bye',
      'stop tracks',
      'close peer connection',
      'unsubscribe signaling',
    ]);
    expect(s.log.events.slice(-2)).toEqual(['state:ended', 'ended:hangup']);
    expectReleased(s.session);
  });
});

describe('nothing is emitted after ended', () => {
  function listenToEverything(session: ReturnType<typeof solo>['session']) {
    const late = vi.fn();
    for (const event of ALL_EVENTS) session.on(event, late);
    return late;
  }

  it('late peer-connection callbacks (captured before the end) do nothing', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    const pc = s.pc();
    const handlers = {
      state: pc.onconnectionstatechange,
      track: pc.ontrack,
      candidate: pc.onicecandidate,
      negotiation: pc.onnegotiationneeded,
    };
    s.session.end();
    const late = listenToEverything(s.session);
    const sent = s.signaling.log.length;
    pc.connectionState = 'disconnected';
    handlers.state?.call(pc, new Event('connectionstatechange'));
    pc.connectionState = 'failed';
    handlers.state?.call(pc, new Event('connectionstatechange'));
    const remote = createFakeMediaStream();
    handlers.track?.call(pc, createFakeTrackEvent(remote.getTracks()[0]!, [remote]));
    handlers.candidate?.call(pc, { candidate: null } as RTCPeerConnectionIceEvent);
    handlers.negotiation?.call(pc, new Event('negotiationneeded'));
    await settle();
    expect(late).not.toHaveBeenCalled();
    expect(s.signaling.log.length).toBe(sent);
    expect(s.session.state).toBe('ended');
    expectReleased(s.session);
  });

  it('late signaling events (an adapter that still calls the old listener) do nothing', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    s.session.end();
    const late = listenToEverything(s.session);
    s.signaling.deliverLate({ type: 'message', data: { type: 'bye', reason: 'hangup' } });
    s.signaling.deliverLate({ type: 'message', data: { type: 'mute', kind: 'audio', muted: true } });
    s.signaling.deliverLate({ type: 'message', data: 'garbage' });
    s.signaling.deliverLate({ type: 'peer-left' });
    s.signaling.deliverLate({ type: 'closed' });
    expect(late).not.toHaveBeenCalled();
    expect(s.session.endReason).toBe('hangup');
    expectReleased(s.session);
  });

  it('late timers (a clock that cannot cancel) do nothing', async () => {
    class LeakyClock extends ManualClock {
      override clearTimeout(): void {}
    }
    const clock = new LeakyClock();
    const s = solo({ clock, maxDurationMs: 10_000, expiryWarningMs: 5000, connectTimeoutMs: 3000 });
    s.clock = clock;
    await driveTo(s, 'connected');
    s.pc().setConnectionState('disconnected');
    s.session.end();
    const late = listenToEverything(s.session);
    clock.advance(60_000);
    expect(late).not.toHaveBeenCalled();
    expect(s.session.endReason).toBe('hangup');
    expect(s.signaling.sentOfType('bye')).toHaveLength(1);
    expect(s.runtime.peerConnections[0]?.restartIceCalls).toBe(0);
    expectReleased(s.session);
  });
});
