import { describe, expect, it } from 'vitest';
import {
  CallSession,
  createInMemorySignalingPair,
  isCallEndedError,
  isMediaAcquisitionError,
} from '../../../src/index.js';
import { FakeRuntime, ManualClock } from '../../../src/testing/index.js';
import { connect, expectReleased, fakeCall } from '../../helpers/fakeCall.js';
import { hangUpAndExpectReleased, pcOf, sentTrack } from './mediaCall.js';

describe('switchDevice', () => {
  it('acquires, replaceTracks in, stops the old track, keeps the stream object and the mute state', async () => {
    const call = fakeCall();
    await connect(call);
    const pc = pcOf(call, call.a);
    const stream = call.a.localStream!;
    const oldVideo = stream.getVideoTracks()[0]!;
    call.a.setMuted('video', true);
    const announced: MediaStream[] = [];
    call.a.on('localStream', (s) => announced.push(s));

    await call.a.switchDevice('video', 'camera-2');

    expect(call.runtime.mediaRequests.at(-1)).toEqual({ video: { deviceId: { exact: 'camera-2' } } });
    const newVideo = stream.getVideoTracks()[0]!;
    expect(newVideo).not.toBe(oldVideo);
    expect(call.a.localStream).toBe(stream);
    expect(announced).toEqual([stream]);
    expect(sentTrack(pc, 'video')).toBe(newVideo);
    expect(oldVideo.readyState).toBe('ended');
    expect(newVideo.enabled).toBe(false);
    expect(call.a.liveResources().tracks).toBe(2);

    call.a.end();
    await call.clock.advanceAsync(10);
    expect(newVideo.readyState).toBe('ended');
    expect(call.runtime.liveTracks()).toEqual([]);
    expectReleased(call.a, call.b);
  });

  it('keeps the old track when the new device fails, and rejects with MediaAcquisitionError', async () => {
    const call = fakeCall();
    await connect(call);
    const pc = pcOf(call, call.a);
    const oldAudio = call.a.localStream!.getAudioTracks()[0]!;
    call.runtime.failMedia(new DOMException('no such mic', 'NotFoundError'));

    const error = await call.a.switchDevice('audio', { deviceId: 'gone' }).catch((e: unknown) => e);

    expect(isMediaAcquisitionError(error)).toBe(true);
    expect((error as Error).cause).toBeInstanceOf(DOMException);
    expect(oldAudio.readyState).toBe('live');
    expect(sentTrack(pc, 'audio')).toBe(oldAudio);
    expect(call.a.liveResources().pendingAcquisitions).toBe(0);
    await hangUpAndExpectReleased(call);
  });

  it('rejects with MediaAcquisitionError when replaceTrack fails, keeping the old track and stopping the new one', async () => {
    const call = fakeCall();
    await connect(call);
    const pc = pcOf(call, call.a);
    const stream = call.a.localStream!;
    const oldVideo = stream.getVideoTracks()[0]!;
    const sender = pc.getSenders().find((s) => s.track === oldVideo)!;
    const refusal = new Error('replaceTrack refused');
    sender.replaceTrack = () => Promise.reject(refusal);

    const error = await call.a.switchDevice('video', 'camera-2').catch((e: unknown) => e);

    expect(isMediaAcquisitionError(error)).toBe(true);
    expect((error as Error).cause).toBe(refusal);
    expect(stream.getVideoTracks()).toEqual([oldVideo]);
    expect(oldVideo.readyState).toBe('live');
    expect(sentTrack(pc, 'video')).toBe(oldVideo);
    const newVideo = call.runtime.tracks.at(-1)!;
    expect(newVideo).not.toBe(oldVideo);
    expect(newVideo.readyState).toBe('ended');
    expect(call.a.liveResources().tracks).toBe(2);
    await hangUpAndExpectReleased(call);
  });

  it('leaves the app’s own old track live with stopProvidedStream: false', async () => {
    const runtime = new FakeRuntime();
    const appStream = await runtime.getUserMedia({ audio: true, video: true });
    const [appAudio, appVideo] = [appStream.getAudioTracks()[0]!, appStream.getVideoTracks()[0]!];
    const clock = new ManualClock();
    const pair = createInMemorySignalingPair({ clock });
    const common = { runtime, clock, endOnPageHide: false } as const;
    const call = {
      clock,
      runtime,
      pair,
      sent: { a: [], b: [] },
      a: new CallSession({
        signaling: pair.a,
        polite: true,
        media: appStream,
        stopProvidedStream: false,
        ...common,
      }),
      b: new CallSession({ signaling: pair.b, polite: false, ...common }),
    };
    await connect(call);
    const pc = pcOf(call, call.a);

    await call.a.switchDevice('video', 'camera-2');

    const newVideo = call.a.localStream!.getVideoTracks()[0]!;
    expect(newVideo).not.toBe(appVideo);
    expect(sentTrack(pc, 'video')).toBe(newVideo);
    expect(appVideo.readyState).toBe('live');
    // Only the acquired camera is the session's; the app's tracks are not counted.
    expect(call.a.liveResources().tracks).toBe(1);

    call.a.end();
    call.b.end();
    await call.clock.advanceAsync(10);
    expect(newVideo.readyState).toBe('ended');
    expect(appAudio.readyState).toBe('live');
    expect(appVideo.readyState).toBe('live');
    expectReleased(call.a, call.b);
    // The app's stream was never rewritten: it still holds exactly the tracks the app put in it, so the app's
    // own cleanup turns its camera off.
    expect(appStream.getTracks()).toEqual([appAudio, appVideo]);
    for (const track of appStream.getTracks()) track.stop();
    expect([appAudio.readyState, appVideo.readyState]).toEqual(['ended', 'ended']);
  });

  it('stops a track that arrives after teardown and rejects with CallEndedError', async () => {
    const call = fakeCall();
    await connect(call);
    call.runtime.holdMedia();
    const switching = call.a.switchDevice('video', 'camera-2').catch((e: unknown) => e);
    await call.clock.advanceAsync(0);
    expect(call.a.liveResources().pendingAcquisitions).toBe(1);

    call.a.end();
    expect(call.a.liveResources().pendingAcquisitions).toBe(0);
    const late = call.runtime.pendingMedia[0]!.resolve();

    const error = await switching;
    expect(isCallEndedError(error)).toBe(true);
    expect(late.getTracks().every((t) => t.readyState === 'ended')).toBe(true);
    await call.clock.advanceAsync(10);
    expect(call.runtime.liveTracks()).toEqual([]);
    expectReleased(call.a, call.b);
  });

  it('resolves overlapping switches to the last one and stops the earlier results', async () => {
    const call = fakeCall();
    await connect(call);
    const pc = pcOf(call, call.a);
    const original = call.a.localStream!.getVideoTracks()[0]!;
    call.runtime.holdMedia();
    const first = call.a.switchDevice('video', 'camera-1');
    const second = call.a.switchDevice('video', 'camera-2');
    await call.clock.advanceAsync(0);
    const [firstRequest, secondRequest] = call.runtime.pendingMedia;
    // The later request answers first; the earlier one arrives late and must lose.
    const winner = secondRequest!.resolve();
    await second;
    const loser = firstRequest!.resolve();
    await first;

    const current = call.a.localStream!.getVideoTracks();
    expect(current).toEqual(winner.getVideoTracks());
    expect(sentTrack(pc, 'video')).toBe(current[0]);
    expect(loser.getTracks()[0]!.readyState).toBe('ended');
    expect(original.readyState).toBe('ended');
    // a: audio + the winning camera; b: its own two tracks.
    expect(call.runtime.liveTracks()).toHaveLength(4);
    expect(call.a.liveResources().tracks).toBe(2);

    await hangUpAndExpectReleased(call);
  });

  it('rejects with CallEndedError after the end and TypeError on bad arguments', async () => {
    const call = fakeCall();
    await connect(call);
    await expect(call.a.switchDevice('screen' as 'video', 'x')).rejects.toBeInstanceOf(TypeError);
    await expect(call.a.switchDevice('video', '')).rejects.toBeInstanceOf(TypeError);
    call.a.end();
    const error = await call.a.switchDevice('video', 'camera-2').catch((e: unknown) => e);
    expect(isCallEndedError(error)).toBe(true);
    expect(call.runtime.mediaRequests).toHaveLength(2);
    await call.clock.advanceAsync(10);
    expectReleased(call.a, call.b);
  });
});
