/**
 * `hangup/node` on the real runtime: a Node peer's generated video and audio are decoded on the other side, and
 * once the call ends no generator and no generator timer is left.
 */
import { describe, expect, it } from 'vitest';
import {
  CallSession,
  type Clock,
  createInMemorySignalingPair,
  type HangupError,
  realClock,
} from '../../src/index.js';
import { createNodeMediaRuntime } from '../../src/node/index.js';
import { assertReleased } from '../../src/testing/index.js';
import { countFrames, framesArrive, wrtcModule } from '../helpers/wrtcRuntime.js';

/** The real clock, counting the timers still scheduled on it. */
function countingClock(): Clock & { readonly pending: number } {
  const pending = new Set<unknown>();
  return {
    now: () => realClock.now(),
    setTimeout(fn, ms) {
      const handle = realClock.setTimeout(() => {
        pending.delete(handle);
        fn();
      }, ms);
      pending.add(handle);
      return handle;
    },
    clearTimeout(handle) {
      pending.delete(handle);
      realClock.clearTimeout(handle);
    },
    get pending() {
      return pending.size;
    },
  };
}

describe('generated media from a Node peer (@roamhq/wrtc)', () => {
  it('video frames and audio are decoded both ways; end() stops the generators and their timers at once', async () => {
    const generatorClock = countingClock();
    const runtime = createNodeMediaRuntime(wrtcModule, {
      clock: generatorClock,
      video: { width: 160, height: 120, frameRate: 10 },
    });
    const pair = createInMemorySignalingPair();
    const a = new CallSession({ signaling: pair.a, polite: true, runtime });
    const b = new CallSession({ signaling: pair.b, polite: false, runtime });
    const errors: HangupError[] = [];
    const tracks: MediaStreamTrack[] = [];
    const remotes = new Map<CallSession, MediaStream>();
    for (const session of [a, b]) {
      session.on('remoteStream', (stream) => remotes.set(session, stream));
      session.on('error', (error) => errors.push(error));
      session.on('localStream', (stream) => tracks.push(...stream.getTracks()));
    }
    await Promise.all([a.start(), b.start()]);
    expect(runtime.runningGenerators).toBe(4);
    // Both remote tracks are in once each side has seen its remote stream with audio and video.
    const deadline = Date.now() + 5_000;
    while ([a, b].some((s) => (remotes.get(s)?.getTracks().length ?? 0) < 2) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const counters = [a, b].flatMap((session) => {
      const remote = remotes.get(session);
      if (!remote) throw new Error('no remote stream');
      return [countFrames(remote.getVideoTracks()[0]!), countFrames(remote.getAudioTracks()[0]!)];
    });
    try {
      // Bounded by framesArrive's own timeout: 5 video frames and 20 audio chunks each way.
      await Promise.all(counters.map((counter, i) => framesArrive(counter, i % 2 === 0 ? 5 : 20)));
    } finally {
      for (const counter of counters) counter.stop();
    }
    a.end();
    // a's generators and their timers are gone when end() returns; b's go with b's teardown.
    expect(runtime.runningGenerators).toBe(2);
    await b.ended;
    expect(runtime.runningGenerators).toBe(0);
    expect(generatorClock.pending).toBe(0);
    expect(tracks.map((track) => track.readyState)).toEqual(tracks.map(() => 'ended'));
    expect(b.endReason).toBe('remote-hangup');
    assertReleased(a);
    assertReleased(b);
    expect(errors).toEqual([]);
    tracks.length = 0;
    remotes.clear();
  });
});
