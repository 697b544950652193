import type { Logger } from '../logger.js';
import { rethrowLater } from '../util/rethrowLater.js';
import type { SignalingEvent } from './types.js';

/** A subscriber of a signaling adapter. */
export type SignalingListener = (event: SignalingEvent) => void;

/** Bounds of the buffer a {@link SignalingEventHub} keeps while nobody is subscribed. */
export interface PendingEventLimits {
  /** Most events held. */
  maxEvents: number;
  /** Most bytes held, counted as the size each `emit` declares (the raw frame length for the WebSocket adapter). */
  maxBytes: number;
}

/**
 * Events held while nobody is subscribed, by default: a call exchanges a few dozen messages, and the same bound
 * as the session's own `SignalingLink` (64) keeps a flood from growing memory while no session listens.
 */
export const DEFAULT_PENDING_LIMITS: PendingEventLimits = { maxEvents: 64, maxBytes: 4 * 1024 * 1024 };

/**
 * The subscriber side shared by the shipped adapters: a set of listeners, and a bounded buffer for events that
 * arrive while nobody is subscribed — before the first session subscribes (it usually does a moment after the
 * adapter was created, and the peer's first offer must not be lost in between), and between two sessions reusing
 * one app-owned adapter (the next call's offer may arrive before the next session subscribes).
 *
 * @internal
 */
export class SignalingEventHub {
  readonly #listeners = new Set<SignalingListener>();
  readonly #pending: { event: SignalingEvent; bytes: number }[] = [];
  readonly #limits: PendingEventLimits;
  readonly #logger: Logger;
  #pendingBytes = 0;
  #flushScheduled = false;
  /** Whether the warning for the current overflow was logged (one per episode of buffering, not one per event). */
  #warned = false;

  constructor(limits: PendingEventLimits, logger: Logger) {
    this.#limits = limits;
    this.#logger = logger;
  }

  /**
   * Adds `listener`. Events buffered while nobody was subscribed are delivered, in order, in a microtask (never
   * inside `subscribe()` itself, so the caller can finish wiring up first).
   */
  subscribe(listener: SignalingListener): () => void {
    if (typeof listener !== 'function') {
      throw new TypeError('subscribe(listener): listener must be a function');
    }
    this.#listeners.add(listener);
    this.#scheduleFlush();
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * Delivers `event` to every listener, or buffers it while nobody is subscribed (or older buffered events are
   * still waiting for their microtask, so the order holds). `bytes` is what the event costs to hold, or a
   * function measuring it only when the event is held (delivering needs no size).
   */
  emit(event: SignalingEvent, bytes: number | (() => number) = 0): void {
    if (this.#listeners.size > 0 && this.#pending.length === 0) {
      for (const listener of [...this.#listeners]) this.#call(listener, event);
      return;
    }
    this.#hold(event, typeof bytes === 'function' ? bytes() : bytes);
  }

  /** Forgets every listener and buffered event. */
  clear(): void {
    this.#listeners.clear();
    this.#pending.length = 0;
    this.#pendingBytes = 0;
  }

  #hold(event: SignalingEvent, bytes: number): void {
    const { maxEvents, maxBytes } = this.#limits;
    let dropped = 0;
    // Bounded in count and size, so an adapter nobody listens to cannot grow without limit (a relay or a peer may
    // send up to 1 MiB per frame); the oldest events are the ones to lose. An event larger than the whole budget
    // is dropped alone: making room for it would empty the buffer and still not fit it.
    while (
      bytes <= maxBytes &&
      this.#pending.length > 0 &&
      (this.#pending.length >= maxEvents || this.#pendingBytes + bytes > maxBytes)
    ) {
      this.#pendingBytes -= this.#pending.shift()!.bytes;
      dropped++;
    }
    if (bytes > maxBytes) {
      dropped++;
    } else {
      this.#pending.push({ event, bytes });
      this.#pendingBytes += bytes;
    }
    if (dropped > 0 && !this.#warned) {
      this.#warned = true;
      this.#logger.warn(
        `signaling: events buffered while nobody is subscribed exceed ${maxEvents} events or ${maxBytes} bytes; dropped the oldest`,
      );
    }
    this.#scheduleFlush();
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled || this.#pending.length === 0 || this.#listeners.size === 0) return;
    this.#flushScheduled = true;
    queueMicrotask(() => this.#flushPending());
  }

  #flushPending(): void {
    this.#flushScheduled = false;
    // Stops as soon as nobody is subscribed (a listener may unsubscribe on a `bye`): the rest waits for the next.
    while (this.#pending.length > 0 && this.#listeners.size > 0) {
      const { event, bytes } = this.#pending.shift()!;
      this.#pendingBytes -= bytes;
      for (const listener of [...this.#listeners]) this.#call(listener, event);
    }
    if (this.#pending.length === 0) this.#warned = false;
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
