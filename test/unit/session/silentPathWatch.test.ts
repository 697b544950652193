import { describe, expect, it } from 'vitest';
import type { HangupError } from '../../../src/errors/HangupError.js';
import type { CallState } from '../../../src/model/states.js';
import {
  type InboundBytes,
  type MediaKind,
  SILENCE_SAMPLE_MS,
  SILENCE_WINDOW_MS,
  SilentPathWatch,
} from '../../../src/session/SilentPathWatch.js';
import { ManualClock } from '../../../src/testing/index.js';
import { TimerSet } from '../../../src/util/TimerSet.js';

/** A host whose inbound counters the test moves by hand. */
function setUp(maxIceRestarts = 2) {
  const clock = new ManualClock();
  const timers = new TimerSet(clock);
  const calls: string[] = [];
  const errors: HangupError[] = [];
  const world = {
    state: 'connected' as CallState,
    bytes: { audio: 0, video: 0 } as InboundBytes,
    expected: ['audio', 'video'] as MediaKind[],
    /** When false, inboundBytes() resolves undefined (no connection). */
    readable: true,
    /** When true, inboundBytes() never settles (Firefox's getStats on a broken path). */
    hang: false,
  };
  const watch = new SilentPathWatch(timers, () => clock.now(), maxIceRestarts, {
    state: () => world.state,
    inboundBytes: () =>
      world.hang
        ? new Promise<InboundBytes | undefined>(() => {})
        : Promise.resolve(world.readable ? { ...world.bytes } : undefined),
    expectedKinds: () => world.expected,
    heartbeat: () => calls.push('heartbeat'),
    report: (error) => {
      errors.push(error);
      calls.push(`report:${error.code}`);
    },
    trouble: () => calls.push('trouble'),
    flowing: () => calls.push('flowing'),
    fail: (error) => {
      errors.push(error);
      calls.push(`fail:${error.code}`);
      world.state = 'ended';
      timers.clearAll();
    },
  });
  /** Moves time in sample steps, letting each async sample settle. */
  const run = async (ms: number, each?: () => void) => {
    for (let t = 0; t < ms; t += SILENCE_SAMPLE_MS) {
      each?.();
      await clock.advanceAsync(SILENCE_SAMPLE_MS);
    }
  };
  const flow = () => {
    world.bytes = { audio: world.bytes.audio + 1_000, video: world.bytes.video + 10_000 };
  };
  const troubles = () => calls.filter((call) => call !== 'heartbeat');
  return { clock, timers, watch, world, calls, errors, run, flow, troubles };
}

describe('SilentPathWatch', () => {
  it('media arriving keeps the call untroubled; a heartbeat goes out every sample', async () => {
    const t = setUp();
    t.watch.start();
    await t.run(20_000, t.flow);
    expect(t.troubles()).toEqual([]);
    expect(t.calls.filter((call) => call === 'heartbeat').length).toBe(20_000 / SILENCE_SAMPLE_MS);
  });

  it('nothing arriving for the window: one error event, then recovery; not again before another window', async () => {
    const t = setUp();
    t.watch.start();
    await t.run(3_000, t.flow);
    await t.run(SILENCE_WINDOW_MS + SILENCE_SAMPLE_MS);
    expect(t.troubles()).toEqual(['report:ICE_FAILED', 'trouble']);
    expect(t.errors[0]?.message).toMatch(/nothing arrived from the peer/);
    await t.run(SILENCE_WINDOW_MS - 2 * SILENCE_SAMPLE_MS);
    expect(t.troubles()).toEqual(['report:ICE_FAILED', 'trouble']);
  });

  it('media back after the trouble: the call is flowing again and the count starts over', async () => {
    const t = setUp(1);
    t.watch.start();
    await t.run(SILENCE_WINDOW_MS + SILENCE_SAMPLE_MS);
    await t.run(2_000, t.flow);
    expect(t.troubles()).toEqual(['report:ICE_FAILED', 'trouble', 'flowing']);
    // A later silence is a first trouble again (maxIceRestarts 1 allows one), not an end.
    await t.run(SILENCE_WINDOW_MS + SILENCE_SAMPLE_MS);
    expect(t.troubles()).toEqual(['report:ICE_FAILED', 'trouble', 'flowing', 'report:ICE_FAILED', 'trouble']);
    expect(t.world.state).toBe('connected');
  });

  it('recovery that brings nothing back: after maxIceRestarts troubles in a row, the call fails with ICE_FAILED', async () => {
    const t = setUp(2);
    t.watch.start();
    await t.run(4 * (SILENCE_WINDOW_MS + SILENCE_SAMPLE_MS));
    expect(t.troubles()).toEqual([
      'report:ICE_FAILED',
      'trouble',
      'report:ICE_FAILED',
      'trouble',
      'fail:ICE_FAILED',
    ]);
    expect(t.errors.at(-1)?.message).toMatch(/after 2 ICE restart/);
    expect(t.timers.size).toBe(0);
  });

  it('a peer that muted everything and never sent a control message is not judged', async () => {
    const t = setUp();
    t.world.expected = [];
    t.watch.start();
    await t.run(3 * SILENCE_WINDOW_MS);
    expect(t.troubles()).toEqual([]);
  });

  it("a muted peer's heartbeats prove the path; when they stop, it is trouble", async () => {
    const t = setUp();
    t.world.expected = [];
    t.watch.start();
    await t.run(10_000, () => t.watch.controlReceived());
    expect(t.troubles()).toEqual([]);
    await t.run(SILENCE_WINDOW_MS + SILENCE_SAMPLE_MS);
    expect(t.troubles()).toEqual(['report:ICE_FAILED', 'trouble']);
  });

  it('only kinds the peer sends and has not muted count: video still arriving does not hide dead audio… but any progress does', async () => {
    const t = setUp();
    t.world.expected = ['audio'];
    t.watch.start();
    // Only video bytes move (audio is what is expected): silence.
    await t.run(SILENCE_WINDOW_MS + SILENCE_SAMPLE_MS, () => {
      t.world.bytes = { audio: t.world.bytes.audio, video: t.world.bytes.video + 5_000 };
    });
    expect(t.troubles()).toEqual(['report:ICE_FAILED', 'trouble']);
  });

  it('unreadable stats are not progress', async () => {
    const t = setUp();
    t.world.readable = false;
    t.watch.start();
    await t.run(SILENCE_WINDOW_MS + SILENCE_SAMPLE_MS);
    expect(t.troubles()).toEqual(['report:ICE_FAILED', 'trouble']);
  });

  it('a stats read that never settles does not stop the watch: silence is still found, heartbeats still go out', async () => {
    const t = setUp();
    t.watch.start();
    await t.run(2_000, t.flow);
    t.world.hang = true;
    await t.run(SILENCE_WINDOW_MS + SILENCE_SAMPLE_MS);
    expect(t.troubles()).toEqual(['report:ICE_FAILED', 'trouble']);
    expect(t.calls.filter((call) => call === 'heartbeat').length).toBe(2 + 6);
  });

  it("with stats hanging, the peer's control messages still prove the path", async () => {
    const t = setUp();
    t.world.hang = true;
    t.watch.start();
    await t.run(3 * SILENCE_WINDOW_MS, () => t.watch.controlReceived());
    expect(t.troubles()).toEqual([]);
  });

  it('stops at the end: no timer is left, and a sample that resolves after the end does nothing', async () => {
    const t = setUp();
    t.watch.start();
    await t.run(2_000, t.flow);
    // The end comes while a sample is in flight.
    t.clock.advance(SILENCE_SAMPLE_MS);
    t.world.state = 'ended';
    t.timers.clearAll();
    await t.clock.advanceAsync(30_000);
    expect(t.timers.size).toBe(0);
    expect(t.troubles()).toEqual([]);
  });

  it('start() twice runs one watch', async () => {
    const t = setUp();
    t.watch.start();
    t.watch.start();
    await t.run(5_000, t.flow);
    expect(t.calls.filter((call) => call === 'heartbeat').length).toBe(5);
  });
});
