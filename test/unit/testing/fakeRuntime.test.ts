import { describe, expect, it, vi } from 'vitest';
import {
  createFakeMediaStream,
  FakeMediaStream,
  FakeMediaStreamTrack,
  FakeRTCPeerConnection,
  FakeRuntime,
  settle,
} from '../../../src/testing/index.js';

describe('FakeMediaStreamTrack', () => {
  it('stop() ends the track without firing ended; endFromDevice() fires it once', () => {
    const track = new FakeMediaStreamTrack('video');
    const onEnded = vi.fn();
    track.addEventListener('ended', onEnded);
    track.stop();
    expect(track.readyState).toBe('ended');
    expect(track.stopCalls).toBe(1);
    expect(onEnded).not.toHaveBeenCalled();
    const other = new FakeMediaStreamTrack('audio');
    const listener = vi.fn();
    const property = vi.fn();
    other.addEventListener('ended', listener);
    other.onended = property;
    other.endFromDevice();
    other.endFromDevice();
    expect(listener).toHaveBeenCalledOnce();
    expect(property).toHaveBeenCalledOnce();
  });

  it('stopError makes stop() throw and leaves the track live', () => {
    const track = new FakeMediaStreamTrack('audio');
    track.stopError = new Error('busy');
    expect(() => track.stop()).toThrow('busy');
    expect(track.readyState).toBe('live');
  });

  it('streams group tracks by kind', () => {
    const stream = createFakeMediaStream();
    expect(stream.getAudioTracks()).toHaveLength(1);
    expect(stream.getVideoTracks()).toHaveLength(1);
    expect(stream.active).toBe(true);
    for (const track of stream.getTracks()) track.stop();
    expect(stream.active).toBe(false);
    const empty = new FakeMediaStream();
    expect(empty.getTracks()).toEqual([]);
  });
});

describe('FakeRTCPeerConnection', () => {
  it('fires each event once, to the on<type> property and to listeners', () => {
    const pc = new FakeRTCPeerConnection();
    const property = vi.fn();
    const listener = vi.fn();
    pc.onconnectionstatechange = property;
    pc.addEventListener('connectionstatechange', listener);
    pc.setConnectionState('connected');
    expect(property).toHaveBeenCalledOnce();
    expect(listener).toHaveBeenCalledOnce();
    expect(pc.iceConnectionState).toBe('connected');
  });

  it('runs the offer/answer state machine, with rollback', async () => {
    const a = new FakeRTCPeerConnection();
    const b = new FakeRTCPeerConnection();
    const offer = await a.createOffer();
    await a.setLocalDescription(offer);
    expect(a.signalingState).toBe('have-local-offer');
    await b.setRemoteDescription(offer);
    expect(b.signalingState).toBe('have-remote-offer');
    const answer = await b.createAnswer();
    await b.setLocalDescription(answer);
    await a.setRemoteDescription(answer);
    expect([a.signalingState, b.signalingState]).toEqual(['stable', 'stable']);
    await expect(a.setRemoteDescription(answer)).rejects.toThrow(/not allowed in signaling state stable/);
    await a.setLocalDescription(await a.createOffer());
    await a.setLocalDescription({ type: 'rollback' });
    expect(a.signalingState).toBe('stable');
  });

  it('restartIce changes the ICE credentials and asks for negotiation', async () => {
    const pc = new FakeRTCPeerConnection();
    const before = pc.iceUfrag;
    const needed = vi.fn();
    pc.onnegotiationneeded = needed;
    pc.restartIce();
    expect(pc.iceUfrag).not.toBe(before);
    expect(pc.restartIceCalls).toBe(1);
    await settle();
    expect(needed).toHaveBeenCalledOnce();
  });

  it('failNext and holdNext control one step', async () => {
    const pc = new FakeRTCPeerConnection();
    pc.failNext('createOffer', new Error('nope'));
    await expect(pc.createOffer()).rejects.toThrow('nope');
    await expect(pc.createOffer()).resolves.toMatchObject({ type: 'offer' });
    const held = pc.holdNext('createOffer');
    let done = false;
    const pending = pc.createOffer().then(() => {
      done = true;
    });
    await settle();
    expect(done).toBe(false);
    held.resolve();
    await pending;
    expect(done).toBe(true);
  });

  it('addIceCandidate records in order, needs a remote description', async () => {
    const pc = new FakeRTCPeerConnection();
    await expect(pc.addIceCandidate({ candidate: 'x' })).rejects.toThrow();
    const other = new FakeRTCPeerConnection();
    await pc.setRemoteDescription(await other.createOffer());
    await pc.addIceCandidate({ candidate: 'a' });
    await pc.addIceCandidate({ candidate: 'b' });
    expect(pc.addedCandidates.map((c) => c.candidate)).toEqual(['a', 'b']);
  });

  it('close() closes, fires nothing more, and can be made to throw', async () => {
    const pc = new FakeRTCPeerConnection();
    const handler = vi.fn();
    pc.onconnectionstatechange = handler;
    pc.closeError = new Error('close failed');
    expect(() => pc.close()).toThrow('close failed');
    expect(pc.closed).toBe(true);
    pc.setConnectionState('connected');
    expect(handler).not.toHaveBeenCalled();
    await expect(pc.createOffer()).rejects.toThrow(/closed/);
    expect(() => pc.addTransceiver('audio')).toThrow(/closed/);
  });

  it('hasHandlers() reports any handler still set', () => {
    const pc = new FakeRTCPeerConnection();
    expect(pc.hasHandlers()).toBe(false);
    pc.ontrack = () => {};
    expect(pc.hasHandlers()).toBe(true);
  });
});

describe('FakeRuntime', () => {
  it('records peer connections and tracks, and reports the live ones', async () => {
    const runtime = new FakeRuntime();
    const pc = new runtime.RTCPeerConnection({ iceServers: [] });
    expect(runtime.peerConnections).toEqual([pc]);
    expect(runtime.lastPeerConnection).toBe(pc);
    const stream = await runtime.getUserMedia({ audio: true, video: true });
    expect(stream.getTracks().map((t) => t.kind)).toEqual(['audio', 'video']);
    expect(runtime.liveTracks()).toHaveLength(2);
    expect(runtime.mediaRequests).toEqual([{ audio: true, video: true }]);
    stream.getTracks()[0]?.stop();
    expect(runtime.liveTracks()).toHaveLength(1);
    pc.close();
    expect(runtime.openPeerConnections()).toEqual([]);
  });

  it('holdMedia keeps requests until the test settles them', async () => {
    const runtime = new FakeRuntime();
    runtime.holdMedia();
    let stream: MediaStream | undefined;
    const pending = runtime.getUserMedia({ audio: true }).then((s) => {
      stream = s;
    });
    await settle();
    expect(stream).toBeUndefined();
    expect(runtime.pendingMedia).toHaveLength(1);
    runtime.pendingMedia[0]!.resolve();
    await pending;
    expect(stream?.getAudioTracks()).toHaveLength(1);
    expect(runtime.pendingMedia).toEqual([]);
    const rejected = runtime.getUserMedia({ audio: true });
    runtime.pendingMedia[0]!.reject(new DOMException('no', 'NotAllowedError'));
    await expect(rejected).rejects.toMatchObject({ name: 'NotAllowedError' });
  });

  it('failMedia fails the next n requests, then succeeds', async () => {
    const runtime = new FakeRuntime();
    const denied = new DOMException('denied', 'NotAllowedError');
    runtime.failMedia(denied, 2);
    await expect(runtime.getUserMedia({ video: true })).rejects.toBe(denied);
    await expect(runtime.getUserMedia({ video: true })).rejects.toBe(denied);
    await expect(runtime.getUserMedia({ video: true })).resolves.toBeDefined();
  });

  it('two autoConnect peer connections connect after one offer/answer exchange', async () => {
    const runtime = new FakeRuntime();
    const a = new runtime.RTCPeerConnection();
    const b = new runtime.RTCPeerConnection();
    const offer = await a.createOffer();
    await a.setLocalDescription(offer);
    await b.setRemoteDescription(offer);
    const answer = await b.createAnswer();
    await b.setLocalDescription(answer);
    await a.setRemoteDescription(answer);
    await settle();
    expect([a.connectionState, b.connectionState]).toEqual(['connected', 'connected']);
  });
});
