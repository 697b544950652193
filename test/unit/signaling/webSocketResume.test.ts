// @vitest-environment node
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createRelayServer, type RelayServer } from '../../../src/server/createRelayServer.js';
import type { SignalingEvent, SignalMessage } from '../../../src/signaling/types.js';
import {
  WebSocketSignaling,
  type WebSocketSignalingOptions,
} from '../../../src/signaling/WebSocketSignaling.js';
import { ManualClock } from '../../../src/testing/ManualClock.js';
import { mulberry32 as seeded } from '../../../src/util/mulberry32.js';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcpProxy.js';

// Resume against the real relay: sockets are cut by a loopback TCP proxy (RST, no close handshake), as a network
// change would. Every test counts messages: nothing lost, nothing duplicated, order kept.

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function relay(options: Parameters<typeof createRelayServer>[0] = {}): Promise<RelayServer> {
  const server = await createRelayServer({ port: 0, pingIntervalMs: 0, ...options });
  cleanups.push(() => server.close());
  return server;
}

async function proxy(port: number): Promise<TcpProxy> {
  const p = await startTcpProxy(port);
  cleanups.push(() => p.close());
  return p;
}

function adapter(port: number, room: string, extra: Partial<WebSocketSignalingOptions> = {}) {
  const signaling = new WebSocketSignaling({ url: `ws://127.0.0.1:${port}`, room, WebSocket, ...extra });
  cleanups.push(() => signaling.close());
  const events: SignalingEvent[] = [];
  signaling.subscribe((event) => events.push(event));
  const messages = () => events.filter((e) => e.type === 'message').map((e) => (e as { data: unknown }).data);
  const types = () => events.map((e) => e.type);
  return { signaling, events, messages, types };
}

async function until(check: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function candidate(i: number, from: string): SignalMessage {
  return {
    type: 'candidate',
    candidate: {
      candidate: `candidate:${i} 1 udp 2122260223 192.0.2.1 ${50_000 + i} typ host`,
      sdpMid: from,
    },
  };
}

describe('WebSocketSignaling resume on the real relay', () => {
  it('a cut socket is resumed: interrupted then resumed, the peer hears nothing, no message lost or duplicated', async () => {
    const server = await relay();
    const pa = await proxy(server.port);
    const a = adapter(pa.port, 'resume-basic');
    const b = adapter(server.port, 'resume-basic');
    await Promise.all([a.signaling.ready, b.signaling.ready]);
    for (let i = 0; i < 5; i++) a.signaling.send(candidate(i, 'a'));
    for (let i = 0; i < 5; i++) b.signaling.send(candidate(i, 'b'));
    await until(() => a.messages().length === 5 && b.messages().length === 5, 'the first five each way');
    expect(pa.cut()).toBe(1);
    // Sent while the socket is gone (a) or while the relay holds a's place (b): both must arrive once.
    for (let i = 5; i < 10; i++) a.signaling.send(candidate(i, 'a'));
    for (let i = 5; i < 10; i++) b.signaling.send(candidate(i, 'b'));
    await until(() => a.types().includes('resumed'), 'a resumed');
    await until(() => a.messages().length >= 10 && b.messages().length >= 10, 'all ten each way');
    await pause(100);
    expect(a.messages()).toEqual(Array.from({ length: 10 }, (_, i) => candidate(i, 'b')));
    expect(b.messages()).toEqual(Array.from({ length: 10 }, (_, i) => candidate(i, 'a')));
    expect(a.types().filter((t) => t !== 'message')).toEqual(['interrupted', 'resumed']);
    expect(b.types().filter((t) => t !== 'message')).toEqual([]);
    expect(pa.accepted).toBe(2);
  });

  it('seeded random cuts during a two-way stream: every message arrives exactly once, in order', async () => {
    const random = seeded(0x5eed);
    const server = await relay({ maxMessagesPerSecond: 10_000 });
    const pa = await proxy(server.port);
    const pb = await proxy(server.port);
    const a = adapter(pa.port, 'resume-random', { random });
    const b = adapter(pb.port, 'resume-random', { random });
    await Promise.all([a.signaling.ready, b.signaling.ready]);
    const total = 150;
    let cuts = 0;
    for (let i = 0; i < total; i++) {
      a.signaling.send(candidate(i, 'a'));
      b.signaling.send(candidate(i, 'b'));
      const roll = random();
      if (roll < 0.04) cuts += pa.cut();
      else if (roll < 0.08) cuts += pb.cut();
      await pause(Math.floor(random() * 4));
    }
    await until(
      () => a.messages().length >= total && b.messages().length >= total,
      `${total} messages each way (a has ${a.messages().length}, b has ${b.messages().length})`,
      15_000,
    );
    await pause(150);
    expect(cuts).toBeGreaterThan(2);
    expect(a.messages()).toEqual(Array.from({ length: total }, (_, i) => candidate(i, 'b')));
    expect(b.messages()).toEqual(Array.from({ length: total }, (_, i) => candidate(i, 'a')));
    for (const side of [a, b]) {
      expect(side.types()).not.toContain('peer-left');
      expect(side.types()).not.toContain('closed');
    }
  }, 20_000);

  it("a half-open socket while the partner leaves and another joins: after the resume, the partner's messages, peer-left, then the newcomer's", async () => {
    const server = await relay();
    const pa = await proxy(server.port);
    const a = adapter(pa.port, 'resume-halfopen');
    const b = adapter(server.port, 'resume-halfopen');
    await Promise.all([a.signaling.ready, b.signaling.ready]);
    b.signaling.send(candidate(1, 'b'));
    await until(() => a.messages().length === 1, "b's first message");
    // a's path dies silently: the relay still thinks its socket open, and what it writes there is lost.
    pa.stall();
    b.signaling.send(candidate(2, 'b'));
    b.signaling.close();
    const c = adapter(server.port, 'resume-halfopen');
    await c.signaling.ready;
    c.signaling.send(candidate(1, 'c'));
    await pause(100);
    expect(a.types()).toEqual(['message']);
    // a's client notices the drop and resumes: the departure comes at its place, before the newcomer's offer.
    pa.cut();
    await until(() => a.messages().length === 3, 'the replay');
    await pause(100);
    expect(a.events.map((e) => (e.type === 'message' ? e.data : e.type))).toEqual([
      candidate(1, 'b'),
      'interrupted',
      'resumed',
      candidate(2, 'b'),
      'peer-left',
      candidate(1, 'c'),
    ]);
  });

  it('the peer gets peer-left only when the grace period runs out', async () => {
    const clock = new ManualClock();
    const server = await relay({ clock, resumeGraceMs: 60_000 });
    const pa = await proxy(server.port);
    const a = adapter(pa.port, 'resume-grace');
    const b = adapter(server.port, 'resume-grace');
    await Promise.all([a.signaling.ready, b.signaling.ready]);
    pa.refuse(true);
    pa.cut();
    await until(() => a.types().includes('interrupted'), 'a interrupted');
    // The relay has seen the drop once its socket count fell; give b a chance to (wrongly) hear about it.
    await pause(200);
    expect(b.types()).toEqual([]);
    clock.advance(59_999);
    await pause(50);
    expect(b.types()).toEqual([]);
    clock.advance(1);
    await until(() => b.types().includes('peer-left'), 'peer-left after the grace');
  });

  it('gives up and emits closed once the relay grace period has passed', async () => {
    const server = await relay({ resumeGraceMs: 400 });
    const pa = await proxy(server.port);
    const a = adapter(pa.port, 'resume-giveup', { reconnect: { initialDelayMs: 20, maxDelayMs: 50 } });
    const b = adapter(server.port, 'resume-giveup');
    await Promise.all([a.signaling.ready, b.signaling.ready]);
    pa.refuse(true);
    pa.cut();
    await until(() => a.types().includes('closed'), 'a closed');
    expect(a.types()).toEqual(['interrupted', 'closed']);
    const closed = a.events[1] as { error?: Error };
    expect(closed.error?.message).toMatch(/could not be resumed within the relay's 400 ms grace period/);
    expect(pa.accepted).toBeGreaterThan(2);
    await until(() => b.types().includes('peer-left'), 'b peer-left');
  });

  it('reconnect: false closes at once on a cut, and the peer gets peer-left at once', async () => {
    const server = await relay({ resumeGraceMs: 60_000 });
    const pa = await proxy(server.port);
    const a = adapter(pa.port, 'resume-off', { reconnect: false });
    const b = adapter(server.port, 'resume-off');
    await Promise.all([a.signaling.ready, b.signaling.ready]);
    pa.cut();
    await until(
      () => a.types().includes('closed') && b.types().includes('peer-left'),
      'closed and peer-left',
    );
    expect(a.types()).toEqual(['closed']);
    expect(pa.accepted).toBe(1);
  });

  it('a final close code is not resumed: finalize closes both for good', async () => {
    const server = await relay();
    const a = adapter(server.port, 'resume-final');
    const b = adapter(server.port, 'resume-final');
    await Promise.all([a.signaling.ready, b.signaling.ready]);
    server.finalize('resume-final', { why: 'test' });
    await until(() => a.types().includes('closed') && b.types().includes('closed'), 'both closed');
    expect(a.types()).toEqual(['finalize', 'closed']);
    expect(b.types()).toEqual(['finalize', 'closed']);
  });

  it('a local close() while reconnecting stops the attempts and ends in one closed', async () => {
    const server = await relay();
    const pa = await proxy(server.port);
    const a = adapter(pa.port, 'resume-close', { reconnect: { initialDelayMs: 20, maxDelayMs: 20 } });
    await a.signaling.ready;
    pa.refuse(true);
    pa.cut();
    await until(() => a.types().includes('interrupted'), 'interrupted');
    await until(() => pa.accepted >= 3, 'a few attempts');
    a.signaling.close();
    const attempts = pa.accepted;
    await pause(150);
    expect(pa.accepted).toBe(attempts);
    expect(a.types()).toEqual(['interrupted', 'closed']);
  });

  it('drain on a single process: clients are asked to resume (4102), find nowhere to, and end closed', async () => {
    const server = await createRelayServer({ port: 0, pingIntervalMs: 0, resumeGraceMs: 300 });
    const a = adapter(server.port, 'drain-single', { reconnect: { initialDelayMs: 20, maxDelayMs: 50 } });
    await a.signaling.ready;
    await server.drain();
    await until(() => a.types().includes('closed'), 'closed after the grace');
    expect(a.types()).toEqual(['interrupted', 'closed']);
  });
});
