import type { SignalingAdapter, SignalMessage } from '../signaling/types.js';
import { ConformanceRecorder, delay, jsonDifference } from './ConformanceRecorder.js';
import { largeSdp, sampleCandidate, sampleMessages } from './conformanceSamples.js';

/**
 * Two connected adapters plus optional controls, as `createInMemorySignalingPair()` returns them.
 * Cases that need an absent control are skipped.
 */
export interface SignalingAdapterPair {
  /** One end. */
  a: SignalingAdapter;
  /** The other end. */
  b: SignalingAdapter;
  /** Makes `side` leave; the other side must then receive `peer-left`. */
  leave?(side: 'a' | 'b'): void | Promise<void>;
  /** Server-side finalization: both sides must receive `finalize`. */
  finalize?(info?: unknown): void | Promise<void>;
  /** Closes the channel: both sides must receive `closed`. Also used to clean up after every case. */
  close?(): void | Promise<void>;
  /**
   * For adapters that resume: breaks `side`'s connection the way a network change would (e.g. cuts its socket).
   * `side` must then emit `interrupted`, get back by itself and emit `resumed`, losing and duplicating nothing in
   * either direction, while the other side sees no `peer-left`. The resume cases are skipped without it.
   */
  interrupt?(side: 'a' | 'b'): void | Promise<void>;
}

/** Options of {@link signalingAdapterConformance}. */
export interface SignalingConformanceOptions {
  /**
   * How long a case waits for an expected event before failing.
   * @default 5000
   */
  timeoutMs?: number;
  /**
   * How long a case waits to be confident that something does *not* arrive (echo, delivery after unsubscribe,
   * duplicates trailing a round trip or a burst).
   * @default 100
   */
  quietMs?: number;
  /**
   * Size of the SDP in the large-description case, in bytes.
   * @default 200000
   */
  largeSdpBytes?: number;
  /**
   * Messages in the ordering burst.
   * @default 50
   */
  burstSize?: number;
  /**
   * How long the resume cases wait for `resumed` and for the messages sent across the interruption.
   * @default 10000
   */
  resumeTimeoutMs?: number;
  /** Extra cleanup run after every case (after `pair.close()` and each adapter's own `close()`, if any). */
  cleanup?(pair: SignalingAdapterPair): void | Promise<void>;
}

/** What a case's `run()` resolves with: nothing when it passed, `{ skipped }` when it could not apply. */
export type SignalingConformanceOutcome = undefined | { readonly skipped: string };

/** One runner-agnostic conformance case. */
export interface SignalingConformanceCase {
  /** What the case checks, e.g. `round trip: candidate null (end of candidates)`. */
  name: string;
  /**
   * Creates its own pair, checks, and cleans the pair up. Rejects with an `Error` saying what was wrong.
   * Resolves with `{ skipped: reason }` when the pair lacks the control the case needs (`leave`, `finalize`,
   * `close`): a plain `await c.run()` then passes, and a runner that reports skips can map it to its own.
   */
  run(): Promise<SignalingConformanceOutcome>;
}

/** A case's checks; a body that cannot apply to the pair returns `{ skipped }`. */
type CaseBody = (pair: SignalingAdapterPair, ctx: CaseContext) => Promise<unknown>;

interface CaseContext {
  record(side: 'a' | 'b'): ConformanceRecorder;
  /** Runs `pair.close()` once (later cleanup will not call it again). */
  closePair(): Promise<void>;
}

/**
 * Builds the signaling-adapter conformance cases. Each case calls `createPair()` for a fresh pair and cleans it
 * up afterwards (`pair.close()` unless the case already called it, then `close()` on each adapter that has one,
 * then `options.cleanup`). Uses only timers and promises, so it runs under any test runner.
 *
 * @example
 * // vitest
 * for (const c of signalingAdapterConformance(() => createMyPair())) {
 *   it(c.name, async (ctx) => {
 *     const outcome = await c.run();
 *     if (outcome?.skipped) ctx.skip(outcome.skipped);
 *   });
 * }
 */
export function signalingAdapterConformance(
  createPair: () => SignalingAdapterPair | Promise<SignalingAdapterPair>,
  options: SignalingConformanceOptions = {},
): SignalingConformanceCase[] {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const quietMs = options.quietMs ?? 100;
  const define = (name: string, body: CaseBody, caseTimeoutMs = timeoutMs): SignalingConformanceCase => ({
    name,
    run: () => runCase(createPair, options, caseTimeoutMs, body),
  });
  const resumeTimeoutMs = options.resumeTimeoutMs ?? 10_000;

  const roundTrips = sampleMessages().map(({ label, message }) =>
    define(`round trip: ${label}`, async (pair, ctx) => {
      const a = ctx.record('a');
      const b = ctx.record('b');
      // Each direction carries its own payload, so an adapter that hands a message back to its sender cannot
      // pass for one that delivers to the peer.
      const reply: SignalMessage = { ...message, callId: 'conformance-reply-from-b' };
      await pair.a.send(message);
      await pair.b.send(reply);
      expectSame(message, (await b.waitForMessages(1, `a sent a ${label}`))[0], `${label} sent a → b`);
      expectSame(reply, (await a.waitForMessages(1, `b sent a ${label}`))[0], `${label} sent b → a`);
      await delay(quietMs);
      checkExactly(b.messages, 1, `b, after a sent one ${label}`);
      checkExactly(a.messages, 1, `a, after b sent one ${label}`);
    }),
  );

  return [
    ...roundTrips,
    define('delivers messages sent before the receiver subscribed', async (pair, ctx) => {
      const message = sampleMessages()[0]!.message;
      await pair.a.send(message);
      await delay(quietMs);
      const b = ctx.record('b');
      expectSame(
        message,
        (await b.waitForMessages(1, 'a sent an offer before b subscribed'))[0],
        'early offer',
      );
    }),
    define('messages arriving between two subscribers wait for the next one', async (pair, ctx) => {
      // One app-owned adapter may serve many calls: the next call's offer can arrive after one session
      // unsubscribed and before the next one subscribes.
      const first = ctx.record('b');
      await pair.a.send({ type: 'bye', reason: 'hangup', callId: 'first-call' });
      await first.waitForMessages(1, 'a sent a bye to the first subscriber');
      first.stop();
      const between: SignalMessage = sampleMessages()[0]!.message;
      await pair.a.send(between);
      await delay(quietMs);
      const second = ctx.record('b');
      expectSame(
        between,
        (await second.waitForMessages(1, 'a sent an offer while b had no subscriber'))[0],
        'offer sent between two subscribers',
      );
      await delay(quietMs);
      checkExactly(first.messages, 1, 'the first subscriber, which unsubscribed');
      checkExactly(second.messages, 1, 'the second subscriber');
    }),
    define('keeps the order of a burst', async (pair, ctx) => {
      const count = options.burstSize ?? 50;
      const b = ctx.record('b');
      const sent: SignalMessage[] = [];
      for (let i = 0; i < count; i++) {
        const message: SignalMessage = { type: 'candidate', candidate: sampleCandidate(i) };
        sent.push(message);
        await pair.a.send(message);
      }
      await b.waitForMessages(count, `a sent a burst of ${count} candidates`);
      // Duplicates or strays may trail the expected ones: give them time to show up before judging.
      await delay(quietMs);
      const received = b.messages;
      if (received.length > count)
        throw new Error(`burst of ${count} delivered ${received.length} messages (duplicates)`);
      for (let i = 0; i < count; i++) {
        const difference = jsonDifference(sent[i], received[i]);
        if (difference) {
          const at = received.findIndex((data) => jsonDifference(sent[i], data) === undefined);
          throw new Error(
            `burst order broken: message #${i} of ${count} ${at === -1 ? 'never arrived' : `arrived as #${at}`} (${difference})`,
          );
        }
      }
    }),
    define('does not echo to the sender', async (pair, ctx) => {
      const a = ctx.record('a');
      const b = ctx.record('b');
      const fromA: SignalMessage = { type: 'mute', kind: 'audio', muted: true, callId: 'from-a' };
      const fromB: SignalMessage = { type: 'mute', kind: 'video', muted: true, callId: 'from-b' };
      await pair.a.send(fromA);
      await b.waitForMessages(1, 'a sent one message');
      await pair.b.send(fromB);
      await a.waitForMessages(1, 'b sent one message');
      await delay(quietMs);
      checkNoEcho(a.messages, fromA, 'a');
      checkNoEcho(b.messages, fromB, 'b');
    }),
    define('unsubscribe stops delivery', async (pair, ctx) => {
      const first = ctx.record('b');
      await pair.a.send({ type: 'candidate', candidate: sampleCandidate(1) });
      await first.waitForMessages(1, 'a sent a first candidate');
      first.stop();
      const second = ctx.record('b');
      await pair.a.send({ type: 'candidate', candidate: sampleCandidate(2) });
      await second.waitForMessages(1, 'a sent a second candidate after the first listener unsubscribed');
      await delay(quietMs);
      if (first.messages.length !== 1) {
        throw new Error(`an unsubscribed listener still received ${first.messages.length - 1} message(s)`);
      }
    }),
    define('carries a large SDP', async (pair, ctx) => {
      const bytes = options.largeSdpBytes ?? 200_000;
      const message: SignalMessage = {
        type: 'description',
        description: { type: 'offer', sdp: largeSdp(bytes) },
      };
      const b = ctx.record('b');
      await pair.a.send(message);
      expectSame(
        message,
        (await b.waitForMessages(1, `a sent a ${bytes}-byte offer`))[0],
        `${bytes}-byte SDP`,
      );
    }),
    define('propagates peer-left', async (pair, ctx) => {
      if (!pair.leave) return { skipped: 'the pair has no leave(side) control' };
      const b = ctx.record('b');
      ctx.record('a');
      await pair.leave('a');
      await b.waitForEvent('peer-left', "pair.leave('a') was called");
    }),
    define('propagates finalize to both sides', async (pair, ctx) => {
      if (!pair.finalize) return { skipped: 'the pair has no finalize(info) control' };
      const a = ctx.record('a');
      const b = ctx.record('b');
      await pair.finalize({ reason: 'conformance' });
      await a.waitForEvent('finalize', 'pair.finalize() was called');
      await b.waitForEvent('finalize', 'pair.finalize() was called');
    }),
    define('propagates close to both sides', async (pair, ctx) => {
      if (!pair.close) return { skipped: 'the pair has no close() control' };
      const a = ctx.record('a');
      const b = ctx.record('b');
      await ctx.closePair();
      await a.waitForEvent('closed', 'pair.close() was called');
      await b.waitForEvent('closed', 'pair.close() was called');
    }),
    define(
      'resume: nothing is lost or duplicated across an interruption, in either direction',
      async (pair, ctx) => {
        if (!pair.interrupt) return { skipped: 'the pair has no interrupt(side) control (no resume)' };
        const a = ctx.record('a');
        const b = ctx.record('b');
        const half = 5;
        const fromA = (i: number): SignalMessage => ({ type: 'candidate', candidate: sampleCandidate(i) });
        const fromB = (i: number): SignalMessage => ({
          type: 'candidate',
          candidate: sampleCandidate(1_000 + i),
        });
        for (let i = 0; i < half; i++) await pair.a.send(fromA(i));
        for (let i = 0; i < half; i++) await pair.b.send(fromB(i));
        await b.waitForMessages(half, `a sent ${half} candidates before the interruption`);
        await a.waitForMessages(half, `b sent ${half} candidates before the interruption`);
        await pair.interrupt('a');
        // Sent while a's connection is down: a must keep its own, the channel must hold b's for a.
        for (let i = half; i < 2 * half; i++) await pair.a.send(fromA(i));
        for (let i = half; i < 2 * half; i++) await pair.b.send(fromB(i));
        await a.waitForEvent('resumed', "pair.interrupt('a') was called");
        await b.waitForMessages(2 * half, `a sent ${half} more across its interruption`);
        await a.waitForMessages(2 * half, `b sent ${half} more while a was interrupted`);
        await delay(quietMs);
        checkSequence(b.messages, 2 * half, fromA, 'b (from a)');
        checkSequence(a.messages, 2 * half, fromB, 'a (from b)');
      },
      resumeTimeoutMs,
    ),
    define(
      'resume: interrupted then resumed, once each, and the peer sees no peer-left',
      async (pair, ctx) => {
        if (!pair.interrupt) return { skipped: 'the pair has no interrupt(side) control (no resume)' };
        const a = ctx.record('a');
        const b = ctx.record('b');
        await pair.a.send(sampleMessages()[0]!.message);
        await b.waitForMessages(1, 'a sent one message');
        await pair.interrupt('a');
        await a.waitForEvent('resumed', "pair.interrupt('a') was called");
        // A message after the resume proves the path works again, and gives a late peer-left time to show.
        await pair.b.send({ type: 'mute', kind: 'audio', muted: true });
        await a.waitForMessages(1, 'b sent one message after the resume');
        await delay(quietMs);
        const control = a.events.map((event) => event.type).filter((type) => type !== 'message');
        if (control.join() !== 'interrupted,resumed') {
          throw new Error(
            `a emitted [${control.join(', ')}] around one interruption; expected [interrupted, resumed]`,
          );
        }
        const peer = b.events.map((event) => event.type).filter((type) => type !== 'message');
        if (peer.length > 0) {
          throw new Error(`b received [${peer.join(', ')}] while a was only interrupted; expected nothing`);
        }
      },
      resumeTimeoutMs,
    ),
    define('send after close does not throw synchronously', async (pair, ctx) => {
      if (!pair.close) return { skipped: 'the pair has no close() control' };
      ctx.record('a');
      ctx.record('b');
      await ctx.closePair();
      for (const side of ['a', 'b'] as const) {
        let result: unknown;
        try {
          result = pair[side].send({ type: 'bye', reason: 'hangup' });
        } catch (error) {
          throw new Error(`${side}.send() after close threw synchronously: ${String(error)}`);
        }
        // A rejection is allowed (and swallowed here): the session reports it as an `error` event.
        if (result instanceof Promise) await result.catch(() => {});
      }
    }),
  ];
}

async function runCase(
  createPair: () => SignalingAdapterPair | Promise<SignalingAdapterPair>,
  options: SignalingConformanceOptions,
  timeoutMs: number,
  body: CaseBody,
): Promise<SignalingConformanceOutcome> {
  const pair = await createPair();
  const recorders: ConformanceRecorder[] = [];
  let closed = false;
  const ctx: CaseContext = {
    record(side) {
      const recorder = new ConformanceRecorder(pair[side], side, timeoutMs);
      recorders.push(recorder);
      return recorder;
    },
    async closePair() {
      if (closed) return;
      closed = true;
      await pair.close?.();
    },
  };
  try {
    const outcome = await body(pair, ctx);
    return typeof (outcome as { skipped?: unknown } | undefined)?.skipped === 'string'
      ? (outcome as SignalingConformanceOutcome)
      : undefined;
  } finally {
    for (const recorder of recorders) recorder.stop();
    await ctx.closePair();
    for (const adapter of [pair.a, pair.b]) {
      const close = (adapter as { close?: unknown }).close;
      if (typeof close === 'function') await close.call(adapter);
    }
    await options.cleanup?.(pair);
  }
}

function expectSame(expected: unknown, actual: unknown, what: string): void {
  const difference = jsonDifference(expected, actual);
  if (difference) throw new Error(`${what}: the received message differs from the one sent (${difference})`);
}

function checkExactly(received: unknown[], count: number, who: string): void {
  if (received.length !== count) {
    throw new Error(
      `${who}: received ${received.length} messages, expected ${count} (duplicates, echoes or strays)`,
    );
  }
}

function checkSequence(
  received: unknown[],
  count: number,
  expected: (i: number) => SignalMessage,
  who: string,
): void {
  if (received.length !== count) {
    throw new Error(
      `${who}: received ${received.length} messages across the interruption, expected ${count}`,
    );
  }
  for (let i = 0; i < count; i++) {
    const difference = jsonDifference(expected(i), received[i]);
    if (difference) throw new Error(`${who}: message #${i} is not the one sent as #${i} (${difference})`);
  }
}

function checkNoEcho(received: unknown[], own: SignalMessage, side: string): void {
  if (received.some((data) => jsonDifference(own, data) === undefined)) {
    throw new Error(`${side} received its own message back (echo to the sender)`);
  }
}
