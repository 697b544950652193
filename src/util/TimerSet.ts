import type { Clock } from '../clock.js';

/**
 * The session's timers, by name. Setting a name again replaces its timer, so a timer can never be
 * scheduled twice; `clearAll()` is how teardown guarantees that no timer outlives the call.
 */
export class TimerSet {
  readonly #clock: Clock;
  readonly #handles = new Map<string, unknown>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Schedules `fn` under `name` after `ms`, replacing any timer of that name. */
  set(name: string, ms: number, fn: () => void): void {
    this.clear(name);
    const handle = this.#clock.setTimeout(() => {
      // Forget the handle before running, so `fn` may re-arm the same name.
      if (this.#handles.get(name) === handle) this.#handles.delete(name);
      fn();
    }, ms);
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

  /** How many timers are pending. */
  get size(): number {
    return this.#handles.size;
  }
}
