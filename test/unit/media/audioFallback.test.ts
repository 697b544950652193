import { describe, expect, it } from 'vitest';
import { isMediaAcquisitionError } from '../../../src/index.js';
import { connect, expectReleased, fakeCall, record } from '../../helpers/fakeCall.js';
import { hangUpAndExpectReleased } from './mediaCall.js';

const cameraBroken = () => new DOMException('camera busy', 'NotReadableError');

describe('fallbackToAudioOnly', () => {
  it('goes on audio-only when video fails but audio works, and says why', async () => {
    const call = fakeCall({ fallbackToAudioOnly: true });
    const logA = record(call.a);
    call.runtime.failMedia(cameraBroken());
    await connect(call);
    expect(call.a.localStream!.getVideoTracks()).toEqual([]);
    expect(call.a.localStream!.getAudioTracks()).toHaveLength(1);
    expect(call.runtime.mediaRequests.slice(0, 3)).toContainEqual({ audio: true });
    expect(logA.errors.some((e) => isMediaAcquisitionError(e))).toBe(true);
    await hangUpAndExpectReleased(call);
  });

  it("is off by default: the call ends with 'media-error'", async () => {
    const call = fakeCall();
    call.runtime.failMedia(cameraBroken());
    void call.a.start();
    await call.clock.advanceAsync(1);
    expect(call.a.endReason).toBe('media-error');
    call.b.end();
    expectReleased(call.a, call.b);
  });

  it('ends with the original error when audio alone fails too', async () => {
    const call = fakeCall({ fallbackToAudioOnly: true });
    const original = cameraBroken();
    call.runtime.failMedia(original, 2);
    void call.a.start();
    await call.clock.advanceAsync(1);
    const summary = await call.a.ended;
    expect(summary.reason).toBe('media-error');
    expect((summary.error as Error).cause).toBe(original);
    call.b.end();
    expectReleased(call.a, call.b);
  });

  it('stops the audio-only retry when it arrives after teardown', async () => {
    const call = fakeCall({ fallbackToAudioOnly: true });
    call.runtime.holdMedia();
    void call.a.start();
    await call.clock.advanceAsync(0);
    call.runtime.pendingMedia[0]!.reject(cameraBroken());
    await call.clock.advanceAsync(0);
    expect(call.runtime.pendingMedia[0]!.constraints).toEqual({ audio: true });
    call.a.end();
    const late = call.runtime.pendingMedia[0]!.resolve();
    await call.clock.advanceAsync(1);
    expect(late.getTracks().every((t) => t.readyState === 'ended')).toBe(true);
    call.b.end();
    expectReleased(call.a, call.b);
  });
});
