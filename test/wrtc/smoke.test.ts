import { describe, expect, it } from 'vitest';
import { CallSession, createInMemorySignalingPair } from '../../src/index.js';
import { assertReleased } from '../../src/testing/index.js';
import { wrtcRuntime } from '../helpers/wrtcRuntime.js';

describe('wrtc smoke', () => {
  it('connects and hangs up', async () => {
    const pair = createInMemorySignalingPair();
    const a = new CallSession({ signaling: pair.a, polite: true, runtime: wrtcRuntime });
    const b = new CallSession({ signaling: pair.b, polite: false, runtime: wrtcRuntime });
    const errors: unknown[] = [];
    a.on('error', (e) => errors.push(e));
    b.on('error', (e) => errors.push(e));
    const tracks: MediaStreamTrack[] = [];
    a.on('localStream', (s) => tracks.push(...s.getTracks()));
    b.on('localStream', (s) => tracks.push(...s.getTracks()));
    await Promise.all([a.start(), b.start()]);
    expect(a.state).toBe('connected');
    a.end();
    const summary = await b.ended;
    expect(summary.reason).toBe('remote-hangup');
    expect(tracks.every((t) => t.readyState === 'ended')).toBe(true);
    assertReleased(a);
    assertReleased(b);
    expect(errors).toEqual([]);
    tracks.length = 0;
  });
});
