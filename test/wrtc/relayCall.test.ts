import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CallSession, type HangupError, WebSocketSignaling } from '../../src/index.js';
import { createRelayServer, type RelayServer, type RelayServerOptions } from '../../src/server/index.js';
import { assertReleased } from '../../src/testing/index.js';
import { countFrames, framesArrive, wrtcRuntime } from '../helpers/wrtcRuntime.js';

// Two real sessions (@roamhq/wrtc, fake camera and microphone) calling through the reference relay.
// Bounds are the sessions' own timeouts, never wall-clock assertions.

interface Side {
  session: CallSession;
  signaling: WebSocketSignaling;
  tracks: MediaStreamTrack[];
  errors: HangupError[];
}

let relay: RelayServer | undefined;
let sides: Side[] = [];
let roomCounter = 0;

afterEach(async () => {
  for (const side of sides) {
    side.session.teardown('disposed');
    side.signaling.close();
  }
  sides = [];
  await relay?.close();
  relay = undefined;
});

async function callThroughRelay(
  options: RelayServerOptions = {},
): Promise<{ a: Side; b: Side; room: string }> {
  relay = await createRelayServer({ port: 0, ...options });
  const url = `ws://127.0.0.1:${relay.port}`;
  const room = `call-${++roomCounter}`;
  const make = (polite: boolean): Side => {
    const signaling = new WebSocketSignaling({ url, room, WebSocket });
    const session = new CallSession({
      signaling,
      polite,
      runtime: wrtcRuntime,
      rtcConfiguration: {},
      connectTimeoutMs: 20_000,
    });
    const side: Side = { session, signaling, tracks: [], errors: [] };
    session.on('localStream', (stream) => side.tracks.push(...stream.getTracks()));
    session.on('error', (error) => side.errors.push(error));
    sides.push(side);
    return side;
  };
  const a = make(true);
  const b = make(false);
  await Promise.all([a.session.start(), b.session.start()]);
  expect(a.session.state).toBe('connected');
  expect(b.session.state).toBe('connected');
  return { a, b, room };
}

function expectReleased(side: Side): void {
  expect(side.session.state).toBe('ended');
  assertReleased(side.session);
  expect(Object.values(side.session.liveResources()).every((value) => value === 0 || value === false)).toBe(
    true,
  );
  expect(side.tracks.every((track) => track.readyState === 'ended')).toBe(true);
  // @roamhq/wrtc can crash at exit while stopped tracks are reachable.
  side.tracks.length = 0;
}

describe('real calls through the relay', () => {
  it('connects, decodes the generated video both ways, and hangs up', async () => {
    const { a, b } = await callThroughRelay();
    for (const side of [a, b]) {
      const remoteVideo = side.session.remoteStream?.getVideoTracks()[0];
      expect(remoteVideo, 'a remote video track').toBeDefined();
      const frames = countFrames(remoteVideo!);
      try {
        await framesArrive(frames, 3);
      } finally {
        frames.stop();
      }
    }
    a.session.end();
    expect((await b.session.ended).reason).toBe('remote-hangup');
    expect(a.session.endReason).toBe('hangup');
    expectReleased(a);
    expectReleased(b);
  });

  it('a dropped socket ends the other side with peer-left', async () => {
    const { a, b } = await callThroughRelay();
    // The socket goes away without a bye, as when a tab crashes or the network drops.
    a.signaling.close();
    expect((await b.session.ended).reason).toBe('peer-left');
    a.session.teardown('disposed');
    expectReleased(a);
    expectReleased(b);
  });

  it('the server-side limit finalizes both sides', async () => {
    const { a, b, room } = await callThroughRelay();
    // Equivalent to maxDurationMs expiring, without making the test depend on how long connecting took.
    relay!.finalize(room, { reason: 'max-duration' });
    const [endA, endB] = await Promise.all([a.session.ended, b.session.ended]);
    expect(endA.reason).toBe('finalized');
    expect(endB.reason).toBe('finalized');
    expectReleased(a);
    expectReleased(b);
  });

  it('maxDurationMs on the relay finalizes both sides', async () => {
    // Generous limit so the call connects first; the sessions end only through the relay's finalize.
    const { a, b } = await callThroughRelay({ maxDurationMs: 3_000 });
    const [endA, endB] = await Promise.all([a.session.ended, b.session.ended]);
    expect(endA.reason).toBe('finalized');
    expect(endB.reason).toBe('finalized');
    expectReleased(a);
    expectReleased(b);
  });
});
