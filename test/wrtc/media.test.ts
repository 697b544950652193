import { describe, expect, it } from 'vitest';
import {
  CallSession,
  type CallStats,
  createInMemorySignalingPair,
  type SignalingAdapter,
} from '../../src/index.js';
import { assertReleased } from '../../src/testing/index.js';
import { wrtcRuntime } from '../helpers/wrtcRuntime.js';

/** Signaling from a that can drop messages of some types after the call is up. */
function pairWithLossyA() {
  const pair = createInMemorySignalingPair();
  const drop = new Set<string>();
  const a: SignalingAdapter = {
    send: (message) => (drop.has(message.type) ? undefined : pair.a.send(message)),
    subscribe: (listener) => pair.a.subscribe(listener),
  };
  return { a, b: pair.b, drop };
}

async function startCall(options: { statsIntervalMs?: number } = {}) {
  const signaling = pairWithLossyA();
  const a = new CallSession({ signaling: signaling.a, polite: true, runtime: wrtcRuntime, ...options });
  const b = new CallSession({ signaling: signaling.b, polite: false, runtime: wrtcRuntime, ...options });
  const tracks: MediaStreamTrack[] = [];
  for (const s of [a, b]) s.on('localStream', (stream) => tracks.push(...stream.getTracks()));
  await Promise.all([a.start(), b.start()]);
  return { a, b, drop: signaling.drop, tracks };
}

/** Every number a stats sample reports is finite and not negative (ratios at most 1). */
function expectStatsShape(stats: CallStats): void {
  for (const key of ['rttMs', 'outgoingBitrate', 'incomingBitrate', 'packetsLostRatio'] as const) {
    const value = stats[key];
    if (value === undefined) continue;
    expect(Number.isFinite(value), key).toBe(true);
    expect(value, key).toBeGreaterThanOrEqual(0);
  }
  if (stats.packetsLostRatio !== undefined) expect(stats.packetsLostRatio).toBeLessThanOrEqual(1);
}

function waitFor<T>(register: (resolve: (value: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve) => register(resolve));
}

async function hangUp(call: Awaited<ReturnType<typeof startCall>>) {
  call.a.end();
  await call.b.ended;
  expect(call.tracks.every((t) => t.readyState === 'ended')).toBe(true);
  assertReleased(call.a);
  assertReleased(call.b);
  call.tracks.length = 0;
}

describe('media controls over @roamhq/wrtc', () => {
  it('switches the camera (wrtc.getUserMedia again) and stops the old track', async () => {
    const call = await startCall();
    const stream = call.a.localStream!;
    const old = stream.getVideoTracks()[0]!;
    await call.a.switchDevice('video', {});
    const next = stream.getVideoTracks()[0]!;
    expect(next).not.toBe(old);
    expect(next.readyState).toBe('live');
    expect(old.readyState).toBe('ended');
    await hangUp(call);
  });

  it('carries mute state to the peer', async () => {
    const call = await startCall();
    const muted = waitFor<{ kind: string; muted: boolean }>((resolve) => call.b.once('remoteMute', resolve));
    call.a.setMuted('audio', true);
    expect(await muted).toEqual({ kind: 'audio', muted: true });
    await hangUp(call);
  });

  it('carries data both ways over the session channel', async () => {
    const call = await startCall();
    const atB = waitFor<unknown>((resolve) => call.b.once('message', resolve));
    const atA = waitFor<unknown>((resolve) => call.a.once('message', resolve));
    call.a.send('hello from a'); // queued if the channel is not open yet
    call.b.send(new Uint8Array([7, 8, 9]).buffer);
    expect(await atB).toBe('hello from a');
    expect([...new Uint8Array((await atA) as ArrayBuffer)]).toEqual([7, 8, 9]);
    await hangUp(call);
  });

  it('reports stats: round-trip time and candidate type of the selected pair', async () => {
    const call = await startCall({ statsIntervalMs: 200 });
    const quality = await waitFor<CallStats>((resolve) => call.a.once('quality', resolve));
    expect(call.a.state).toBe('connected');
    // Two peers on one machine, no STUN/TURN: the selected pair can only be host candidates.
    expect(quality.candidateType).toBe('host');
    expectStatsShape(quality);
    const stats = await call.a.getStats();
    expect(stats.candidateType).toBe('host');
    expectStatsShape(stats);
    expect(call.a.liveResources().timers).toBeGreaterThan(0);
    await hangUp(call);
    expect(call.a.liveResources().timers).toBe(0);
  });

  it('hangs up over the data channel when signaling drops the bye', async () => {
    const call = await startCall();
    // Let the channel open: one message round trip.
    const opened = waitFor<unknown>((resolve) => call.b.once('message', resolve));
    call.a.send('ping');
    await opened;
    call.drop.add('bye');
    call.a.end();
    const summary = await call.b.ended;
    // Only the control channel carries a bye now: 'peer-left' would mean it was lost and the channel-close
    // fallback ended the call instead.
    expect(summary.reason).toBe('remote-hangup');
    expect(call.tracks.every((t) => t.readyState === 'ended')).toBe(true);
    assertReleased(call.a);
    assertReleased(call.b);
    call.tracks.length = 0;
  });
});
