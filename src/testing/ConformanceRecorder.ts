import type { SignalingAdapter, SignalingEvent } from '../signaling/types.js';

/**
 * Subscribes to one adapter and records what it delivers, so a case can wait for an event with a timeout and say
 * exactly what was (or was not) received.
 *
 * @internal
 */
export class ConformanceRecorder {
  readonly events: SignalingEvent[] = [];
  readonly #side: string;
  readonly #timeoutMs: number;
  #unsubscribe: (() => void) | undefined;
  #waiters: (() => void)[] = [];

  constructor(adapter: SignalingAdapter, side: string, timeoutMs: number) {
    this.#side = side;
    this.#timeoutMs = timeoutMs;
    this.#unsubscribe = adapter.subscribe((event) => {
      this.events.push(event);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    if (typeof this.#unsubscribe !== 'function') {
      throw new Error(
        `${side}.subscribe() must return an unsubscribe function, got ${typeof this.#unsubscribe}`,
      );
    }
  }

  /** Payloads of the `message` events so far. */
  get messages(): unknown[] {
    return this.events.filter((event) => event.type === 'message').map((event) => event.data);
  }

  /** Stops recording. */
  stop(): void {
    const unsubscribe = this.#unsubscribe;
    this.#unsubscribe = undefined;
    unsubscribe?.();
  }

  /** Resolves once `count` `message` events were received; rejects after the timeout, saying what arrived. */
  async waitForMessages(count: number, what: string): Promise<unknown[]> {
    await this.#waitUntil(
      () => this.messages.length >= count,
      () => {
        return `${this.#side} received ${this.messages.length} of ${count} expected message(s) within ${this.#timeoutMs} ms (${what})`;
      },
    );
    return this.messages;
  }

  /** Resolves with the first event of `type`; rejects after the timeout, listing the events that did arrive. */
  async waitForEvent(type: SignalingEvent['type'], what: string): Promise<SignalingEvent> {
    await this.#waitUntil(
      () => this.events.some((event) => event.type === type),
      () =>
        `${this.#side} did not receive a '${type}' event within ${this.#timeoutMs} ms (${what}); received: [${this.events
          .map((event) => event.type)
          .join(', ')}]`,
    );
    return this.events.find((event) => event.type === type)!;
  }

  #waitUntil(done: () => boolean, failure: () => string): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((waiter) => waiter !== check);
        reject(new Error(failure()));
      }, this.#timeoutMs);
      const check = (): void => {
        if (done()) {
          clearTimeout(timer);
          resolve();
        } else {
          this.#waiters.push(check);
        }
      };
      this.#waiters.push(check);
    });
  }
}

/** Describes the first difference between two JSON-like values, or `undefined` when they are equal. */
export function jsonDifference(expected: unknown, actual: unknown, path = '$'): string | undefined {
  if (Object.is(expected, actual)) return undefined;
  if (typeof expected !== 'object' || expected === null || typeof actual !== 'object' || actual === null) {
    return `${path}: expected ${preview(expected)}, received ${preview(actual)}`;
  }
  if (Array.isArray(expected) !== Array.isArray(actual)) {
    return `${path}: expected ${Array.isArray(expected) ? 'an array' : 'an object'}, received ${preview(actual)}`;
  }
  const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
  for (const key of keys) {
    const difference = jsonDifference(
      (expected as Record<string, unknown>)[key],
      (actual as Record<string, unknown>)[key],
      `${path}.${key}`,
    );
    if (difference) return difference;
  }
  return undefined;
}

function preview(value: unknown): string {
  if (typeof value === 'string') {
    return value.length > 60
      ? `a string of ${value.length} chars starting ${JSON.stringify(value.slice(0, 40))}`
      : JSON.stringify(value);
  }
  if (value === undefined) return 'undefined';
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 80)}…` : text;
  } catch {
    return String(value);
  }
}

/** Resolves after `ms`. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
