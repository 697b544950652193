import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../src/clock.js';
import {
  createInMemorySignalingPair,
  type InMemorySignalingOptions,
  type InMemorySignalingPair,
} from '../../src/signaling/createInMemorySignalingPair.js';
import type { SignalingEvent, SignalMessage } from '../../src/signaling/types.js';

// One test here is about the real re-throw (a later macrotask), which the shared setup records instead.
vi.unmock('../../src/util/rethrowLater.js');

/** A minimal manual clock. `lifo` fires timers due at the same time newest first, to shake out order bugs. */
class TestClock implements Clock {
  #now = 0;
  #nextId = 0;
  readonly #timers = new Map<number, { due: number; fn: () => void }>();
  readonly #lifo: boolean;

  constructor(options: { lifo?: boolean } = {}) {
    this.#lifo = options.lifo ?? false;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.#nextId;
    this.#timers.set(id, { due: this.#now + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due (including ones scheduled meanwhile). */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (let next = this.#next(end); next; next = this.#next(end)) {
      this.#now = next.due;
      this.#timers.delete(next.id);
      next.fn();
    }
    this.#now = end;
  }

  /** Fires everything, however far in the future. */
  runAll(): void {
    for (let guard = 0; this.#timers.size > 0; guard++) {
      if (guard > 100_000) throw new Error('timers keep rescheduling');
      this.advance(Math.max(0, Math.min(...[...this.#timers.values()].map((t) => t.due)) - this.#now));
    }
  }

  #next(end: number): { id: number; due: number; fn: () => void } | undefined {
    let best: { id: number; due: number; fn: () => void } | undefined;
    for (const [id, timer] of this.#timers) {
      if (timer.due > end) continue;
      const better =
        !best ||
        timer.due < best.due ||
        (timer.due === best.due && (this.#lifo ? id > best.id : id < best.id));
      if (better) best = { id, ...timer };
    }
    return best;
  }
}

const bye: SignalMessage = { type: 'bye', reason: 'hangup' };
const numbered = (n: number): SignalMessage => ({ type: 'candidate', candidate: { candidate: `c${n}` } });
const numberOf = (event: SignalingEvent): number =>
  event.type === 'message'
    ? Number((event.data as { candidate: { candidate: string } }).candidate.candidate.slice(1))
    : -1;

function setup(options: InMemorySignalingOptions = {}, clock = new TestClock()) {
  const pair = createInMemorySignalingPair({ ...options, clock });
  const received: Record<'a' | 'b', SignalingEvent[]> = { a: [], b: [] };
  const unsubscribe = {
    a: pair.a.subscribe((event) => received.a.push(event)),
    b: pair.b.subscribe((event) => received.b.push(event)),
  };
  return { pair, clock, received, unsubscribe };
}

/** Sends `count` numbered messages from a, one per `gapMs`, then runs every timer; returns b's numbers. */
function deliverySequence(options: InMemorySignalingOptions, count: number, gapMs = 1): number[] {
  const { pair, clock, received } = setup(options);
  for (let i = 0; i < count; i++) {
    pair.a.send(numbered(i));
    clock.advance(gapMs);
  }
  clock.runAll();
  return received.b.map(numberOf);
}

function inversions(sequence: number[]): number {
  let count = 0;
  for (let i = 1; i < sequence.length; i++) if (sequence[i]! < sequence[i - 1]!) count++;
  return count;
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('createInMemorySignalingPair: delivery', () => {
  it('delivers a message to the other side only, wrapped as a message event', () => {
    const { pair, clock, received } = setup();
    pair.a.send(bye);
    clock.advance(0);
    expect(received.b).toEqual([{ type: 'message', data: bye }]);
    expect(received.a).toEqual([]);

    pair.b.send({ type: 'mute', kind: 'video', muted: true });
    clock.advance(0);
    expect(received.a).toEqual([{ type: 'message', data: { type: 'mute', kind: 'video', muted: true } }]);
    expect(received.b).toHaveLength(1);
  });

  it('never delivers inside send(), even with latencyMs 0', () => {
    const { pair, clock, received } = setup({ latencyMs: 0 });
    pair.a.send(bye);
    expect(received.b).toEqual([]);
    expect(clock.pendingTimers).toBe(1);
    expect(pair.pendingDeliveries()).toBe(1);
    clock.advance(0);
    expect(received.b).toHaveLength(1);
    expect(pair.pendingDeliveries()).toBe(0);
  });

  it('never delivers inside send() called from a listener', () => {
    const clock = new TestClock();
    const pair = createInMemorySignalingPair({ clock });
    const log: string[] = [];
    pair.b.subscribe(() => {
      log.push('b got it');
      pair.b.send(bye);
      log.push('b sent reply');
    });
    pair.a.subscribe(() => log.push('a got reply'));
    pair.a.send(bye);
    clock.advance(0);
    expect(log).toEqual(['b got it', 'b sent reply', 'a got reply']);
  });

  it('delivers asynchronously with the real clock by default', async () => {
    const pair = createInMemorySignalingPair();
    const received: SignalingEvent[] = [];
    pair.b.subscribe((event) => received.push(event));
    pair.a.send(bye);
    expect(received).toEqual([]);
    await vi.waitFor(() => expect(received).toEqual([{ type: 'message', data: bye }]));
    pair.close();
  });

  it('reads the global setTimeout lazily, so fake timers work without a clock option', () => {
    vi.useFakeTimers();
    const pair = createInMemorySignalingPair({ latencyMs: 30 });
    const received: SignalingEvent[] = [];
    pair.b.subscribe((event) => received.push(event));
    pair.a.send(bye);
    vi.advanceTimersByTime(29);
    expect(received).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(received).toHaveLength(1);
    pair.close();
    vi.runAllTimers();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('waits latencyMs before delivering', () => {
    const { pair, clock, received } = setup({ latencyMs: 50 });
    pair.a.send(bye);
    clock.advance(49);
    expect(received.b).toEqual([]);
    clock.advance(1);
    expect(received.b).toHaveLength(1);
  });

  it('keeps send order with latency', () => {
    expect(deliverySequence({ latencyMs: 40 }, 50, 3)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(deliverySequence({ latencyMs: 0 }, 50, 0)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('keeps send order even on a clock that fires simultaneous timers newest first', () => {
    const { pair, clock, received } = setup({ latencyMs: 10 }, new TestClock({ lifo: true }));
    for (let i = 0; i < 20; i++) pair.a.send(numbered(i));
    clock.advance(10);
    expect(received.b.map(numberOf)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('carries a large SDP intact', () => {
    const sdp = `v=0\r\n${'a=x\r\n'.repeat(50_000)}`;
    const { pair, clock, received } = setup();
    pair.a.send({ type: 'description', description: { type: 'offer', sdp } });
    clock.advance(0);
    expect(received.b[0]).toEqual({
      type: 'message',
      data: { type: 'description', description: { type: 'offer', sdp } },
    });
  });

  it('returns undefined from send', () => {
    const { pair } = setup();
    expect(pair.a.send(bye)).toBeUndefined();
  });

  it('throws the DataCloneError of a message that cannot be cloned, delivering nothing', () => {
    const { pair, clock, received } = setup();
    const bad = { type: 'bye', reason: 'hangup', fn: () => 1 } as unknown as SignalMessage;
    expect(() => pair.a.send(bad)).toThrow(/clone/i);
    clock.runAll();
    expect(received.b).toEqual([]);
  });
});

describe('createInMemorySignalingPair: cloning', () => {
  it('delivers a structured clone, not the sent object', () => {
    const { pair, clock, received } = setup();
    const message: SignalMessage = { type: 'candidate', candidate: { candidate: 'c1', sdpMid: '0' } };
    pair.a.send(message);
    clock.advance(0);
    const event = received.b[0] as { type: 'message'; data: typeof message };
    expect(event.data).toEqual(message);
    expect(event.data).not.toBe(message);
    expect(event.data.candidate).not.toBe(message.candidate);
  });

  it('snapshots at send time: later mutation by the sender does not travel', () => {
    const { pair, clock, received } = setup({ latencyMs: 10 });
    const message = { type: 'candidate', candidate: { candidate: 'original' } } as SignalMessage & {
      candidate: { candidate: string };
    };
    pair.a.send(message);
    message.candidate.candidate = 'mutated';
    clock.advance(10);
    expect(received.b).toEqual([
      { type: 'message', data: { type: 'candidate', candidate: { candidate: 'original' } } },
    ]);
  });

  it('gives each listener and each duplicate its own copy', () => {
    const clock = new TestClock();
    const pair = createInMemorySignalingPair({ clock, duplicateRate: 1 });
    const first: SignalingEvent[] = [];
    const second: SignalingEvent[] = [];
    pair.b.subscribe((event) => {
      first.push(event);
      // A receiver that mutates what it got must not affect anyone else.
      (event as { data: { reason: string } }).data.reason = 'tampered';
    });
    pair.b.subscribe((event) => second.push(event));
    pair.a.send(bye);
    clock.advance(0);
    expect(first).toHaveLength(2);
    expect(second).toEqual([
      { type: 'message', data: bye },
      { type: 'message', data: bye },
    ]);
    const datas = [...first, ...second].map((event) => (event as { data: unknown }).data);
    expect(new Set(datas).size).toBe(4);
  });

  it('clones finalize info', () => {
    const { pair, clock, received } = setup();
    const info = { reason: 'limit', nested: { seconds: 600 } };
    pair.finalize(info);
    info.nested.seconds = 1;
    clock.advance(0);
    expect(received.a).toEqual([{ type: 'finalize', info: { reason: 'limit', nested: { seconds: 600 } } }]);
    expect(received.b).toEqual(received.a);
    const infos = [received.a[0], received.b[0]].map((event) => (event as { info: unknown }).info);
    expect(infos[0]).not.toBe(infos[1]);
    expect(infos[0]).not.toBe(info);
  });
});

describe('createInMemorySignalingPair: subscribers', () => {
  it('buffers messages sent before the other side subscribes, and delivers them in order afterwards', () => {
    const clock = new TestClock();
    const pair = createInMemorySignalingPair({ clock, latencyMs: 5 });
    for (let i = 0; i < 5; i++) pair.a.send(numbered(i));
    clock.advance(100);
    expect(pair.pendingDeliveries()).toBe(5);
    expect(clock.pendingTimers).toBe(0);

    const received: SignalingEvent[] = [];
    pair.b.subscribe((event) => received.push(event));
    // Not inside subscribe() either.
    expect(received).toEqual([]);
    clock.advance(0);
    expect(received.map(numberOf)).toEqual([0, 1, 2, 3, 4]);
    expect(pair.pendingDeliveries()).toBe(0);
  });

  it('keeps order between buffered messages and those still in flight when the subscriber arrives', () => {
    const clock = new TestClock();
    const pair = createInMemorySignalingPair({ clock, latencyMs: 10 });
    pair.a.send(numbered(0));
    pair.a.send(numbered(1));
    clock.advance(10);
    pair.a.send(numbered(2));
    const received: SignalingEvent[] = [];
    pair.b.subscribe((event) => received.push(event));
    pair.a.send(numbered(3));
    clock.runAll();
    expect(received.map(numberOf)).toEqual([0, 1, 2, 3]);
  });

  it('stops delivering to an unsubscribed listener, including messages already in flight', () => {
    const { pair, clock, received, unsubscribe } = setup({ latencyMs: 10 });
    pair.a.send(numbered(0));
    clock.advance(10);
    pair.a.send(numbered(1));
    unsubscribe.b();
    pair.a.send(numbered(2));
    clock.runAll();
    expect(received.b.map(numberOf)).toEqual([0]);
  });

  it('holds what arrives while nobody listens for the next subscriber', () => {
    const { pair, clock, unsubscribe } = setup();
    unsubscribe.b();
    pair.a.send(numbered(7));
    clock.runAll();
    expect(pair.pendingDeliveries()).toBe(1);
    const later: SignalingEvent[] = [];
    pair.b.subscribe((event) => later.push(event));
    clock.runAll();
    expect(later.map(numberOf)).toEqual([7]);
  });

  it('does not lose buffered messages when the new subscriber leaves before the flush', () => {
    const clock = new TestClock();
    const pair = createInMemorySignalingPair({ clock });
    pair.a.send(numbered(1));
    clock.runAll();
    const early: SignalingEvent[] = [];
    const stop = pair.b.subscribe((event) => early.push(event));
    stop();
    clock.runAll();
    expect(early).toEqual([]);
    expect(pair.pendingDeliveries()).toBe(1);
  });

  it('makes unsubscribe idempotent and independent per subscription', () => {
    const clock = new TestClock();
    const pair = createInMemorySignalingPair({ clock });
    const calls: SignalingEvent[] = [];
    const listener = (event: SignalingEvent) => calls.push(event);
    const first = pair.b.subscribe(listener);
    pair.b.subscribe(listener);
    first();
    first();
    pair.a.send(bye);
    clock.runAll();
    expect(calls).toHaveLength(1);
  });

  it('stops a listener unsubscribed by another listener during the same delivery', () => {
    const clock = new TestClock();
    const pair = createInMemorySignalingPair({ clock });
    const second: SignalingEvent[] = [];
    let stopSecond = () => {};
    pair.b.subscribe(() => stopSecond());
    stopSecond = pair.b.subscribe((event) => second.push(event));
    pair.a.send(bye);
    clock.runAll();
    expect(second).toEqual([]);
  });

  it('keeps delivering when a listener throws, and re-throws its error asynchronously', () => {
    const rethrown: (() => void)[] = [];
    // Re-thrown in a later macrotask, the same way the session re-throws its own listeners' errors.
    vi.stubGlobal('setTimeout', (fn: () => void) => rethrown.push(fn));
    const clock = new TestClock();
    const pair = createInMemorySignalingPair({ clock });
    const boom = new Error('listener bug');
    const others: SignalingEvent[] = [];
    pair.b.subscribe(() => {
      throw boom;
    });
    pair.b.subscribe((event) => others.push(event));
    pair.a.send(numbered(1));
    pair.a.send(numbered(2));
    expect(() => clock.runAll()).not.toThrow();
    expect(others.map(numberOf)).toEqual([1, 2]);
    expect(rethrown).toHaveLength(2);
    expect(() => rethrown[0]!()).toThrow(boom);
  });
});

describe('createInMemorySignalingPair: faults', () => {
  const count = 1000;

  it('is deterministic for a seed', () => {
    const options = { latencyMs: 5, dropRate: 0.2, duplicateRate: 0.2, reorder: true, seed: 1234 };
    const first = deliverySequence(options, 200);
    expect(deliverySequence(options, 200)).toEqual(first);
    expect(deliverySequence({ ...options, seed: 4321 }, 200)).not.toEqual(first);
  });

  it('is deterministic with the default seed too', () => {
    const options = { dropRate: 0.5 };
    expect(deliverySequence(options, 100)).toEqual(deliverySequence(options, 100));
  });

  it('drops about dropRate of the messages', () => {
    const delivered = deliverySequence({ dropRate: 0.3, seed: 7 }, count);
    expect(delivered.length).toBeGreaterThan(count * 0.6);
    expect(delivered.length).toBeLessThan(count * 0.8);
    expect(inversions(delivered)).toBe(0);
    expect(new Set(delivered).size).toBe(delivered.length);
  });

  it('drops everything at dropRate 1 and nothing at 0', () => {
    expect(deliverySequence({ dropRate: 1 }, 50)).toEqual([]);
    expect(deliverySequence({ dropRate: 0 }, 50)).toHaveLength(50);
  });

  it('duplicates about duplicateRate of the messages, back to back without reorder', () => {
    const delivered = deliverySequence({ duplicateRate: 0.3, seed: 7 }, count);
    const duplicates = delivered.length - new Set(delivered).size;
    expect(duplicates).toBeGreaterThan(count * 0.2);
    expect(duplicates).toBeLessThan(count * 0.4);
    expect(new Set(delivered).size).toBe(count);
    expect(inversions(delivered)).toBe(0);
  });

  it('reorders only with reorder, and never loses a message doing so', () => {
    const inOrder = deliverySequence({ latencyMs: 5, seed: 3 }, 200, 1);
    expect(inversions(inOrder)).toBe(0);
    const shuffled = deliverySequence({ latencyMs: 5, reorder: true, seed: 3 }, 200, 1);
    expect(inversions(shuffled)).toBeGreaterThan(10);
    expect([...shuffled].sort((x, y) => x - y)).toEqual(inOrder);
  });

  it('reorders even at latencyMs 0', () => {
    // All sent at the same instant: delays of 0…10 ms make up to 11 increasing runs.
    const shuffled = deliverySequence({ reorder: true, seed: 9 }, 200, 0);
    expect(inversions(shuffled)).toBeGreaterThan(5);
    expect(shuffled).toHaveLength(200);
  });

  it('keeps the extra reorder delay within max(latencyMs, 10)', () => {
    const { pair, clock, received } = setup({ latencyMs: 20, reorder: true, seed: 5 });
    for (let i = 0; i < 100; i++) pair.a.send(numbered(i));
    clock.advance(19);
    expect(received.b).toEqual([]);
    clock.advance(21);
    expect(received.b).toHaveLength(100);
  });

  it.each([
    [{ latencyMs: -1 }],
    [{ latencyMs: Number.NaN }],
    [{ latencyMs: Infinity }],
    [{ dropRate: 1.5 }],
    [{ dropRate: -0.1 }],
    [{ duplicateRate: Number.NaN }],
    [{ seed: Infinity }],
  ])('rejects invalid options %o with a TypeError', (options) => {
    expect(() => createInMemorySignalingPair(options)).toThrow(TypeError);
  });
});

describe('createInMemorySignalingPair: leave, finalize, close', () => {
  it('leave(a) sends peer-left to b, asynchronously and after what a already sent', () => {
    const { pair, clock, received } = setup({ latencyMs: 10 });
    pair.a.send(numbered(1));
    pair.leave('a');
    expect(received.b).toEqual([]);
    clock.runAll();
    expect(received.b).toEqual([{ type: 'message', data: numbered(1) }, { type: 'peer-left' }]);
    expect(received.a).toEqual([]);
  });

  it('leave(b) sends peer-left to a', () => {
    const { pair, clock, received } = setup();
    pair.leave('b');
    clock.runAll();
    expect(received.a).toEqual([{ type: 'peer-left' }]);
    expect(received.b).toEqual([]);
  });

  it('keeps peer-left last even when messages are reordered', () => {
    const { pair, clock, received } = setup({ latencyMs: 0, reorder: true, seed: 11 });
    for (let i = 0; i < 30; i++) pair.a.send(numbered(i));
    pair.leave('a');
    clock.runAll();
    expect(received.b).toHaveLength(31);
    expect(received.b.at(-1)).toEqual({ type: 'peer-left' });
  });

  it('silences the side that left, both ways, and only announces it once', () => {
    const { pair, clock, received } = setup({ latencyMs: 10 });
    pair.b.send(numbered(1)); // in flight to a when a leaves: discarded
    pair.leave('a');
    pair.leave('a');
    expect(() => pair.a.send(bye)).not.toThrow();
    pair.b.send(numbered(2));
    clock.runAll();
    expect(received.a).toEqual([]);
    expect(received.b).toEqual([{ type: 'peer-left' }]);
    expect(pair.pendingDeliveries()).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('finalize sends finalize to both sides, asynchronously', () => {
    const { pair, clock, received } = setup({ latencyMs: 3 });
    pair.finalize({ by: 'server' });
    expect(received.a).toEqual([]);
    clock.advance(3);
    expect(received.a).toEqual([{ type: 'finalize', info: { by: 'server' } }]);
    expect(received.b).toEqual([{ type: 'finalize', info: { by: 'server' } }]);
  });

  it('finalize without info sends no info key', () => {
    const { pair, clock, received } = setup();
    pair.finalize();
    clock.runAll();
    expect(received.a).toEqual([{ type: 'finalize' }]);
    expect('info' in received.a[0]!).toBe(false);
  });

  it('finalize reaches only the side still present', () => {
    const { pair, clock, received } = setup();
    pair.leave('b');
    pair.finalize('done');
    clock.runAll();
    expect(received.a).toEqual([{ type: 'peer-left' }, { type: 'finalize', info: 'done' }]);
    expect(received.b).toEqual([]);
  });

  it('close sends closed to both sides, asynchronously, exactly once', () => {
    const { pair, clock, received } = setup({ latencyMs: 7 });
    pair.close();
    pair.close();
    expect(received.a).toEqual([]);
    clock.runAll();
    expect(received.a).toEqual([{ type: 'closed' }]);
    expect(received.b).toEqual([{ type: 'closed' }]);
  });

  it('close discards messages in flight and leaves no timer behind', () => {
    const { pair, clock, received } = setup({ latencyMs: 50, reorder: true, duplicateRate: 0.5 });
    for (let i = 0; i < 20; i++) {
      pair.a.send(numbered(i));
      pair.b.send(numbered(i));
    }
    expect(clock.pendingTimers).toBeGreaterThan(20);
    pair.close();
    // Only the two `closed` deliveries remain.
    expect(clock.pendingTimers).toBe(2);
    expect(pair.pendingDeliveries()).toBe(2);
    clock.runAll();
    expect(received.a).toEqual([{ type: 'closed' }]);
    expect(received.b).toEqual([{ type: 'closed' }]);
    expect(clock.pendingTimers).toBe(0);
    expect(pair.pendingDeliveries()).toBe(0);
  });

  it('close cancels a pending flush for a new subscriber', () => {
    const clock = new TestClock();
    const pair = createInMemorySignalingPair({ clock });
    pair.a.send(bye);
    clock.runAll();
    const received: SignalingEvent[] = [];
    pair.b.subscribe((event) => received.push(event));
    pair.close();
    clock.runAll();
    expect(received).toEqual([{ type: 'closed' }]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('send after close neither throws nor delivers', () => {
    const { pair, clock, received } = setup();
    pair.close();
    clock.runAll();
    expect(() => pair.a.send(bye)).not.toThrow();
    expect(pair.b.send(bye)).toBeUndefined();
    // Even an uncloneable message: nothing is done with it any more.
    expect(() => pair.a.send({ fn: () => 1 } as unknown as SignalMessage)).not.toThrow();
    clock.runAll();
    expect(received.a).toEqual([{ type: 'closed' }]);
    expect(received.b).toEqual([{ type: 'closed' }]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('ignores leave and finalize after close', () => {
    const { pair, clock, received } = setup();
    pair.close();
    pair.leave('a');
    pair.finalize('late');
    clock.runAll();
    expect(received.a).toEqual([{ type: 'closed' }]);
    expect(received.b).toEqual([{ type: 'closed' }]);
  });

  it('holds closed for a side that is not subscribed, without a timer', () => {
    const clock = new TestClock();
    const pair = createInMemorySignalingPair({ clock });
    pair.close();
    clock.runAll();
    expect(clock.pendingTimers).toBe(0);
    expect(pair.pendingDeliveries()).toBe(2);
    const received: SignalingEvent[] = [];
    pair.a.subscribe((event) => received.push(event));
    clock.runAll();
    expect(received).toEqual([{ type: 'closed' }]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('lets a listener close the pair while a batch is being delivered', () => {
    const clock = new TestClock();
    const pair: InMemorySignalingPair = createInMemorySignalingPair({ clock });
    const received: SignalingEvent[] = [];
    pair.b.subscribe((event) => {
      received.push(event);
      if (event.type === 'message') pair.close();
    });
    pair.a.send(numbered(1));
    pair.a.send(numbered(2));
    clock.runAll();
    expect(received.map((event) => event.type)).toEqual(['message', 'closed']);
    expect(clock.pendingTimers).toBe(0);
  });
});
