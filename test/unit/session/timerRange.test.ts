import { describe, expect, it } from 'vitest';
import { CallSession, type CallSessionOptions, createInMemorySignalingPair } from '../../../src/index.js';
import { FakeRuntime, ManualClock } from '../../../src/testing/index.js';
import { MAX_TIMER_DELAY_MS, TimerSet } from '../../../src/util/TimerSet.js';
import { driveTo, expectReleased, solo } from '../../helpers/fakeCall.js';

/**
 * A ManualClock that records every delay it is asked for and, like browsers and Node, runs a delay above
 * 2^31 - 1 ms after 1 ms: what a 30-day `maxDurationMs` once did to a call.
 */
class RuntimeLikeClock extends ManualClock {
  readonly delays: number[] = [];
  override setTimeout(fn: () => void, ms: number): unknown {
    this.delays.push(ms);
    return super.setTimeout(fn, ms > MAX_TIMER_DELAY_MS ? 1 : ms);
  }
}

/**
 * Tests that advance the clock by weeks: the silent-path watch still ticks once a second, some two million
 * times (about 3 s here alone, more under a loaded CI).
 */
const HEAVY_MS = 60_000;

const DURATIONS = [
  'connectTimeoutMs',
  'maxDurationMs',
  'expiryWarningMs',
  'tickMs',
  'disconnectGraceMs',
  'iceRestartTimeoutMs',
  'statsIntervalMs',
] as const;

function build(overrides: Partial<CallSessionOptions>): () => CallSession {
  const pair = createInMemorySignalingPair({ clock: new ManualClock() });
  return () => new CallSession({ signaling: pair.a, polite: true, runtime: new FakeRuntime(), ...overrides });
}

describe('durations beyond what setTimeout honours', () => {
  it('MAX_TIMER_DELAY_MS is 2^31 - 1', () => {
    expect(MAX_TIMER_DELAY_MS).toBe(2_147_483_647);
  });

  it.each(DURATIONS)(
    '%s above 2^31 - 1 ms is accepted; only non-finite or negative values are refused',
    (name) => {
      for (const value of [2 ** 31, 30 * 24 * 3_600_000, Number.MAX_SAFE_INTEGER]) {
        const session = build({ [name]: value })();
        session.end();
        expectReleased(session);
      }
      for (const value of [-1, Number.NaN, Number.POSITIVE_INFINITY])
        expect(build({ [name]: value })).toThrow(TypeError);
    },
  );

  it(
    'a 30-day maxDurationMs ends the call after 30 days, not at once (the runtime would fire it after 1 ms)',
    async () => {
      const clock = new RuntimeLikeClock();
      const thirtyDays = 30 * 86_400_000;
      // The other timers at their largest too, so advancing 30 days does not run millions of 1 s ticks.
      const big = Object.fromEntries(DURATIONS.map((name) => [name, MAX_TIMER_DELAY_MS]));
      const s = solo({ ...big, maxDurationMs: thirtyDays, clock });
      await driveTo(s, 'connected');
      clock.advance(1);
      expect(s.session.state).toBe('connected');
      clock.advance(thirtyDays - 2);
      expect(s.session.state).toBe('connected');
      expect(s.session.remainingMs).toBe(1);
      clock.advance(1);
      expect(s.session.endReason).toBe('expired');
      expectReleased(s.session);
      expect(clock.delays.reduce((a, b) => Math.max(a, b), 0)).toBeLessThanOrEqual(MAX_TIMER_DELAY_MS);
    },
    HEAVY_MS,
  );

  it(
    'no timer is ever armed beyond the limit, with every duration at its largest, through a whole call',
    async () => {
      const clock = new RuntimeLikeClock();
      const big = Object.fromEntries(DURATIONS.map((name) => [name, MAX_TIMER_DELAY_MS]));
      const s = solo({ ...big, clock });
      await driveTo(s, 'connected');
      // A whole day passes and the call is still up (a clamped timer would have ended it after 1 ms).
      clock.advance(86_400_000);
      expect(s.session.state).toBe('connected');
      clock.advance(MAX_TIMER_DELAY_MS - 86_400_000 - 1);
      expect(s.session.state).toBe('connected');
      clock.advance(1);
      expect(s.session.endReason).toBe('expired');
      expectReleased(s.session);
      expect(clock.delays.reduce((a, b) => Math.max(a, b), 0)).toBeLessThanOrEqual(MAX_TIMER_DELAY_MS);
      expect(clock.delays.every((ms) => Number.isFinite(ms) && ms >= 0)).toBe(true);
    },
    HEAVY_MS,
  );

  it(
    'nor through ICE recovery with the largest grace and restart bounds',
    async () => {
      const clock = new RuntimeLikeClock();
      const big = Object.fromEntries(
        DURATIONS.filter((name) => name !== 'maxDurationMs').map((name) => [name, MAX_TIMER_DELAY_MS]),
      );
      const s = solo({ ...big, clock, maxIceRestarts: 1 });
      await driveTo(s, 'reconnecting');
      clock.advance(MAX_TIMER_DELAY_MS - 1);
      expect(s.pc().restartIceCalls).toBe(0);
      clock.advance(1);
      expect(s.pc().restartIceCalls).toBe(1);
      clock.advance(MAX_TIMER_DELAY_MS - 1);
      expect(s.session.state).toBe('reconnecting');
      clock.advance(1);
      expect(s.session.endReason).toBe('ice-failed');
      expectReleased(s.session);
      expect(clock.delays.reduce((a, b) => Math.max(a, b), 0)).toBeLessThanOrEqual(MAX_TIMER_DELAY_MS);
    },
    HEAVY_MS,
  );
});

describe('TimerSet with delays the clock cannot take in one step', () => {
  it('arms a longer delay in steps no longer than the limit and fires once, on time', () => {
    const clock = new RuntimeLikeClock();
    const timers = new TimerSet(clock);
    let fired = 0;
    timers.set('long', 2 ** 33, () => fired++);
    clock.advance(2 ** 33 - 1);
    expect(fired).toBe(0);
    expect(timers.has('long')).toBe(true);
    expect(timers.size).toBe(1);
    clock.advance(1);
    expect(fired).toBe(1);
    expect(timers.size).toBe(0);
    expect(clock.delays.reduce((a, b) => Math.max(a, b), 0)).toBeLessThanOrEqual(MAX_TIMER_DELAY_MS);
    expect(clock.pendingTimers).toBe(0);
  });

  it('clearing or replacing a long timer mid-way cancels the rest of its chain', () => {
    const clock = new RuntimeLikeClock();
    const timers = new TimerSet(clock);
    let fired = '';
    timers.set('long', 3 * MAX_TIMER_DELAY_MS, () => (fired += 'a'));
    clock.advance(MAX_TIMER_DELAY_MS + 5);
    timers.clear('long');
    expect(clock.pendingTimers).toBe(0);
    timers.set('long', 2 * MAX_TIMER_DELAY_MS, () => (fired += 'b'));
    clock.advance(MAX_TIMER_DELAY_MS);
    timers.set('long', 10, () => (fired += 'c'));
    clock.advance(10 * MAX_TIMER_DELAY_MS);
    expect(fired).toBe('c');
    timers.set('x', 2 * MAX_TIMER_DELAY_MS, () => (fired += 'x'));
    timers.clearAll();
    expect(clock.pendingTimers).toBe(0);
  });

  it('a negative or NaN delay runs as 0, never as a huge one', () => {
    const clock = new RuntimeLikeClock();
    const timers = new TimerSet(clock);
    let fired = 0;
    timers.set('a', -5, () => fired++);
    timers.set('b', Number.NaN, () => fired++);
    clock.advance(0);
    expect(fired).toBe(2);
    expect(clock.delays).toEqual([0, 0]);
  });
});
