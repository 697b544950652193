import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createRelayServer, type RelayServer } from '../../src/server/createRelayServer.js';
import type { SignalingEvent } from '../../src/signaling/types.js';
import { WebSocketSignaling } from '../../src/signaling/WebSocketSignaling.js';
import { startTcpProxy } from '../helpers/tcpProxy.js';
import { runConformance } from './runConformance.js';

let counter = 0;

async function createPair() {
  const relay = await createRelayServer({ port: 0 });
  // Each side reaches the relay through its own loopback proxy, so `interrupt` can cut one side's socket.
  const proxies = { a: await startTcpProxy(relay.port), b: await startTcpProxy(relay.port) };
  const room = `room-${++counter}`;
  const a = new WebSocketSignaling({ url: `ws://127.0.0.1:${proxies.a.port}`, room, WebSocket });
  const b = new WebSocketSignaling({ url: `ws://127.0.0.1:${proxies.b.port}`, room, WebSocket });
  await Promise.all([a.ready, b.ready]);
  return {
    a,
    b,
    relay,
    proxies,
    interrupt: (side: 'a' | 'b') => {
      proxies[side].cut();
    },
    leave: (side: 'a' | 'b') => (side === 'a' ? a : b).close(),
    finalize: (info?: unknown) => {
      relay.finalize(room, info);
    },
    // Shutting the relay down closes both sockets: the closest thing to "the channel closed".
    close: () => relay.close(),
  };
}

describe('WebSocketSignaling + relay conformance', () => {
  runConformance(createPair, {
    cleanup: async (pair) => {
      const { relay, proxies } = pair as Awaited<ReturnType<typeof createPair>>;
      await Promise.all([relay.close(), proxies.a.close(), proxies.b.close()]);
    },
  });
});

describe('WebSocketSignaling', () => {
  const relays: RelayServer[] = [];
  const adapters: WebSocketSignaling[] = [];
  const servers: WebSocketServer[] = [];
  const raws: WebSocket[] = [];
  afterEach(async () => {
    for (const raw of raws.splice(0)) raw.terminate();
    for (const adapter of adapters.splice(0)) adapter.close();
    await Promise.all(
      servers.splice(0).map((server) => {
        for (const client of server.clients) client.terminate();
        return new Promise((resolve) => server.close(resolve));
      }),
    );
    await Promise.all(relays.splice(0).map((relay) => relay.close()));
  });
  const start = async (options = {}) => {
    const relay = await createRelayServer({ port: 0, ...options });
    relays.push(relay);
    return `ws://127.0.0.1:${relay.port}`;
  };
  const open = (url: string, room: string, extra = {}) => {
    const adapter = new WebSocketSignaling({ url, room, WebSocket, ...extra });
    adapters.push(adapter);
    return adapter;
  };
  const collect = (adapter: WebSocketSignaling): SignalingEvent[] => {
    const events: SignalingEvent[] = [];
    adapter.subscribe((event) => events.push(event));
    return events;
  };
  const until = async (check: () => boolean): Promise<void> => {
    while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
  };
  /** `leaving` sends a bye and closes at once: the peer must get the bye, then `peer-left`, and nothing else. */
  const expectByeThenPeerLeft = async (
    leaving: WebSocketSignaling,
    events: SignalingEvent[],
  ): Promise<void> => {
    leaving.send({ type: 'bye', reason: 'hangup' });
    leaving.close();
    await until(() => events.some((event) => event.type === 'peer-left'));
    expect(events).toEqual([
      { type: 'message', data: { type: 'bye', reason: 'hangup' } },
      { type: 'peer-left' },
    ]);
  };

  it('a refused join ends in closed with the relay error', async () => {
    const url = await start();
    await Promise.all([open(url, 'full').ready, open(url, 'full').ready]);
    const third = open(url, 'full');
    const events = collect(third);
    await expect(third.ready).rejects.toThrow(/room-full/);
    await until(() => events.length > 0);
    expect(events).toHaveLength(1);
    const closed = events[0] as { type: 'closed'; error?: Error & { code?: string } };
    expect(closed.type).toBe('closed');
    expect(closed.error?.code).toBe('SIGNALING_CLOSED');
    expect(closed.error?.message).toMatch(/room-full/);
  });

  it('close() while the socket is still connecting delivers the queued bye through the relay, then frees the room', async () => {
    const url = await start();
    const peer = open(url, 'linger');
    await peer.ready;
    const events = collect(peer);
    const leaving = open(url, 'linger');
    // Still connecting: the bye is queued, and close() must not throw it away.
    await expectByeThenPeerLeft(leaving, events);
    // The room is free again: a newcomer joins it.
    await open(url, 'linger').ready;
  });

  it('a bye sent just before close() on a joined socket reaches the peer before peer-left', async () => {
    const url = await start();
    const peer = open(url, 'bye-then-close');
    const leaving = open(url, 'bye-then-close');
    await Promise.all([peer.ready, leaving.ready]);
    const events = collect(peer);
    // Both frames leave in one go: the relay reads the bye and the close frame together.
    await expectByeThenPeerLeft(leaving, events);
  });

  it('close() while waiting to reconnect still delivers the bye through the relay (a last resume at once)', async () => {
    const relay = await createRelayServer({ port: 0 });
    relays.push(relay);
    const proxy = await startTcpProxy(relay.port);
    try {
      const peer = open(`ws://127.0.0.1:${relay.port}`, 'interrupted-bye');
      const leaving = open(`ws://127.0.0.1:${proxy.port}`, 'interrupted-bye', {
        reconnect: { initialDelayMs: 1_000 },
      });
      await Promise.all([peer.ready, leaving.ready]);
      const events = collect(peer);
      const own = collect(leaving);
      proxy.cut();
      await until(() => own.some((event) => event.type === 'interrupted'));
      await expectByeThenPeerLeft(leaving, events);
    } finally {
      await proxy.close();
    }
  });

  it('bounds the queue before the socket opens with a HangupError', async () => {
    const url = await start();
    const adapter = open(url, 'queue', { maxQueuedMessages: 2 });
    adapter.send({ type: 'bye', reason: 'hangup' });
    adapter.send({ type: 'bye', reason: 'hangup' });
    expect(() => adapter.send({ type: 'bye', reason: 'hangup' })).toThrow(
      expect.objectContaining({ name: 'HangupError', code: 'SEND_FAILED' }),
    );
  });

  it('drops inbound frames that are not JSON objects without throwing', async () => {
    // A hand-written server that misbehaves towards the adapter.
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    servers.push(server);
    await new Promise((resolve) => server.once('listening', resolve));
    server.on('connection', (socket) => {
      socket.send('not json');
      socket.send('[1,2]');
      socket.send('null');
      socket.send(Buffer.from([1, 2, 3]));
      socket.send(JSON.stringify({ t: 'signal', data: { type: 'bye', reason: 'hangup' } }));
    });
    const adapter = open(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`, 'any');
    const events = collect(adapter);
    await until(() => events.length > 0);
    expect(events).toEqual([{ type: 'message', data: { type: 'bye', reason: 'hangup' } }]);
  });

  it('a raw client talking garbage through the relay only delivers its valid signals', async () => {
    const url = await start();
    const adapter = open(url, 'garbage');
    const events = collect(adapter);
    await adapter.ready;
    // A raw client joins the same room and sends the relay a signal whose payload reaches the adapter intact,
    // then garbage that the relay answers with error frames; only the signal must come through.
    const raw = new WebSocket(url);
    raws.push(raw);
    await new Promise((resolve) => raw.once('open', resolve));
    raw.send(JSON.stringify({ t: 'join', room: 'garbage' }));
    raw.send('not json');
    raw.send(JSON.stringify({ t: 'signal', data: { type: 'bye', reason: 'hangup' } }));
    await until(() => events.length > 0);
    expect(events).toEqual([{ type: 'message', data: { type: 'bye', reason: 'hangup' } }]);
    raw.close();
    await until(() => events.length > 1);
    expect(raw.readyState).not.toBe(WebSocket.OPEN);
    expect(events[1]).toEqual({ type: 'peer-left' });
  });

  it('refuses a room name the relay would refuse (over 128 characters) up front', () => {
    const make = (room: string) => () => new WebSocketSignaling({ url: 'ws://127.0.0.1:9', room, WebSocket });
    expect(make('x'.repeat(129))).toThrow(/1–128 characters/);
    expect(make('')).toThrow(TypeError);
  });

  it('throws a TypeError that says how to fix a missing WebSocket', () => {
    const saved = globalThis.WebSocket;
    // @ts-expect-error simulate a runtime without WebSocket
    delete globalThis.WebSocket;
    try {
      expect(() => new WebSocketSignaling({ url: 'ws://x', room: 'r' })).toThrow(/options.WebSocket/);
    } finally {
      globalThis.WebSocket = saved;
    }
  });
});
