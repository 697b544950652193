import { describe, expect, it } from 'vitest';
import type { SignalingEvent } from '../../../src/signaling/types.js';
import {
  type WebSocketCloseEventLike,
  type WebSocketLike,
  type WebSocketMessageEventLike,
  WebSocketSignaling,
  type WebSocketSignalingOptions,
} from '../../../src/signaling/WebSocketSignaling.js';
import { ManualClock } from '../../../src/testing/ManualClock.js';

// The reconnection policy, on a scripted socket and the manual clock: exponential, capped, jittered, bounded by
// the relay's grace period, and stopped by anything final.

// biome-ignore lint/suspicious/noExplicitAny: one store for the three listener shapes of WebSocketLike
type Listener = (event: any) => void;

class ScriptedSocket implements WebSocketLike {
  static made: ScriptedSocket[] = [];
  readyState = 0;
  readonly sent: Record<string, unknown>[] = [];
  readonly #listeners = new Map<string, Listener[]>();
  closedWith: number | undefined;

  constructor(readonly url: string) {
    ScriptedSocket.made.push(this);
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(code?: number): void {
    this.closedWith = code ?? 1005;
    this.readyState = 3;
  }
  addEventListener(type: string, listener: Listener): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }
  fire(type: 'open'): void;
  fire(type: 'message', event: WebSocketMessageEventLike): void;
  fire(type: 'close', event: WebSocketCloseEventLike): void;
  fire(type: string, event?: unknown): void {
    if (type === 'open') this.readyState = 1;
    if (type === 'close') this.readyState = 3;
    for (const listener of this.#listeners.get(type) ?? []) listener(event);
  }
  receive(frame: unknown): void {
    this.fire('message', { data: JSON.stringify(frame) });
  }
}

function setUp(extra: Partial<WebSocketSignalingOptions> = {}) {
  ScriptedSocket.made = [];
  const clock = new ManualClock();
  const signaling = new WebSocketSignaling({
    url: 'ws://relay.test',
    room: 'r',
    WebSocket: ScriptedSocket,
    clock,
    random: () => 0,
    ...extra,
  });
  const events: SignalingEvent[] = [];
  signaling.subscribe((event) => events.push(event));
  const first = ScriptedSocket.made[0]!;
  first.fire('open');
  first.receive({ t: 'joined', room: 'r', peers: 1, v: 1, token: 'T1', graceMs: 5_000 });
  return { clock, signaling, events, first, last: () => ScriptedSocket.made.at(-1)! };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('WebSocketSignaling reconnection policy', () => {
  it('asks for a resumable membership and numbers its signals', () => {
    const { first, signaling } = setUp();
    signaling.send({ type: 'bye', reason: 'hangup' });
    expect(first.sent).toEqual([
      { t: 'join', room: 'r', resume: true },
      { t: 'signal', n: 1, data: { type: 'bye', reason: 'hangup' } },
    ]);
  });

  it('backs off exponentially with jitter, capped at maxDelayMs, and gives up at the grace period', async () => {
    const { clock, events, first, last } = setUp({ reconnect: { initialDelayMs: 100, maxDelayMs: 800 } });
    first.fire('close', { code: 1006, reason: '' });
    const delays: number[] = [];
    let before = clock.now();
    // Every attempt fails at once; with random() = 0 each delay is half the nominal one.
    for (let i = 0; i < 40 && !events.some((e) => e.type === 'closed'); i++) {
      const count = ScriptedSocket.made.length;
      while (ScriptedSocket.made.length === count && clock.now() - before < 10_000) clock.advance(1);
      if (ScriptedSocket.made.length === count) break;
      delays.push(clock.now() - before);
      last().fire('close', { code: 1006, reason: '' });
      before = clock.now();
    }
    await flush();
    expect(delays.slice(0, 6)).toEqual([50, 100, 200, 400, 400, 400]);
    expect(delays.reduce((sum, d) => sum + d, 0)).toBeLessThan(5_000);
    expect(events.map((e) => e.type)).toEqual(['interrupted', 'closed']);
  });

  it('the jitter spreads delays between half and all of the nominal delay', () => {
    const { clock, first } = setUp({ random: () => 0.999, reconnect: { initialDelayMs: 100 } });
    first.fire('close', { code: 1006, reason: '' });
    clock.advance(99);
    expect(ScriptedSocket.made).toHaveLength(1);
    clock.advance(1);
    expect(ScriptedSocket.made).toHaveLength(2);
  });

  it('resumes with the token and the last frame number, resends what was not acknowledged, then emits resumed', async () => {
    const { clock, signaling, events, first, last } = setUp();
    first.receive({ t: 'signal', n: 1, data: 'x' });
    first.receive({ t: 'signal', n: 2, data: 'y' });
    signaling.send({ type: 'bye', reason: 'hangup' });
    signaling.send({ type: 'bye', reason: 'expired' });
    first.receive({ t: 'ack', n: 1 });
    first.fire('close', { code: 1006, reason: '' });
    signaling.send({ type: 'bye', reason: 'error' });
    clock.advance(100);
    const second = last();
    expect(second).not.toBe(first);
    second.fire('open');
    expect(second.sent).toEqual([
      { t: 'resume', room: 'r', token: 'T1', n: 2 },
      { t: 'signal', n: 2, data: { type: 'bye', reason: 'expired' } },
      { t: 'signal', n: 3, data: { type: 'bye', reason: 'error' } },
    ]);
    second.receive({ t: 'resumed', room: 'r', peers: 1, token: 'T2', n: 2, graceMs: 5_000 });
    // A frame the relay sends again (our ack was lost) is not delivered twice.
    second.receive({ t: 'signal', n: 2, data: 'y' });
    second.receive({ t: 'signal', n: 3, data: 'z' });
    await flush();
    expect(events.map((e) => (e.type === 'message' ? e.data : e.type))).toEqual([
      'x',
      'y',
      'interrupted',
      'resumed',
      'z',
    ]);
    // The next drop presents the new token.
    second.fire('close', { code: 1006, reason: '' });
    clock.advance(100);
    last().fire('open');
    expect(last().sent[0]).toEqual({ t: 'resume', room: 'r', token: 'T2', n: 3 });
  });

  it('counts and acknowledges a numbered peer-left like a signal, and does not tell a replayed one twice', async () => {
    const { clock, events, first, last } = setUp();
    first.receive({ t: 'signal', n: 1, data: 'from b' });
    first.receive({ t: 'peer-left', n: 2 });
    clock.advance(10);
    expect(first.sent.at(-1)).toEqual({ t: 'ack', n: 2 });
    first.fire('close', { code: 1006, reason: '' });
    clock.advance(100);
    const second = last();
    second.fire('open');
    // The resume says the peer-left arrived: the relay need not replay it.
    expect(second.sent[0]).toEqual({ t: 'resume', room: 'r', token: 'T1', n: 2 });
    second.receive({ t: 'resumed', room: 'r', peers: 1, token: 'T2', n: 0, graceMs: 5_000 });
    // A relay that replays it anyway (our resume crossed its send) does not end a second call with it.
    second.receive({ t: 'peer-left', n: 2 });
    second.receive({ t: 'signal', n: 3, data: 'offer from c' });
    await flush();
    expect(events.map((e) => (e.type === 'message' ? e.data : e.type))).toEqual([
      'from b',
      'peer-left',
      'interrupted',
      'resumed',
      'offer from c',
    ]);
    // An unnumbered peer-left (a relay before numbering, or a member that did not ask to resume) is told as is.
    second.receive({ t: 'peer-left' });
    await flush();
    expect(events.at(-1)).toEqual({ type: 'peer-left' });
  });

  it('abandons an attempt that hangs after attemptTimeoutMs and tries again', () => {
    const { clock, first } = setUp({ reconnect: { attemptTimeoutMs: 1_000 } });
    first.fire('close', { code: 1006, reason: '' });
    clock.advance(50);
    const hanging = ScriptedSocket.made[1]!;
    clock.advance(1_000);
    expect(hanging.closedWith).toBeDefined();
    clock.advance(100);
    expect(ScriptedSocket.made).toHaveLength(3);
    // The abandoned socket's late events change nothing.
    hanging.fire('open');
    expect(hanging.sent).toEqual([]);
  });

  it.each([
    [4000, 'finalized'],
    [4001, 'room full'],
    [4100, 'resume failed'],
    [1000, 'normal'],
    [1001, 'going away'],
    [1009, 'too big'],
  ])('close code %i (%s) is final: closed at once, no reconnection', async (code) => {
    const { clock, events, first } = setUp();
    first.fire('close', { code, reason: '' });
    clock.advance(10_000);
    await flush();
    expect(ScriptedSocket.made).toHaveLength(1);
    expect(events.map((e) => e.type)).toEqual(['closed']);
  });

  it('4102 (resume elsewhere) is resumed', () => {
    const { clock, events, first } = setUp();
    first.fire('close', { code: 4102, reason: 'resume elsewhere' });
    clock.advance(100);
    expect(ScriptedSocket.made).toHaveLength(2);
    expect(events.map((e) => e.type)).toEqual(['interrupted']);
  });

  it('a drop before the relay confirmed the join is not resumed (there is no token yet)', async () => {
    ScriptedSocket.made = [];
    const clock = new ManualClock();
    const signaling = new WebSocketSignaling({ url: 'ws://x', room: 'r', WebSocket: ScriptedSocket, clock });
    const events: SignalingEvent[] = [];
    signaling.subscribe((event) => events.push(event));
    ScriptedSocket.made[0]!.fire('close', { code: 1006, reason: '' });
    clock.advance(10_000);
    await flush();
    expect(ScriptedSocket.made).toHaveLength(1);
    expect(events.map((e) => e.type)).toEqual(['closed']);
    await expect(signaling.ready).rejects.toThrow(/1006/);
  });

  it('a relay without resume (no token in joined) keeps nothing and closes on a drop', async () => {
    ScriptedSocket.made = [];
    const clock = new ManualClock();
    const signaling = new WebSocketSignaling({
      url: 'ws://x',
      room: 'r',
      WebSocket: ScriptedSocket,
      clock,
      maxQueuedMessages: 1,
    });
    const events: SignalingEvent[] = [];
    signaling.subscribe((event) => events.push(event));
    const socket = ScriptedSocket.made[0]!;
    socket.fire('open');
    socket.receive({ t: 'joined', room: 'r', peers: 0, v: 1 });
    // Nothing is held for acknowledgement: the bound never bites.
    for (let i = 0; i < 5; i++) signaling.send({ type: 'bye', reason: 'hangup' });
    expect(socket.sent.filter((f) => f.t === 'signal')).toHaveLength(5);
    socket.fire('close', { code: 1006, reason: '' });
    await flush();
    expect(events.map((e) => e.type)).toEqual(['closed']);
  });

  it('bounds what waits for acknowledgement while interrupted', () => {
    const { signaling, first } = setUp({ maxQueuedMessages: 3 });
    first.fire('close', { code: 1006, reason: '' });
    for (let i = 0; i < 3; i++) signaling.send({ type: 'bye', reason: 'hangup' });
    expect(() => signaling.send({ type: 'bye', reason: 'hangup' })).toThrow(
      expect.objectContaining({ code: 'SEND_FAILED' }),
    );
  });

  it('rejects reconnect delays that are not positive numbers', () => {
    const make = (reconnect: unknown) => () =>
      new WebSocketSignaling({
        url: 'ws://x',
        room: 'r',
        WebSocket: ScriptedSocket,
        reconnect: reconnect as never,
      });
    expect(make({ initialDelayMs: 0 })).toThrow(/reconnect.initialDelayMs/);
    expect(make({ maxDelayMs: -1 })).toThrow(/reconnect.maxDelayMs/);
    expect(make({ attemptTimeoutMs: Number.NaN })).toThrow(/reconnect.attemptTimeoutMs/);
  });
});

describe('WebSocketSignaling bounds on an open socket', () => {
  it('maxQueuedMessages: 0 still sends on an open socket (nothing is queued)', () => {
    const { signaling, first } = setUp({ maxQueuedMessages: 0 });
    for (let i = 0; i < 5; i++) signaling.send({ type: 'bye', reason: 'hangup' });
    expect(first.sent.filter((frame) => frame.t === 'signal')).toHaveLength(5);
  });

  it('a relay that never acknowledges cannot make the adapter hold more than 1024 messages', () => {
    const { signaling } = setUp();
    for (let i = 0; i < 1024; i++) signaling.send({ type: 'bye', reason: 'hangup' });
    expect(() => signaling.send({ type: 'bye', reason: 'hangup' })).toThrow(
      expect.objectContaining({ code: 'SEND_FAILED' }),
    );
  });
});

describe('WebSocketSignaling close() flushes what waits for a connecting socket', () => {
  function connecting() {
    ScriptedSocket.made = [];
    const clock = new ManualClock();
    const signaling = new WebSocketSignaling({ url: 'ws://x', room: 'r', WebSocket: ScriptedSocket, clock });
    const events: SignalingEvent[] = [];
    signaling.subscribe((event) => events.push(event));
    return { clock, signaling, events, socket: ScriptedSocket.made[0]! };
  }

  it('a bye queued before the socket opened is sent once it opens, then the socket closes (1000)', async () => {
    const { signaling, events, socket } = connecting();
    signaling.send({ type: 'bye', reason: 'hangup' });
    signaling.close();
    expect(socket.closedWith).toBeUndefined();
    socket.fire('open');
    expect(socket.sent).toEqual([
      { t: 'join', room: 'r', resume: true },
      { t: 'signal', n: 1, data: { type: 'bye', reason: 'hangup' } },
    ]);
    expect(socket.closedWith).toBe(1000);
    // Nothing reaches subscribers after close(): one `closed`, even if the relay answers.
    socket.receive({ t: 'joined', room: 'r', peers: 1, v: 1, token: 'T', graceMs: 5_000 });
    await flush();
    expect(events).toEqual([{ type: 'closed' }]);
  });

  it('a socket that never opens is closed after 2 s', () => {
    const { clock, signaling, socket } = connecting();
    signaling.send({ type: 'bye', reason: 'hangup' });
    signaling.close();
    clock.advance(1_999);
    expect(socket.closedWith).toBeUndefined();
    clock.advance(1);
    expect(socket.closedWith).toBeDefined();
    expect(clock.pendingTimers).toBe(0);
  });

  it('with nothing queued, close() closes a connecting socket at once', () => {
    const { signaling, socket } = connecting();
    signaling.close();
    expect(socket.closedWith).toBe(1000);
  });
});

describe('WebSocketSignaling close() between two reconnection attempts', () => {
  it('makes one last attempt at once to deliver the queued bye (resume, send, close 1000), bounded by 2 s', async () => {
    const { clock, signaling, events, first, last } = setUp({ reconnect: { initialDelayMs: 1_000 } });
    first.receive({ t: 'signal', n: 1, data: 'x' });
    first.fire('close', { code: 1006, reason: '' });
    // Waiting for the next attempt, no socket at all: the session hangs up.
    signaling.send({ type: 'bye', reason: 'hangup' });
    signaling.close();
    expect(ScriptedSocket.made).toHaveLength(2);
    const lastTry = last();
    lastTry.fire('open');
    expect(lastTry.sent).toEqual([
      { t: 'resume', room: 'r', token: 'T1', n: 1 },
      { t: 'signal', n: 1, data: { type: 'bye', reason: 'hangup' } },
    ]);
    expect(lastTry.closedWith).toBe(1000);
    await flush();
    expect(events.map((e) => e.type)).toEqual(['message', 'interrupted', 'closed']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('the last attempt is closed after 2 s if it never opens, and no other attempt follows', () => {
    const { clock, signaling, first, last } = setUp({ reconnect: { initialDelayMs: 1_000 } });
    first.fire('close', { code: 1006, reason: '' });
    signaling.send({ type: 'bye', reason: 'hangup' });
    signaling.close();
    const lastTry = last();
    clock.advance(1_999);
    expect(lastTry.closedWith).toBeUndefined();
    clock.advance(1);
    expect(lastTry.closedWith).toBeDefined();
    clock.advance(60_000);
    expect(ScriptedSocket.made).toHaveLength(2);
    expect(clock.pendingTimers).toBe(0);
  });

  it('with nothing queued, close() opens no socket', () => {
    const { signaling, first } = setUp({ reconnect: { initialDelayMs: 1_000 } });
    first.fire('close', { code: 1006, reason: '' });
    signaling.close();
    expect(ScriptedSocket.made).toHaveLength(1);
  });
});
