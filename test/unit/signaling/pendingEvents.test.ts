import { describe, expect, it } from 'vitest';
import { type Logger, silentLogger } from '../../../src/logger.js';
import { SignalingEventHub } from '../../../src/signaling/SignalingEventHub.js';
import type { SignalingEvent } from '../../../src/signaling/types.js';
import { type WebSocketLike, WebSocketSignaling } from '../../../src/signaling/WebSocketSignaling.js';
import { ManualClock } from '../../../src/testing/ManualClock.js';

// What an adapter holds while nobody is subscribed (an app-owned adapter before the first session, or between two
// sessions): bounded in count and in bytes, with one warning, and kept for whoever subscribes next.

// biome-ignore lint/suspicious/noExplicitAny: one store for the listener shapes of WebSocketLike
type Listener = (event: any) => void;

class ScriptedSocket implements WebSocketLike {
  static made: ScriptedSocket[] = [];
  readyState = 0;
  readonly #listeners = new Map<string, Listener[]>();
  constructor(readonly url: string) {
    ScriptedSocket.made.push(this);
  }
  send(): void {}
  close(): void {
    this.readyState = 3;
  }
  addEventListener(type: string, listener: Listener): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }
  fire(type: string, event?: unknown): void {
    if (type === 'open') this.readyState = 1;
    for (const listener of this.#listeners.get(type) ?? []) listener(event);
  }
  receive(frame: unknown): void {
    this.fire('message', { data: JSON.stringify(frame) });
  }
}

function joinedAdapter() {
  ScriptedSocket.made = [];
  const warnings: string[] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (message) => warnings.push(message),
    error: (message) => warnings.push(`error: ${message}`),
  };
  const signaling = new WebSocketSignaling({
    url: 'ws://relay.test',
    room: 'r',
    WebSocket: ScriptedSocket,
    clock: new ManualClock(),
    reconnect: false,
    logger,
  });
  const socket = ScriptedSocket.made[0]!;
  socket.fire('open');
  socket.receive({ t: 'joined', room: 'r', peers: 1 });
  return { signaling, socket, warnings };
}

const flush = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function record(signaling: WebSocketSignaling) {
  const events: SignalingEvent[] = [];
  const unsubscribe = signaling.subscribe((event) => events.push(event));
  const ids = () =>
    events
      .filter((event) => event.type === 'message')
      .map((event) => (event.data as { callId: string }).callId);
  return { events, ids, unsubscribe };
}

describe('WebSocketSignaling: events held while nobody is subscribed', () => {
  it('holds at most 64 events (the newest), with one warning', async () => {
    const { signaling, socket, warnings } = joinedAdapter();
    for (let i = 0; i < 200; i++) socket.receive({ t: 'signal', data: { type: 'bye', callId: `c${i}` } });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/nobody is subscribed.*dropped the oldest/);
    const { ids } = record(signaling);
    await flush();
    expect(ids()).toEqual(Array.from({ length: 64 }, (_, i) => `c${136 + i}`));
    signaling.close();
  });

  it('holds at most 4 MiB of raw frames: ten 1 MiB frames keep the newest four', async () => {
    const { signaling, socket, warnings } = joinedAdapter();
    const padding = 'x'.repeat(1024 * 1024 - 200);
    for (let i = 0; i < 10; i++) {
      socket.receive({ t: 'signal', data: { type: 'bye', callId: `c${i}`, padding } });
    }
    expect(warnings).toHaveLength(1);
    const { ids } = record(signaling);
    await flush();
    // Four frames of just under 1 MiB each fit; the fifth pushes the oldest out.
    expect(ids()).toEqual(['c6', 'c7', 'c8', 'c9']);
    signaling.close();
  });

  it('messages arriving between two subscribers wait for the next one, in order', async () => {
    const { signaling, socket, warnings } = joinedAdapter();
    const first = record(signaling);
    socket.receive({ t: 'signal', data: { type: 'bye', callId: 'first-call' } });
    await flush();
    first.unsubscribe();
    socket.receive({ t: 'signal', data: { type: 'bye', callId: 'between-1' } });
    socket.receive({ t: 'signal', data: { type: 'bye', callId: 'between-2' } });
    const second = record(signaling);
    // Arrives before the held ones were handed over (a microtask later): it must still come after them.
    socket.receive({ t: 'signal', data: { type: 'bye', callId: 'after' } });
    await flush();
    expect(first.ids()).toEqual(['first-call']);
    expect(second.ids()).toEqual(['between-1', 'between-2', 'after']);
    expect(warnings).toEqual([]);
    signaling.close();
  });

  it('a listener that unsubscribes on a message leaves the rest for the next subscriber', async () => {
    const { signaling, socket } = joinedAdapter();
    for (const id of ['a', 'b', 'c']) socket.receive({ t: 'signal', data: { type: 'bye', callId: id } });
    const seen: string[] = [];
    const unsubscribe = signaling.subscribe((event) => {
      if (event.type !== 'message') return;
      seen.push((event.data as { callId: string }).callId);
      unsubscribe();
    });
    await flush();
    expect(seen).toEqual(['a']);
    const next = record(signaling);
    await flush();
    expect(next.ids()).toEqual(['b', 'c']);
    signaling.close();
  });
});

describe('SignalingEventHub: what an event costs to hold is counted whenever it is held', () => {
  it('also when a listener is subscribed but older held events still wait for their hand-over', async () => {
    const hub = new SignalingEventHub({ maxEvents: 64, maxBytes: 100 }, silentLogger);
    hub.emit({ type: 'message', data: 'first' }, 60);
    const seen: unknown[] = [];
    hub.subscribe((event) => seen.push(event.type === 'message' && event.data));
    // Held behind `first` (not yet handed over): its 60 bytes count, so `first` is the one to lose.
    hub.emit({ type: 'message', data: 'second' }, () => 60);
    await Promise.resolve();
    expect(seen).toEqual(['second']);
  });
});
