/**
 * The silent-path watch and the `quality` interval share their `getStats()` reads on the real runtime: with
 * `statsIntervalMs` equal to the watch's period, each connection is read about once a second, not twice, and a
 * call carrying real RTP (generated media) raises no silent-path alarm.
 */
import { describe, expect, it } from 'vitest';
import {
  CallSession,
  type CallStats,
  createInMemorySignalingPair,
  type HangupError,
} from '../../src/index.js';
import { SILENCE_SAMPLE_MS } from '../../src/session/SilentPathWatch.js';
import { assertReleased } from '../../src/testing/index.js';
import { wrtcRuntime } from '../helpers/wrtcRuntime.js';

describe('shared stats reads (@roamhq/wrtc)', () => {
  it('statsIntervalMs = the watch period: about one getStats() a second per side; no alarm with media flowing', async () => {
    const reads = new Map<RTCPeerConnection, number>();
    const Base = wrtcRuntime.RTCPeerConnection;
    class CountingPeerConnection extends Base {
      override getStats(...args: []): Promise<RTCStatsReport> {
        reads.set(this, (reads.get(this) ?? 0) + 1);
        return super.getStats(...args);
      }
    }
    const runtime = {
      RTCPeerConnection: CountingPeerConnection,
      getUserMedia: (constraints: MediaStreamConstraints) => wrtcRuntime.getUserMedia(constraints),
    };
    const pair = createInMemorySignalingPair();
    const options = { runtime, statsIntervalMs: SILENCE_SAMPLE_MS };
    const a = new CallSession({ signaling: pair.a, polite: true, ...options });
    const b = new CallSession({ signaling: pair.b, polite: false, ...options });
    const errors: HangupError[] = [];
    const quality: CallStats[] = [];
    const tracks: MediaStreamTrack[] = [];
    for (const session of [a, b]) {
      session.on('error', (error) => errors.push(error));
      session.on('quality', (stats) => quality.push(stats));
      session.on('localStream', (stream) => tracks.push(...stream.getTracks()));
    }
    await Promise.all([a.start(), b.start()]);
    const seconds = 4;
    await new Promise((resolve) => setTimeout(resolve, seconds * SILENCE_SAMPLE_MS + 500));
    expect([a.state, b.state]).toEqual(['connected', 'connected']);
    const perSide = [...reads.values()];
    expect(perSide).toHaveLength(2);
    // Two readers a second each: 2 × seconds reads per side before; one shared read a second now (one
    // more allowed for a timer that slipped past a period boundary).
    for (const count of perSide) {
      expect(count).toBeGreaterThanOrEqual(seconds - 1);
      expect(count).toBeLessThanOrEqual(seconds + 1);
    }
    expect(quality.length).toBeGreaterThanOrEqual(2 * (seconds - 1));
    a.end();
    await b.ended;
    expect(errors).toEqual([]);
    expect(tracks.map((track) => track.readyState)).toEqual(tracks.map(() => 'ended'));
    assertReleased(a);
    assertReleased(b);
    tracks.length = 0;
    reads.clear();
  }, 20_000);
});
