import type { Clock } from '../clock.js';

/**
 * The longest delay `setTimeout` honours: 2^31 - 1 ms (about 24.8 days). Browsers and Node store the delay
 * in a signed 32-bit integer and fire a longer one after 1 ms instead.
 */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * The session's timers, by name. Setting a name again replaces its timer, so a timer can never be
 * scheduled twice; `close()` is how teardown guarantees that no timer outlives the call, including one a part
 * would arm after teardown returned to it (a listener may end the call in the middle of a part's steps).
 */
export class TimerSet {
  readonly #clock: Clock;
  readonly #handles = new Map<string, unknown>();
  #closed = false;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /**
   * Schedules `fn` under `name` after `ms`, replacing any timer of that name. A delay beyond
   * {@link MAX_TIMER_DELAY_MS} is armed in steps no longer than that, so a 30-day `maxDurationMs` fires after
   * 30 days (the runtime would run it after 1 ms); a negative or NaN delay runs as 0.
   */
  set(name: string, ms: number, fn: () => void): void {
    this.clear(name);
    if (this.#closed) return;
    this.#arm(name, Number.isNaN(ms) || ms < 0 ? 0 : ms, fn);
  }

  #arm(name: string, delay: number, fn: () => void): void {
    const step = Math.min(delay, MAX_TIMER_DELAY_MS);
    const handle = this.#clock.setTimeout(() => {
      // Forget the handle before running, so `fn` may re-arm the same name.
      const current = this.#handles.get(name) === handle;
      if (current) this.#handles.delete(name);
      if (delay > step) {
        if (current) this.#arm(name, delay - step, fn);
        return;
      }
      fn();
    }, step);
    this.#handles.set(name, handle);
  }

  /** Cancels the timer of that name, if any. */
  clear(name: string): void {
    const handle = this.#handles.get(name);
    if (handle === undefined && !this.#handles.has(name)) return;
    this.#handles.delete(name);
    this.#clock.clearTimeout(handle);
  }

  /** Whether a timer of that name is pending. */
  has(name: string): boolean {
    return this.#handles.has(name);
  }

  /** Cancels every timer. */
  clearAll(): void {
    for (const name of [...this.#handles.keys()]) this.clear(name);
  }

  /** Cancels every timer, and every later {@link TimerSet.set} is a no-op: the call has ended. */
  close(): void {
    this.#closed = true;
    this.clearAll();
  }

  /** How many timers are pending. */
  get size(): number {
    return this.#handles.size;
  }
}
