import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { FrameBudget } from '../../../src/server/FrameBudget.js';
import { JoinDeadlines } from '../../../src/server/JoinDeadlines.js';
import { OutboundCap } from '../../../src/server/OutboundCap.js';
import { ManualClock } from '../../../src/testing/index.js';

// The relay's per-socket bounds (issue #11 items 1–3) at the lowest level: a scripted socket, a fake time source
// and ManualClock. The same bounds against real sockets: test/wrtc/relayBounds.test.ts; under attack, with the
// relay's RSS measured: test/unit/security/relayAttacks.test.ts.

/** What OutboundCap uses of a `ws` socket; `bufferedAmount` is set by the test (what the peer has not read). */
class ScriptedSocket {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: string[] = [];
  readonly pongs: Buffer[] = [];

  send(text: string): void {
    this.sent.push(text);
    this.bufferedAmount += Buffer.byteLength(text);
  }

  pong(payload: Buffer): void {
    this.pongs.push(payload);
    this.bufferedAmount += payload.length;
  }
}

const asWs = (socket: ScriptedSocket): WebSocket => socket as unknown as WebSocket;

describe('OutboundCap', () => {
  it('sends while what waits for the socket stays under the cap, and closes it instead of going over', () => {
    const overflowed: ScriptedSocket[] = [];
    const cap = new OutboundCap(1_000, (socket) => overflowed.push(socket as unknown as ScriptedSocket));
    const socket = new ScriptedSocket();
    const frame = 'x'.repeat(300);
    cap.send(asWs(socket), frame);
    cap.send(asWs(socket), frame);
    cap.send(asWs(socket), frame);
    expect(socket.sent).toHaveLength(3);
    expect(overflowed).toEqual([]);
    // 900 waiting: 300 more (plus framing) would exceed 1 000.
    cap.send(asWs(socket), frame);
    expect(socket.sent).toHaveLength(3);
    expect(overflowed).toEqual([socket]);
    // Once the peer has read, frames flow again.
    socket.bufferedAmount = 0;
    cap.send(asWs(socket), { t: 'peer-left' });
    expect(socket.sent.at(-1)).toBe('{"t":"peer-left"}');
  });

  it('puts pongs under the same cap', () => {
    const overflowed: unknown[] = [];
    const cap = new OutboundCap(200, (socket) => overflowed.push(socket));
    const socket = new ScriptedSocket();
    const payload = Buffer.alloc(125);
    cap.pong(asWs(socket), payload);
    expect(socket.pongs).toHaveLength(1);
    cap.pong(asWs(socket), payload);
    expect(socket.pongs).toHaveLength(1);
    expect(overflowed).toEqual([socket]);
  });

  it('sends nothing to a socket that is not open', () => {
    const cap = new OutboundCap(1_000, () => {
      throw new Error('not an overflow');
    });
    const socket = new ScriptedSocket();
    socket.readyState = 2;
    cap.send(asWs(socket), { t: 'peer-left' });
    cap.pong(asWs(socket), Buffer.alloc(1));
    expect(socket.sent).toEqual([]);
    expect(socket.pongs).toEqual([]);
  });
});

describe('FrameBudget', () => {
  it('allows a burst of perSecond frames, then refills at perSecond a second', () => {
    let now = 1_000;
    const budget = new FrameBudget(10, () => now);
    for (let i = 0; i < 10; i++) expect(budget.take()).toBe(true);
    expect(budget.take()).toBe(false);
    now += 100;
    expect(budget.take()).toBe(true);
    expect(budget.take()).toBe(false);
    // Idle time refills up to the burst, never beyond.
    now += 60_000;
    for (let i = 0; i < 10; i++) expect(budget.take()).toBe(true);
    expect(budget.take()).toBe(false);
  });
});

describe('JoinDeadlines', () => {
  const socket = (name: string): WebSocket => ({ name }) as unknown as WebSocket;

  it('expires a socket that has not settled by its deadline, and only that one', () => {
    const clock = new ManualClock();
    const expired: WebSocket[] = [];
    const deadlines = new JoinDeadlines(clock, 1_000, (s) => expired.push(s));
    const [a, b] = [socket('a'), socket('b')];
    deadlines.start(a);
    clock.advance(500);
    deadlines.start(b);
    clock.advance(499);
    expect(expired).toEqual([]);
    deadlines.settle(b);
    clock.advance(1);
    expect(expired).toEqual([a]);
    clock.advance(10_000);
    expect(expired).toEqual([a]);
    expect(deadlines.size).toBe(0);
  });

  it('names the socket that has waited longest, in connection order', () => {
    const clock = new ManualClock();
    const deadlines = new JoinDeadlines(clock, 1_000, () => {});
    const [a, b, c] = [socket('a'), socket('b'), socket('c')];
    expect(deadlines.oldest()).toBeUndefined();
    deadlines.start(a);
    deadlines.start(b);
    deadlines.start(c);
    expect(deadlines.oldest()).toBe(a);
    deadlines.settle(a);
    expect(deadlines.oldest()).toBe(b);
    deadlines.settle(c);
    deadlines.settle(c);
    expect(deadlines.oldest()).toBe(b);
    expect(deadlines.size).toBe(1);
  });

  it('clear() cancels every countdown', () => {
    const clock = new ManualClock();
    const expired: WebSocket[] = [];
    const deadlines = new JoinDeadlines(clock, 1_000, (s) => expired.push(s));
    deadlines.start(socket('a'));
    deadlines.clear();
    clock.advance(2_000);
    expect(expired).toEqual([]);
    expect(deadlines.size).toBe(0);
  });
});
