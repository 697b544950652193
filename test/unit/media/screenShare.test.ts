// Chromium's real getDisplayMedia is covered by the browser suite (test/browser); here the fake runtime
// stands in for it so every race can be driven deterministically.
import { describe, expect, it, vi } from 'vitest';
import { isCallEndedError, isMediaAcquisitionError } from '../../../src/index.js';
import { FakeMediaStream, FakeMediaStreamTrack, fakeTrack } from '../../../src/testing/index.js';
import { connect, expectReleased, fakeCall } from '../../helpers/fakeCall.js';
import { hangUpAndExpectReleased, pcOf, sentTrack } from './mediaCall.js';

/** A connected fake call, with A's peer connection and A's camera track: where most of these tests start. */
async function connectedCall() {
  const call = fakeCall();
  await connect(call);
  return { call, pc: pcOf(call, call.a), camera: call.a.localStream!.getVideoTracks()[0]! };
}

describe('screen share', () => {
  it('a capture without a video track rejects with MediaAcquisitionError; its tracks stop, the camera stays', async () => {
    const { call, pc, camera } = await connectedCall();
    const systemAudio = new FakeMediaStreamTrack('audio');
    call.runtime.getDisplayMedia = async () => new FakeMediaStream([systemAudio]);

    const error = await call.a.startScreenShare().catch((e: unknown) => e);

    expect(isMediaAcquisitionError(error)).toBe(true);
    expect(systemAudio.readyState).toBe('ended');
    expect(call.a.isScreenSharing).toBe(false);
    expect(sentTrack(pc, 'video')).toBe(camera);
    expect(camera.readyState).toBe('live');
    await hangUpAndExpectReleased(call);
  });

  it('sends the screen instead of the camera and brings the camera back on stop', async () => {
    const call = fakeCall();
    await connect(call);
    const pc = pcOf(call, call.a);
    const stream = call.a.localStream!;
    const camera = stream.getVideoTracks()[0]!;

    await call.a.startScreenShare();

    const screen = stream.getVideoTracks()[0]!;
    expect(call.a.isScreenSharing).toBe(true);
    expect(screen.label).toBe('screen');
    expect(sentTrack(pc, 'video')).toBe(screen);
    expect(camera.readyState).toBe('live');

    await call.a.stopScreenShare();

    expect(call.a.isScreenSharing).toBe(false);
    expect(sentTrack(pc, 'video')).toBe(camera);
    expect(stream.getVideoTracks()).toEqual([camera]);
    expect(screen.readyState).toBe('ended');
    await hangUpAndExpectReleased(call);
  });

  it('brings the camera back when the browser ends the share (its own "Stop sharing")', async () => {
    const { call, pc, camera } = await connectedCall();
    await call.a.startScreenShare();
    const screen = fakeTrack(call.a.localStream!.getVideoTracks()[0]);

    screen.endFromDevice();
    await call.clock.advanceAsync(0);

    expect(call.a.isScreenSharing).toBe(false);
    expect(sentTrack(pc, 'video')).toBe(camera);
    expect(call.a.localStream!.getVideoTracks()).toEqual([camera]);
    await hangUpAndExpectReleased(call);
  });

  it('stops the screen track and removes its listener at teardown', async () => {
    const call = fakeCall();
    await connect(call);
    await call.a.startScreenShare();
    const screen = fakeTrack(call.a.localStream!.getVideoTracks()[0]);
    const removed = vi.spyOn(screen, 'removeEventListener');

    call.a.end();

    expect(screen.readyState).toBe('ended');
    expect(removed).toHaveBeenCalledWith('ended', expect.any(Function));
    await call.clock.advanceAsync(10);
    expect(call.runtime.liveTracks()).toEqual([]);
    expectReleased(call.a, call.b);
  });

  it('stops a screen track that arrives after teardown', async () => {
    const call = fakeCall();
    await connect(call);
    call.runtime.holdMedia();
    const sharing = call.a.startScreenShare().catch((e: unknown) => e);
    await call.clock.advanceAsync(0);
    expect(call.a.liveResources().pendingAcquisitions).toBe(1);

    call.a.end();
    const late = call.runtime.pendingMedia[0]!.resolve();

    expect(isCallEndedError(await sharing)).toBe(true);
    expect(late.getTracks().every((t) => t.readyState === 'ended')).toBe(true);
    await call.clock.advanceAsync(10);
    expect(call.runtime.liveTracks()).toEqual([]);
    expectReleased(call.a, call.b);
  });

  it('cancels a share still in the picker when stopScreenShare() runs', async () => {
    const { call, pc, camera } = await connectedCall();
    call.runtime.holdMedia();
    const sharing = call.a.startScreenShare();
    await call.clock.advanceAsync(0);
    await call.a.stopScreenShare();
    const late = call.runtime.pendingMedia[0]!.resolve();
    await sharing;
    expect(call.a.isScreenSharing).toBe(false);
    expect(late.getVideoTracks()[0]!.readyState).toBe('ended');
    expect(sentTrack(pc, 'video')).toBe(camera);
    await hangUpAndExpectReleased(call);
  });

  it('keeps the camera when the user cancels the picker', async () => {
    const { call, pc, camera } = await connectedCall();
    call.runtime.failMedia(new DOMException('cancelled', 'NotAllowedError'));
    const error = await call.a.startScreenShare().catch((e: unknown) => e);
    expect(isMediaAcquisitionError(error)).toBe(true);
    expect(call.a.isScreenSharing).toBe(false);
    expect(sentTrack(pc, 'video')).toBe(camera);
    await hangUpAndExpectReleased(call);
  });

  it('rejects with a TypeError when the runtime has no getDisplayMedia', async () => {
    const call = fakeCall();
    (call.runtime as { getDisplayMedia?: unknown }).getDisplayMedia = undefined;
    await connect(call);
    await expect(call.a.startScreenShare()).rejects.toThrow(/getDisplayMedia/);
    await expect(call.a.startScreenShare()).rejects.toBeInstanceOf(TypeError);
    await hangUpAndExpectReleased(call);
  });

  it('a camera switch while sharing changes the camera that comes back', async () => {
    const { call, pc, camera } = await connectedCall();
    await call.a.startScreenShare();
    const screen = call.a.localStream!.getVideoTracks()[0]!;
    await call.a.switchDevice('video', 'camera-2');
    expect(sentTrack(pc, 'video')).toBe(screen);
    expect(camera.readyState).toBe('ended');
    await call.a.stopScreenShare();
    const back = call.a.localStream!.getVideoTracks()[0]!;
    expect(back).not.toBe(camera);
    expect(back.readyState).toBe('live');
    expect(sentTrack(pc, 'video')).toBe(back);
    await hangUpAndExpectReleased(call);
  });
});

describe('screen share: the sender refuses the camera back', () => {
  async function sharing() {
    const { call, pc, camera } = await connectedCall();
    await call.a.startScreenShare();
    const screen = call.a.localStream!.getVideoTracks()[0]!;
    const sender = pc.getSenders().find((candidate) => candidate.track === screen)!;
    const refusal = new Error('replaceTrack refused');
    const original = sender.replaceTrack.bind(sender);
    let refuse = true;
    sender.replaceTrack = (track) => (refuse ? Promise.reject(refusal) : original(track));
    return { call, pc, camera, screen, refusal, allow: () => (refuse = false) };
  }

  it('stopScreenShare() rejects with MediaAcquisitionError; the screen stays sent and sharing stays on', async () => {
    const { call, pc, camera, screen, refusal, allow } = await sharing();

    const error = await call.a.stopScreenShare().catch((e: unknown) => e);

    expect(isMediaAcquisitionError(error)).toBe(true);
    expect((error as Error).cause).toBe(refusal);
    expect(sentTrack(pc, 'video')).toBe(screen);
    expect(screen.readyState).toBe('live');
    expect(call.a.isScreenSharing).toBe(true);
    expect(call.a.localStream!.getVideoTracks()).toEqual([screen]);
    // A later stop, with the sender willing, brings the camera back and retires the screen.
    allow();
    await call.a.stopScreenShare();
    expect(call.a.isScreenSharing).toBe(false);
    expect(sentTrack(pc, 'video')).toBe(camera);
    expect(screen.readyState).toBe('ended');
    await hangUpAndExpectReleased(call);
  });

  it('the browser ending the share reports the same failure as a MediaAcquisitionError event', async () => {
    const { call, screen, refusal, allow } = await sharing();
    const errors: Error[] = [];
    call.a.on('error', (error) => errors.push(error));

    fakeTrack(screen).endFromDevice();
    await call.clock.advanceAsync(0);

    expect(errors).toHaveLength(1);
    expect(isMediaAcquisitionError(errors[0])).toBe(true);
    expect(errors[0]?.cause).toBe(refusal);
    expect(call.a.isScreenSharing).toBe(true);
    allow();
    await call.a.stopScreenShare();
    expect(call.a.isScreenSharing).toBe(false);
    await hangUpAndExpectReleased(call);
  });
});
