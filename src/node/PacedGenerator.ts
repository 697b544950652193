import type { Clock } from '../clock.js';

/**
 * Calls `push(index)` once per `periodMs` on a {@link Clock}, keeping pace with the clock rather than with the
 * timer: when a timer fires late (a busy event loop), the items that fell due meanwhile are pushed at once, up
 * to `maxBurst`; older ones are skipped. Audio needs this (a receiver hears every missing 10 ms chunk); video
 * uses a burst of one (a late frame is simply dropped).
 *
 * {@link PacedGenerator.stop} is synchronous and idempotent: when it returns, no timer is scheduled and `push`
 * is never called again.
 */
export class PacedGenerator {
  readonly #clock: Clock;
  readonly #periodMs: number;
  readonly #maxBurst: number;
  readonly #push: (index: number) => void;
  readonly #startedAt: number;
  #next = 0;
  #timer: unknown;
  #stopped = false;

  constructor(clock: Clock, periodMs: number, maxBurst: number, push: (index: number) => void) {
    this.#clock = clock;
    this.#periodMs = periodMs;
    this.#maxBurst = maxBurst;
    this.#push = push;
    this.#startedAt = clock.now();
    this.#tick();
  }

  /** Whether the generator still runs (a timer is scheduled). */
  get running(): boolean {
    return !this.#stopped;
  }

  /** Stops at once: clears the pending timer. Idempotent. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #tick(): void {
    this.#timer = undefined;
    if (this.#stopped) return;
    const due = Math.floor((this.#clock.now() - this.#startedAt) / this.#periodMs) + 1;
    // Items older than one burst are skipped rather than pushed in a flood.
    if (due - this.#next > this.#maxBurst) this.#next = due - this.#maxBurst;
    try {
      while (this.#next < due && !this.#stopped) this.#push(this.#next++);
    } catch {
      // The source refused a frame (wrtc throws once its track is gone): nothing more can be delivered.
      this.stop();
      return;
    }
    if (this.#stopped) return;
    const wait = this.#startedAt + this.#next * this.#periodMs - this.#clock.now();
    this.#timer = this.#clock.setTimeout(() => this.#tick(), Math.max(0, wait));
  }
}
