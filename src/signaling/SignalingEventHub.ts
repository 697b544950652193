import type { Logger } from '../logger.js';
import { rethrowLater } from '../util/rethrowLater.js';
import type { SignalingEvent } from './types.js';

/** A subscriber of a signaling adapter. */
export type SignalingListener = (event: SignalingEvent) => void;

/**
 * The subscriber side shared by the shipped adapters: a set of listeners, and a bounded buffer for events that
 * arrive before anyone subscribed (a session usually subscribes a moment after the adapter was created, and the
 * peer's first offer must not be lost in between).
 *
 * @internal
 */
export class SignalingEventHub {
  readonly #listeners = new Set<SignalingListener>();
  readonly #pending: SignalingEvent[] = [];
  readonly #maxPending: number;
  readonly #logger: Logger;
  #hadSubscriber = false;

  constructor(maxPending: number, logger: Logger) {
    this.#maxPending = maxPending;
    this.#logger = logger;
  }

  /** Whether anyone is subscribed right now. */
  get subscribed(): boolean {
    return this.#listeners.size > 0;
  }

  /**
   * Adds `listener`. The first subscriber receives the buffered events, in order, in a microtask (never inside
   * `subscribe()` itself, so the caller can finish wiring up first).
   */
  subscribe(listener: SignalingListener): () => void {
    if (typeof listener !== 'function') {
      throw new TypeError('subscribe(listener): listener must be a function');
    }
    this.#listeners.add(listener);
    if (!this.#hadSubscriber) {
      this.#hadSubscriber = true;
      if (this.#pending.length > 0) {
        queueMicrotask(() => this.#flushPending(listener));
      }
    }
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Delivers `event` to every listener, or buffers it while no one has subscribed yet. */
  emit(event: SignalingEvent): void {
    if (!this.#hadSubscriber) {
      if (this.#pending.length >= this.#maxPending) {
        // Bounded so an unsubscribed adapter cannot grow without limit; the oldest event is the one to lose.
        this.#pending.shift();
        this.#logger.warn(
          'signaling: event buffer full before the first subscriber; dropped the oldest event',
        );
      }
      this.#pending.push(event);
      return;
    }
    for (const listener of [...this.#listeners]) {
      this.#call(listener, event);
    }
  }

  /** Forgets every listener and buffered event. */
  clear(): void {
    this.#listeners.clear();
    this.#pending.length = 0;
  }

  #flushPending(listener: SignalingListener): void {
    while (this.#pending.length > 0) {
      const event = this.#pending.shift()!;
      // Unsubscribed before the microtask ran: the events go to whoever is subscribed now, if anyone.
      const targets = this.#listeners.has(listener) ? [listener] : [...this.#listeners];
      for (const target of targets) this.#call(target, event);
    }
  }

  #call(listener: SignalingListener, event: SignalingEvent): void {
    try {
      listener(event);
    } catch (error) {
      // A throwing subscriber must not break the adapter's bookkeeping; re-throw later so it is still visible.
      rethrowLater(error);
    }
  }
}
