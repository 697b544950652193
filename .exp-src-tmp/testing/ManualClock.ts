import type { Clock } from '../clock.js';

interface ScheduledTimer {
  readonly id: number;
  readonly due: number;
  readonly fn: () => void;
}

/**
 * A {@link Clock} that only moves when told to. Pass it as `clock` to a `CallSession` (and to
 * `createInMemorySignalingPair`) to drive connect timeouts, call limits, ticks and ICE grace periods
 * deterministically, without waiting and without timing assertions.
 *
 * @example
 * ```ts
 * const clock = new ManualClock();
 * const session = new CallSession({ signaling, polite: true, clock, runtime, maxDurationMs: 60_000 });
 * clock.advance(60_000); // the call expires now, synchronously
 * ```
 */
export class ManualClock implements Clock {
  #now: number;
  #nextId = 1;
  #timers: ScheduledTimer[] = [];

  /** @param start the initial `now()`; @default 0 */
  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#nextId++;
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    this.#timers.push({ id, due: this.#now + delay, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers = this.#timers.filter((timer) => timer.id !== handle);
  }

  /** How many timers are scheduled. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /**
   * Moves time forward by `ms`, running every timer that falls due on the way, in due order (ties in the
   * order they were scheduled), including timers those timers schedule within the window.
   */
  advance(ms: number): void {
    const target = this.#now + Math.max(0, ms);
    for (let timer = this.#nextDue(target); timer; timer = this.#nextDue(target)) {
      this.#now = Math.max(this.#now, timer.due);
      timer.fn();
    }
    this.#now = target;
  }

  /**
   * Like {@link ManualClock.advance}, but lets promises settle (one macrotask) after every timer, so async
   * work a timer starts (a delivered signaling message, a fake negotiation step) runs before the next one.
   */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.#now + Math.max(0, ms);
    await settle();
    for (let timer = this.#nextDue(target); timer; timer = this.#nextDue(target)) {
      this.#now = Math.max(this.#now, timer.due);
      timer.fn();
      await settle();
    }
    this.#now = target;
    await settle();
  }

  /** Runs every scheduled timer (and those they schedule), up to `limit` of them. */
  runAll(limit = 10_000): void {
    for (let ran = 0; ran < limit; ran++) {
      const timer = this.#nextDue(Number.POSITIVE_INFINITY);
      if (!timer) return;
      this.#now = Math.max(this.#now, timer.due);
      timer.fn();
    }
    throw new Error(`ManualClock.runAll: still scheduling after ${limit} timers (a timer loop?)`);
  }

  #nextDue(limit: number): ScheduledTimer | undefined {
    let next: ScheduledTimer | undefined;
    for (const timer of this.#timers) {
      if (
        timer.due <= limit &&
        (!next || timer.due < next.due || (timer.due === next.due && timer.id < next.id))
      ) {
        next = timer;
      }
    }
    if (next) this.#timers = this.#timers.filter((timer) => timer !== next);
    return next;
  }
}

/** Resolves after one macrotask, by which time every pending microtask (promise reaction) has run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => globalThis.setTimeout(resolve, 0));
}
