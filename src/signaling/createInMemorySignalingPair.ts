import { type Clock, realClock } from '../clock.js';
import { mulberry32 } from '../util/mulberry32.js';
import { rethrowLater } from '../util/rethrowLater.js';
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
  const latencyMs = options.latencyMs ?? 0;
  if (!(Number.isFinite(latencyMs) && latencyMs >= 0)) {
    badOption('latencyMs', 'a finite number >= 0', latencyMs);
  }
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isFinite(seed)) badOption('seed', 'a finite number', seed);
  const dropRate = checkRate('dropRate', options.dropRate);
  const duplicateRate = checkRate('duplicateRate', options.duplicateRate);
  const reorder = options.reorder ?? false;
  const clock = options.clock ?? realClock;

  const random = mulberry32(seed);
  const inboxes: Record<InMemorySide, Inbox> = { a: newInbox(), b: newInbox() };
  // Timers that only re-run delivery (after a subscribe); tracked so close() can cancel them too.
  const flushTimers = new Set<unknown>();
  let closed = false;

  const jitter = (): number => {
    const roll = random();
    return reorder ? Math.floor(roll * (Math.max(latencyMs, MIN_REORDER_WINDOW_MS) + 1)) : 0;
  };

  const send = (from: InMemorySide, message: SignalMessage): void => {
    if (closed || inboxes[from].gone) return;
    // Cloned now, so the sender may mutate its object as soon as send() returns.
    const event: SignalingEvent = { type: 'message', data: structuredClone(message) };
    // Always draw the same numbers per send, so one option does not shift the faults another one picks.
    const dropped = random() < dropRate;
    const duplicated = random() < duplicateRate;
    const jitters = [jitter(), jitter()];
    if (dropped) return;
    for (let i = 0; i < (duplicated ? 2 : 1); i++) schedule(other(from), event, !reorder, jitters[i]!);
  };

  const subscribe = (side: InMemorySide, listener: Listener): (() => void) => {
    const inbox = inboxes[side];
    // A wrapper, so subscribing the same function twice gives two independent subscriptions.
    const subscription: Listener = (event) => listener(event);
    inbox.listeners.add(subscription);
    if (inbox.queue.some((delivery) => delivery.ready)) {
      const timer = clock.setTimeout(() => {
        flushTimers.delete(timer);
        flush(side);
      }, 0);
      flushTimers.add(timer);
    }
    return () => {
      inbox.listeners.delete(subscription);
    };
  };

  const schedule = (to: InMemorySide, event: SignalingEvent, ordered: boolean, jitterMs: number): void => {
    const inbox = inboxes[to];
    if (inbox.gone) return;
    const delivery: Delivery = { event, ordered, ready: false, timer: undefined };
    inbox.queue.push(delivery);
    delivery.timer = clock.setTimeout(() => {
      delivery.ready = true;
      delivery.timer = undefined;
      flush(to);
    }, latencyMs + jitterMs);
  };

  /** Hands every deliverable event to the listeners; the rest waits for its timer or a subscriber. */
  const flush = (side: InMemorySide): void => {
    const inbox = inboxes[side];
    const { listeners } = inbox;
    let index = 0;
    // Re-read the queue each turn: a listener may send, leave or close while we deliver.
    while (listeners.size > 0 && index < inbox.queue.length) {
      const delivery = inbox.queue[index]!;
      if (!delivery.ready || (delivery.ordered && index > 0)) {
        index++;
        continue;
      }
      inbox.queue.splice(index, 1);
      // A snapshot: a listener that unsubscribes another during this delivery must stop that one at once.
      for (const listener of [...listeners]) {
        // A fresh event per listener: each gets its own clone of a message or of `finalize` info.
        if (listeners.has(listener)) invokeListener(listener, structuredClone(delivery.event));
      }
    }
  };

  const discard = (inbox: Inbox): void => {
    for (const { timer } of inbox.queue) if (timer !== undefined) clock.clearTimeout(timer);
    inbox.queue = [];
  };

  const control = (to: InMemorySide, event: SignalingEvent): void => schedule(to, event, true, 0);

  const adapter = (side: InMemorySide): SignalingAdapter => ({
    send: (message) => send(side, message),
    subscribe: (listener) => subscribe(side, listener),
  });

  return {
    a: adapter('a'),
    b: adapter('b'),
    leave: (side) => {
      const inbox = inboxes[side];
      if (closed || inbox.gone) return;
      inbox.gone = true;
      discard(inbox);
      control(other(side), { type: 'peer-left' });
    },
    finalize: (info) => {
      if (closed) return;
      // Cloned now, like a message, so the caller may mutate `info` afterwards.
      const event: SignalingEvent =
        info === undefined ? { type: 'finalize' } : { type: 'finalize', info: structuredClone(info) };
      for (const side of SIDES) control(side, event);
    },
    close: () => {
      if (closed) return;
      closed = true;
      for (const timer of flushTimers) clock.clearTimeout(timer);
      flushTimers.clear();
      for (const side of SIDES) {
        discard(inboxes[side]);
        control(side, { type: 'closed' });
      }
    },
    pendingDeliveries: () => inboxes.a.queue.length + inboxes.b.queue.length,
  };
}

function badOption(name: string, expected: string, value: unknown): never {
  throw new TypeError(`createInMemorySignalingPair: ${name} must be ${expected}, got ${String(value)}`);
}

function checkRate(name: string, value: number | undefined): number {
  const rate = value ?? 0;
  if (!(rate >= 0 && rate <= 1)) badOption(name, 'between 0 and 1', rate);
  return rate;
}

/**
 * An event on its way to one side: a message (its data already a private clone) or a control event. Each
 * listener receives its own structured clone of it.
 */
interface Delivery {
  readonly event: SignalingEvent;
  /** Must wait until every delivery queued before it has been delivered. */
  readonly ordered: boolean;
  /** Its delay has elapsed. */
  ready: boolean;
  timer: unknown;
}

type Listener = (event: SignalingEvent) => void;

/** The receiving end of one side: its subscribers and the queue of events heading to it. */
interface Inbox {
  readonly listeners: Set<Listener>;
  /** In send order; a delivery leaves the queue when it is handed to the listeners. */
  queue: Delivery[];
  /** The side left: it receives nothing more. */
  gone: boolean;
}

function newInbox(): Inbox {
  return { listeners: new Set(), queue: [], gone: false };
}

const SIDES: readonly InMemorySide[] = ['a', 'b'];

function other(side: InMemorySide): InMemorySide {
  return side === 'a' ? 'b' : 'a';
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
