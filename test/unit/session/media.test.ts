import { describe, expect, it } from 'vitest';
import { createFakeMediaStream, type FakeMediaStreamTrack, settle } from '../../../src/testing/index.js';
import { connect, driveTo, expectReleased, fakeCall, solo } from '../../helpers/fakeCall.js';

describe('media acquisition racing teardown', () => {
  it('getUserMedia resolving after teardown: tracks stopped at once, never exposed', async () => {
    const s = solo();
    s.runtime.holdMedia();
    void s.session.start();
    await settle();
    expect(s.session.liveResources().pendingAcquisitions).toBe(1);
    s.session.end();
    expect(s.session.liveResources().pendingAcquisitions).toBe(0);
    const stream = s.runtime.pendingMedia[0]!.resolve();
    await settle();
    expect(stream.getTracks().map((track) => track.readyState)).toEqual(['ended', 'ended']);
    expect(s.session.localStream).toBeUndefined();
    expect(s.log.events).not.toContain('localStream');
    // The peer connection is built while the camera starts; teardown closed it before any track was added.
    expect(s.runtime.peerConnections).toHaveLength(1);
    expect(s.runtime.peerConnections[0]!.closed).toBe(true);
    expect(s.runtime.peerConnections[0]!.getSenders()).toEqual([]);
    expect(s.runtime.liveTracks()).toEqual([]);
    expectReleased(s.session);
  });

  it('getUserMedia rejecting after teardown: nothing happens (no media-error, no error event)', async () => {
    const s = solo();
    s.runtime.holdMedia();
    void s.session.start();
    await settle();
    s.session.end();
    s.runtime.pendingMedia[0]!.reject(new DOMException('denied', 'NotAllowedError'));
    await settle();
    expect(s.session.endReason).toBe('hangup');
    expect(s.log.errors).toEqual([]);
    expect(s.log.events.filter((e) => e.startsWith('ended'))).toEqual(['ended:hangup']);
    expectReleased(s.session);
  });

  it('pendingAcquisitions counts the request in flight and drops to 0 when it resolves', async () => {
    const s = solo();
    s.runtime.holdMedia();
    void s.session.start();
    await settle();
    expect(s.session.liveResources()).toMatchObject({ pendingAcquisitions: 1, tracks: 0 });
    s.runtime.pendingMedia[0]!.resolve();
    await settle();
    expect(s.session.liveResources()).toMatchObject({
      pendingAcquisitions: 0,
      tracks: 2,
      peerConnection: true,
    });
    expect(s.log.events).toContain('localStream');
    expect(s.session.localStream?.getTracks()).toHaveLength(2);
    s.session.end();
    expectReleased(s.session);
  });

  it('acquires with the given constraints', async () => {
    const s = solo({ media: { audio: true, video: false } });
    await driveTo(s, 'connecting');
    expect(s.runtime.mediaRequests).toEqual([{ audio: true, video: false }]);
    expect(s.runtime.tracks.map((track) => track.kind)).toEqual(['audio']);
    s.session.end();
    expectReleased(s.session);
  });
});

describe('a stream handed in', () => {
  it('is owned and stopped at teardown by default', async () => {
    const stream = createFakeMediaStream();
    const s = solo({ media: stream });
    await driveTo(s, 'connected');
    expect(s.runtime.mediaRequests).toEqual([]);
    expect(s.session.localStream).toBe(stream);
    expect(s.session.liveResources().tracks).toBe(2);
    s.session.end();
    expect(stream.getTracks().map((track) => track.readyState)).toEqual(['ended', 'ended']);
    expectReleased(s.session);
  });

  it('with stopProvidedStream: false is not stopped, but the session drops its reference', async () => {
    const stream = createFakeMediaStream();
    const s = solo({ media: stream, stopProvidedStream: false });
    await driveTo(s, 'connected');
    expect(s.session.liveResources().tracks).toBe(0);
    s.session.end();
    expect(stream.getTracks().map((track) => track.readyState)).toEqual(['live', 'live']);
    expect(s.session.localStream).toBeUndefined();
    expectReleased(s.session);
  });

  it('handed in and the call ended before start(): stopped (the session owns it from construction)', () => {
    const stream = createFakeMediaStream();
    const s = solo({ media: stream });
    expect(s.session.liveResources().tracks).toBe(2);
    s.session.end();
    expect(stream.getTracks().map((track) => track.readyState)).toEqual(['ended', 'ended']);
    expectReleased(s.session);
  });

  it('handed in with stopProvidedStream: false and ended before start(): left running', () => {
    const stream = createFakeMediaStream();
    const s = solo({ media: stream, stopProvidedStream: false });
    s.session.end();
    expect(stream.getTracks().map((track) => track.readyState)).toEqual(['live', 'live']);
    expectReleased(s.session);
  });

  it('handed in and the call ended inside start() (synchronous peer-left): stopped', async () => {
    const stream = createFakeMediaStream();
    const s = solo({ media: stream });
    const subscribe = s.signaling.subscribe.bind(s.signaling);
    s.signaling.subscribe = (listener) => {
      const unsubscribe = subscribe(listener);
      listener({ type: 'peer-left' });
      return unsubscribe;
    };
    await s.session.start().catch(() => {});
    expect(s.session.endReason).toBe('peer-left');
    expect(stream.getTracks().map((track) => track.readyState)).toEqual(['ended', 'ended']);
    expectReleased(s.session);
  });
});

describe('media: false', () => {
  it('receives only: two recvonly transceivers, no getUserMedia', async () => {
    const s = solo({ media: false });
    await driveTo(s, 'connected');
    expect(s.runtime.mediaRequests).toEqual([]);
    expect(s.session.localStream).toBeUndefined();
    expect(s.pc().transceivers.map((t) => [t.receiver.track.kind, t.direction])).toEqual([
      ['audio', 'recvonly'],
      ['video', 'recvonly'],
    ]);
    expect(s.log.events).not.toContain('localStream');
    s.session.end();
    expectReleased(s.session);
  });
});

describe('mute', () => {
  it('setMuted toggles track.enabled, keeps the tracks live, sends a mute message', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    const [audio, video] = s.runtime.tracks as [FakeMediaStreamTrack, FakeMediaStreamTrack];
    s.session.setMuted('audio', true);
    expect(s.session.isMuted('audio')).toBe(true);
    expect(s.session.isMuted('video')).toBe(false);
    expect([audio.enabled, video.enabled]).toEqual([false, true]);
    expect([audio.readyState, video.readyState]).toEqual(['live', 'live']);
    expect(s.signaling.sentOfType('mute')).toEqual([{ type: 'mute', kind: 'audio', muted: true }]);
    s.session.setMuted('video', true);
    s.session.setMuted('audio', false);
    expect([audio.enabled, video.enabled]).toEqual([true, false]);
    expect(s.signaling.sentOfType('mute').slice(1)).toEqual([
      { type: 'mute', kind: 'video', muted: true },
      { type: 'mute', kind: 'audio', muted: false },
    ]);
    s.session.end();
    expectReleased(s.session);
  });

  it('applies to media that arrives later', async () => {
    const s = solo();
    s.session.setMuted('video', true);
    expect(s.signaling.sent).toEqual([]);
    s.runtime.holdMedia();
    void s.session.start();
    await settle();
    s.runtime.pendingMedia[0]!.resolve();
    await settle();
    const [audio, video] = s.runtime.tracks as [FakeMediaStreamTrack, FakeMediaStreamTrack];
    expect([audio.enabled, video.enabled]).toEqual([true, false]);
    s.session.end();
    expectReleased(s.session);
  });

  it('rejects an unknown kind with a TypeError', () => {
    const s = solo();
    expect(() => s.session.setMuted('screen' as 'audio', true)).toThrow(TypeError);
    expect(() => s.session.isMuted('screen' as 'audio')).toThrow(/'audio' or 'video'/);
    s.session.end();
    expectReleased(s.session);
  });

  it('the peer emits remoteMute', async () => {
    const call = fakeCall();
    await connect(call);
    const seen: unknown[] = [];
    call.b.on('remoteMute', (info) => seen.push(info));
    call.a.setMuted('audio', true);
    await call.clock.advanceAsync(1);
    expect(seen).toEqual([{ kind: 'audio', muted: true }]);
    call.a.end();
    await call.clock.advanceAsync(1);
    expectReleased(call.a, call.b);
  });

  it('setMuted after the end does nothing and sends nothing', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    s.session.end();
    const sent = s.signaling.log.length;
    s.session.setMuted('audio', true);
    expect(s.signaling.log.length).toBe(sent);
    expectReleased(s.session);
  });
});

describe('remote media', () => {
  it('remoteStream is exposed on track and dropped at teardown', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    const remote = createFakeMediaStream();
    for (const track of remote.getTracks()) s.pc().emitTrack(track, [remote]);
    expect(s.session.remoteStream).toBe(remote);
    expect(s.log.events.filter((e) => e === 'remoteStream')).toHaveLength(1);
    s.session.end();
    expectReleased(s.session);
  });
});
