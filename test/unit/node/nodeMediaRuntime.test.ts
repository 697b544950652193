/**
 * `hangup/node`: generated media owned by the session. The generators run on the session's ManualClock, so
 * "stops synchronously at teardown" is checked as "no timer left and nothing pushed when the clock moves on".
 */
import { describe, expect, it } from 'vitest';
import { CallSession, createInMemorySignalingPair } from '../../../src/index.js';
import { createNodeMediaRuntime, toneChunk } from '../../../src/node/index.js';
import { ManualClock } from '../../../src/testing/index.js';
import { expectReleased, record } from '../../helpers/fakeCall.js';
import { createFakeWrtc } from './fakeWrtc.js';

function setUp() {
  const clock = new ManualClock();
  const wrtc = createFakeWrtc();
  const runtime = createNodeMediaRuntime(wrtc, { clock, video: { width: 32, height: 24, frameRate: 10 } });
  const pair = createInMemorySignalingPair({ clock });
  const common = { runtime, clock, endOnPageHide: false };
  const a = new CallSession({ signaling: pair.a, polite: true, ...common });
  const b = new CallSession({ signaling: pair.b, polite: false, ...common });
  return { clock, wrtc, runtime, pair, a, b, logs: [record(a), record(b)] };
}

async function connect(call: ReturnType<typeof setUp>): Promise<void> {
  const started = [call.a.start(), call.b.start()];
  for (let i = 0; i < 50 && !(call.a.state === 'connected' && call.b.state === 'connected'); i++) {
    await call.clock.advanceAsync(1);
  }
  await Promise.all(started);
}

describe('createNodeMediaRuntime', () => {
  it('feeds every generated video track a changing I420 test pattern and every audio track 10 ms tone chunks', async () => {
    const clock = new ManualClock();
    const wrtc = createFakeWrtc();
    const runtime = createNodeMediaRuntime(wrtc, { clock, video: { width: 32, height: 24, frameRate: 10 } });
    const stream = await runtime.getUserMedia({ audio: true, video: true });
    expect(stream.getTracks().map((track) => track.kind)).toEqual(['audio', 'video']);
    expect(runtime.runningGenerators).toBe(2);
    clock.advance(1_000);
    const [video] = wrtc.videoSources;
    const [audio] = wrtc.audioSources;
    // Frame 0 at once, then one per 100 ms; chunk 0 at once, then one per 10 ms.
    expect(video?.frames).toHaveLength(11);
    expect(video?.frames.every((frame) => frame.width === 32 && frame.height === 24)).toBe(true);
    expect(new Set(video?.frames.map((frame) => frame.checksum)).size).toBeGreaterThan(1);
    expect(audio?.chunks).toHaveLength(101);
    expect(audio?.chunks[0]).toMatchObject({
      sampleRate: 48_000,
      bitsPerSample: 16,
      channelCount: 1,
      numberOfFrames: 480,
    });
    for (const track of stream.getTracks()) track.stop();
    expect(runtime.runningGenerators).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('after a late timer, catches up with at most a 50 ms burst of audio and one video frame', async () => {
    const manual = new ManualClock();
    let skew = 0;
    // A timer firing late (a blocked event loop) sees `now()` far past its due time.
    const clock = {
      ...manual,
      now: () => manual.now() + skew,
      setTimeout: manual.setTimeout.bind(manual),
      clearTimeout: manual.clearTimeout.bind(manual),
    };
    const wrtc = createFakeWrtc();
    const runtime = createNodeMediaRuntime(wrtc, { clock, video: { width: 32, height: 24, frameRate: 10 } });
    const stream = await runtime.getUserMedia({ audio: true, video: true });
    skew = 500;
    manual.advance(10);
    // Chunk 0 at the start, then 5 of the 51 that fell due; the rest are skipped.
    expect(wrtc.audioSources[0]?.chunks).toHaveLength(6);
    manual.advance(90);
    // Frame 0, then only the newest of the 6 frames that fell due.
    expect(wrtc.videoSources[0]?.frames).toHaveLength(2);
    for (const track of stream.getTracks()) track.stop();
    expect(manual.pendingTimers).toBe(0);
  });

  it('a source that refuses a frame stops its generator instead of throwing from a timer', async () => {
    const clock = new ManualClock();
    const wrtc = createFakeWrtc();
    const runtime = createNodeMediaRuntime(wrtc, { clock });
    const stream = await runtime.getUserMedia({ video: true });
    const source = wrtc.videoSources[0];
    if (!source) throw new Error('no source');
    source.onFrame = () => {
      throw new Error('track gone');
    };
    expect(() => clock.advance(1_000)).not.toThrow();
    expect(runtime.runningGenerators).toBe(0);
    expect(clock.pendingTimers).toBe(0);
    for (const track of stream.getTracks()) track.stop();
    expect(runtime.runningGenerators).toBe(0);
  });

  it('a tone has no discontinuity between chunks', () => {
    const first = toneChunk(0, 48_000, 440);
    const second = toneChunk(1, 48_000, 440);
    const last = first.samples[479] ?? 0;
    const next = second.samples[0] ?? 0;
    // One sample step of a 440 Hz tone at amplitude 8000 is at most 2π·440/48000·8000 ≈ 461.
    expect(Math.abs(next - last)).toBeLessThan(470);
  });

  it('refuses a module without the nonstandard sources, and out-of-range options, with a TypeError', () => {
    const wrtc = createFakeWrtc();
    expect(() => createNodeMediaRuntime({ ...wrtc, nonstandard: undefined } as never)).toThrow(
      /@roamhq\/wrtc/,
    );
    expect(() => createNodeMediaRuntime(wrtc, { video: { width: 33 } })).toThrow(TypeError);
    expect(() => createNodeMediaRuntime(wrtc, { video: { frameRate: 0 } })).toThrow(TypeError);
    expect(() => createNodeMediaRuntime(wrtc, { audio: { sampleRate: 12_345 } })).toThrow(TypeError);
  });

  it('getUserMedia without audio or video rejects and starts nothing', async () => {
    const runtime = createNodeMediaRuntime(createFakeWrtc(), { clock: new ManualClock() });
    await expect(runtime.getUserMedia({})).rejects.toThrow(TypeError);
    expect(runtime.runningGenerators).toBe(0);
  });
});

describe('generated media in a session', () => {
  it('teardown stops both generators synchronously: no generator timer is left when end() returns', async () => {
    const call = setUp();
    await connect(call);
    expect(call.runtime.runningGenerators).toBe(4);
    const video = call.wrtc.videoSources[0];
    call.a.end();
    // Side a's generators stopped inside end(); b's still run until b learns of the bye.
    expect(call.runtime.runningGenerators).toBe(2);
    const framesAtEnd = video?.frames.length;
    await call.clock.advanceAsync(1_000);
    expect(call.b.state).toBe('ended');
    expect(call.runtime.runningGenerators).toBe(0);
    expect(video?.frames.length).toBe(framesAtEnd);
    // Nothing at all is scheduled any more: the sessions' timers and the generators' are gone.
    expect(call.clock.pendingTimers).toBe(0);
    for (const source of [...call.wrtc.videoSources, ...call.wrtc.audioSources]) {
      expect(source.tracks.map((track) => track.readyState)).toEqual(['ended']);
    }
    for (const log of call.logs) expect(log.errors).toEqual([]);
    expectReleased(call.a, call.b);
  });

  it('an acquisition that arrives after teardown has its generators stopped on arrival', async () => {
    const clock = new ManualClock();
    const wrtc = createFakeWrtc();
    const node = createNodeMediaRuntime(wrtc, { clock });
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const runtime = {
      ...node,
      getUserMedia: async (c: MediaStreamConstraints) => gate.then(() => node.getUserMedia(c)),
    };
    const pair = createInMemorySignalingPair({ clock });
    const session = new CallSession({
      signaling: pair.a,
      polite: true,
      runtime,
      clock,
      endOnPageHide: false,
    });
    const log = record(session);
    const started = session.start().catch(() => 'rejected');
    await clock.advanceAsync(1);
    expect(session.liveResources().pendingAcquisitions).toBe(1);
    session.end();
    expect(session.liveResources().pendingAcquisitions).toBe(0);
    release();
    await clock.advanceAsync(1);
    expect(await started).toBe('rejected');
    expect(wrtc.videoSources).toHaveLength(1);
    expect(node.runningGenerators).toBe(0);
    expect(clock.pendingTimers).toBe(0);
    expect(wrtc.videoSources[0]?.tracks[0]?.readyState).toBe('ended');
    expect(log.errors).toEqual([]);
    expectReleased(session);
  });

  it('a device switch retires the old generated track and its generator with it', async () => {
    const call = setUp();
    await connect(call);
    await call.a.switchDevice('video', 'another-camera');
    expect(call.runtime.runningGenerators).toBe(4);
    expect(call.wrtc.videoSources[0]?.tracks[0]?.readyState).toBe('ended');
    call.a.end();
    await call.clock.advanceAsync(1_000);
    expect(call.runtime.runningGenerators).toBe(0);
    expect(call.clock.pendingTimers).toBe(0);
    expectReleased(call.a, call.b);
  });
});
