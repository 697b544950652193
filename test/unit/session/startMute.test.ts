import { describe, expect, it } from 'vitest';
import { CallSession, createInMemorySignalingPair } from '../../../src/index.js';
import { createFakeMediaStream, FakeRuntime, ManualClock, settle } from '../../../src/testing/index.js';
import { expectReleased } from '../../helpers/fakeCall.js';

/**
 * Counts the track-list calls and `enabled` writes a session makes on the stream it acquires: on
 * @roamhq/wrtc each is a synchronous native call on the path to the first offer.
 */
function countingRuntime() {
  const runtime = new FakeRuntime();
  const counts = { trackLists: 0, enabledWrites: 0 };
  const acquire = runtime.getUserMedia;
  runtime.getUserMedia = async (constraints) => {
    const stream = await acquire(constraints);
    for (const method of ['getAudioTracks', 'getVideoTracks'] as const) {
      const original = stream[method].bind(stream);
      stream[method] = () => {
        counts.trackLists++;
        return original();
      };
    }
    for (const track of stream.getTracks()) {
      let enabled = track.enabled;
      Object.defineProperty(track, 'enabled', {
        get: () => enabled,
        set: (value: boolean) => {
          counts.enabledWrites++;
          enabled = value;
        },
      });
    }
    return stream;
  };
  return { runtime, counts };
}

function session(runtime: FakeRuntime, media?: MediaStream) {
  const clock = new ManualClock();
  const pair = createInMemorySignalingPair({ clock });
  return new CallSession({
    signaling: pair.a,
    polite: false,
    runtime,
    clock,
    endOnPageHide: false,
    ...(media && { media }),
  });
}

describe('start(): mute state on the local tracks', () => {
  it('leaves freshly acquired tracks alone when nothing is muted', async () => {
    const { runtime, counts } = countingRuntime();
    const s = session(runtime);
    void s.start();
    await settle();
    expect(s.state).toBe('connecting');
    expect(counts).toEqual({ trackLists: 0, enabledWrites: 0 });
    expect(s.localStream?.getTracks().every((track) => track.enabled)).toBe(true);
    s.end();
    expectReleased(s);
  });

  it('still disables acquired tracks of a kind muted before start()', async () => {
    const { runtime } = countingRuntime();
    const s = session(runtime);
    s.setMuted('video', true);
    void s.start();
    await settle();
    const stream = s.localStream;
    expect(stream?.getVideoTracks().map((track) => track.enabled)).toEqual([false]);
    expect(stream?.getAudioTracks().map((track) => track.enabled)).toEqual([true]);
    s.end();
    expectReleased(s);
  });

  it('aligns a handed-in stream with the session mute state (a disabled track is enabled)', async () => {
    const runtime = new FakeRuntime();
    const stream = createFakeMediaStream();
    for (const track of stream.getTracks()) track.enabled = false;
    const s = session(runtime, stream);
    void s.start();
    await settle();
    expect(stream.getTracks().map((track) => track.enabled)).toEqual([true, true]);
    s.end();
    expectReleased(s);
  });
});
