import { type Clock, realClock } from '../clock.js';
import { rethrowLater } from '../session/rethrowLater.js';
import type { SignalingAdapter, SignalingEvent, SignalMessage } from './types.js';

/** Fault injection and timing for {@link createInMemorySignalingPair}. */
export interface InMemorySignalingOptions {
  /**
   * Delay of every delivery, in milliseconds. Delivery is asynchronous even at 0: it always goes through
   * `clock.setTimeout`.
   * @default 0
   */
  latencyMs?: number;
  /**
   * Probability (0…1) that a message is silently lost. Control events (`peer-left`, `finalize`, `closed`)
   * are never dropped.
   * @default 0
   */
  dropRate?: number;
  /**
   * Probability (0…1) that a message that was not dropped is delivered twice.
   * @default 0
   */
  duplicateRate?: number;
  /**
   * Adds a random extra delay of 0…max(`latencyMs`, 10) ms to every message, so messages may overtake each
   * other. Control events still arrive after every message sent before them.
   * @default false
   */
  reorder?: boolean;
  /**
   * Seed of the pseudo-random generator (mulberry32) behind `dropRate`, `duplicateRate` and `reorder`: the
   * same seed and the same sends give the same deliveries.
   * @default 0x5eed
   */
  seed?: number;
  /**
   * Schedules every delivery. Pass a `ManualClock` to drive the pair by hand.
   * @default realClock (global `setTimeout`)
   */
  clock?: Clock;
}

/** One end of an in-memory pair. */
export type InMemorySide = 'a' | 'b';

/** What {@link createInMemorySignalingPair} returns. */
export interface InMemorySignalingPair {
  /** The first peer's adapter. */
  readonly a: SignalingAdapter;
  /** The second peer's adapter. */
  readonly b: SignalingAdapter;
  /**
   * `side` leaves: the other side receives `peer-left` (after the messages `side` already sent), nothing
   * more is delivered to `side`, and its later sends are dropped. A side cannot come back.
   */
  leave(side: InMemorySide): void;
  /**
   * Sends `{ type: 'finalize', info }` (`info` structured-cloned, omitted when `undefined`) to both sides
   * still present, as a server ending the call would. Does not close the pair.
   */
  finalize(info?: unknown): void;
  /**
   * Closes the channel: every message still in flight or waiting for a subscriber is discarded, each side
   * still present receives `closed`, and every later `send` is a silent no-op. Idempotent. Once the
   * `closed` events are delivered the pair holds no timer.
   */
  close(): void;
  /** Events scheduled or waiting for a subscriber, for both sides together. */
  pendingDeliveries(): number;
}

const DEFAULT_SEED = 0x5eed;
const MIN_REORDER_WINDOW_MS = 10;

/**
 * Two connected in-memory {@link SignalingAdapter}s for tests, demos and benchmarks.
 *
 * - Messages are structured-cloned when sent and again for each delivery, so neither side ever holds an
 *   object the other can mutate; `send` throws the `DataCloneError` of a message that cannot be cloned.
 * - Delivery is always asynchronous (a `clock.setTimeout`, even at `latencyMs: 0`), never inside `send()`
 *   or `subscribe()`.
 * - Without `reorder`, each side receives events in the order they were sent.
 * - Events for a side with no subscriber wait, in order, and are delivered (asynchronously) to the next
 *   subscriber. An unsubscribed listener receives nothing more.
 * - There is no echo: a side never receives its own messages.
 * - Faults (`dropRate`, `duplicateRate`, `reorder`) come from a PRNG seeded by `seed`, so runs repeat.
 *
 * @example
 * ```ts
 * const pair = createInMemorySignalingPair({ latencyMs: 20, dropRate: 0.1, seed: 42 });
 * const caller = new CallSession({ signaling: pair.a, polite: false });
 * const callee = new CallSession({ signaling: pair.b, polite: true });
 * ```
 * @throws `TypeError` for a negative or non-finite `latencyMs`, or a rate outside 0…1.
 */
export function createInMemorySignalingPair(options: InMemorySignalingOptions = {}): InMemorySignalingPair {
  return new InMemorySignalingHub(resolveOptions(options)).pair();
}

interface ResolvedOptions {
  latencyMs: number;
  dropRate: number;
  duplicateRate: number;
  reorder: boolean;
  seed: number;
  clock: Clock;
}

function resolveOptions(options: InMemorySignalingOptions): ResolvedOptions {
  const latencyMs = options.latencyMs ?? 0;
  if (!Number.isFinite(latencyMs) || latencyMs < 0) {
    throw new TypeError(
      `createInMemorySignalingPair: latencyMs must be a finite number >= 0, got ${latencyMs}`,
    );
  }
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isFinite(seed)) {
    throw new TypeError(`createInMemorySignalingPair: seed must be a finite number, got ${seed}`);
  }
  return {
    latencyMs,
    dropRate: checkRate('dropRate', options.dropRate),
    duplicateRate: checkRate('duplicateRate', options.duplicateRate),
    reorder: options.reorder ?? false,
    seed,
    clock: options.clock ?? realClock,
  };
}

function checkRate(name: string, value: number | undefined): number {
  const rate = value ?? 0;
  if (!(rate >= 0 && rate <= 1)) {
    throw new TypeError(`createInMemorySignalingPair: ${name} must be between 0 and 1, got ${rate}`);
  }
  return rate;
}

/** mulberry32: tiny, fast and good enough to pick faults; returns floats in [0, 1). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An event on its way to one side. */
interface Delivery {
  /** A message payload (already a private clone) or a control event. */
  readonly payload: { kind: 'message'; data: unknown } | { kind: 'control'; event: SignalingEvent };
  /** Must wait until every delivery queued before it has been delivered. */
  readonly ordered: boolean;
  /** Its delay has elapsed. */
  ready: boolean;
  timer: unknown;
}

type Listener = (event: SignalingEvent) => void;

/** The receiving end of one side: its subscribers and the queue of events heading to it. */
class Inbox {
  readonly listeners = new Set<Listener>();
  /** In send order; a delivery leaves the queue when it is handed to the listeners. */
  queue: Delivery[] = [];
  /** The side left: it receives nothing more. */
  gone = false;
}

class InMemorySignalingHub {
  readonly #options: ResolvedOptions;
  readonly #random: () => number;
  readonly #inboxes: Record<InMemorySide, Inbox> = { a: new Inbox(), b: new Inbox() };
  // Timers that only re-run delivery (after a subscribe); tracked so close() can cancel them too.
  readonly #flushTimers = new Set<unknown>();
  #closed = false;

  constructor(options: ResolvedOptions) {
    this.#options = options;
    this.#random = mulberry32(options.seed);
  }

  pair(): InMemorySignalingPair {
    return {
      a: this.#adapter('a'),
      b: this.#adapter('b'),
      leave: (side) => this.#leave(side),
      finalize: (info) => this.#finalize(info),
      close: () => this.#close(),
      pendingDeliveries: () => this.#inboxes.a.queue.length + this.#inboxes.b.queue.length,
    };
  }

  #adapter(side: InMemorySide): SignalingAdapter {
    return {
      send: (message: SignalMessage) => this.#send(side, message),
      subscribe: (listener: Listener) => this.#subscribe(side, listener),
    };
  }

  #send(from: InMemorySide, message: SignalMessage): void {
    if (this.#closed || this.#inboxes[from].gone) return;
    // Cloned now, so the sender may mutate its object as soon as send() returns.
    const data = structuredClone(message);
    const { dropRate, duplicateRate } = this.#options;
    // Always draw the same numbers per send, so one option does not shift the faults another one picks.
    const dropped = this.#random() < dropRate;
    const duplicated = this.#random() < duplicateRate;
    const jitters = [this.#jitter(), this.#jitter()];
    if (dropped) return;
    const to = other(from);
    const copies = duplicated ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      this.#schedule(to, { kind: 'message', data }, !this.#options.reorder, jitters[i] ?? 0);
    }
  }

  #jitter(): number {
    const roll = this.#random();
    if (!this.#options.reorder) return 0;
    const window = Math.max(this.#options.latencyMs, MIN_REORDER_WINDOW_MS);
    return Math.floor(roll * (window + 1));
  }

  #subscribe(side: InMemorySide, listener: Listener): () => void {
    const inbox = this.#inboxes[side];
    // A wrapper, so subscribing the same function twice gives two independent subscriptions.
    const subscription: Listener = (event) => listener(event);
    inbox.listeners.add(subscription);
    if (inbox.queue.some((delivery) => delivery.ready)) this.#scheduleFlush(side);
    return () => {
      inbox.listeners.delete(subscription);
    };
  }

  #leave(side: InMemorySide): void {
    const inbox = this.#inboxes[side];
    if (this.#closed || inbox.gone) return;
    inbox.gone = true;
    this.#discard(inbox);
    this.#control(other(side), { type: 'peer-left' });
  }

  #finalize(info: unknown): void {
    if (this.#closed) return;
    // Cloned now, like a message, so the caller may mutate `info` afterwards.
    const event: SignalingEvent =
      info === undefined ? { type: 'finalize' } : { type: 'finalize', info: structuredClone(info) };
    for (const side of SIDES) this.#control(side, event);
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const timer of this.#flushTimers) this.#options.clock.clearTimeout(timer);
    this.#flushTimers.clear();
    for (const side of SIDES) {
      this.#discard(this.#inboxes[side]);
      this.#control(side, { type: 'closed' });
    }
  }

  #control(to: InMemorySide, event: SignalingEvent): void {
    this.#schedule(to, { kind: 'control', event }, true, 0);
  }

  #schedule(to: InMemorySide, payload: Delivery['payload'], ordered: boolean, jitterMs: number): void {
    const inbox = this.#inboxes[to];
    if (inbox.gone) return;
    const delivery: Delivery = { payload, ordered, ready: false, timer: undefined };
    inbox.queue.push(delivery);
    delivery.timer = this.#options.clock.setTimeout(() => {
      delivery.ready = true;
      delivery.timer = undefined;
      this.#flush(to);
    }, this.#options.latencyMs + jitterMs);
  }

  #scheduleFlush(side: InMemorySide): void {
    const timer = this.#options.clock.setTimeout(() => {
      this.#flushTimers.delete(timer);
      this.#flush(side);
    }, 0);
    this.#flushTimers.add(timer);
  }

  /** Hands every deliverable event to the listeners; the rest waits for its timer or a subscriber. */
  #flush(side: InMemorySide): void {
    const inbox = this.#inboxes[side];
    let index = 0;
    // Re-read the queue each turn: a listener may send, leave or close while we deliver.
    while (inbox.listeners.size > 0 && index < inbox.queue.length) {
      const delivery = inbox.queue[index]!;
      if (!delivery.ready || (delivery.ordered && index > 0)) {
        index++;
        continue;
      }
      inbox.queue.splice(index, 1);
      this.#deliver(inbox, delivery);
    }
  }

  #deliver(inbox: Inbox, delivery: Delivery): void {
    // A snapshot: a listener that unsubscribes another during this delivery must stop that one at once.
    for (const listener of [...inbox.listeners]) {
      if (!inbox.listeners.has(listener)) continue;
      invokeListener(listener, materialise(delivery.payload));
    }
  }

  #discard(inbox: Inbox): void {
    for (const delivery of inbox.queue) {
      if (delivery.timer !== undefined) this.#options.clock.clearTimeout(delivery.timer);
    }
    inbox.queue = [];
  }
}

const SIDES: readonly InMemorySide[] = ['a', 'b'];

function other(side: InMemorySide): InMemorySide {
  return side === 'a' ? 'b' : 'a';
}

/** A fresh event per listener: each gets its own clone of a message or of `finalize` info. */
function materialise(payload: Delivery['payload']): SignalingEvent {
  if (payload.kind === 'message') return { type: 'message', data: structuredClone(payload.data) };
  const { event } = payload;
  if (event.type === 'finalize' && 'info' in event)
    return { type: 'finalize', info: structuredClone(event.info) };
  return { ...event };
}

/**
 * A throwing listener must not break delivery to the others or the hub's bookkeeping; its exception is
 * re-thrown in a later macrotask (like the session's own listeners) so it still surfaces as an uncaught error.
 */
function invokeListener(listener: Listener, event: SignalingEvent): void {
  try {
    listener(event);
  } catch (error) {
    rethrowLater(error);
  }
}
