import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createRelayServer, type RelayServer, type RelayServerOptions } from '../../src/server/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { RawClient, until } from './relayClient.js';

// Issue #11, relay half, at the smallest scale that shows each bound: the outbound cap (a socket that does not
// read is closed with 4010, its peer gets peer-left), control frames under the rate limit, the join deadline on
// the injected clock. The same attacks at full scale, with the relay's RSS measured, are in
// test/unit/security/relayAttacks.test.ts.

const relays: RelayServer[] = [];
const clients: RawClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(relays.splice(0).map((relay) => relay.close()));
});

async function start(options: RelayServerOptions = {}): Promise<string> {
  const relay = await createRelayServer({ port: 0, ...options });
  relays.push(relay);
  return `ws://127.0.0.1:${relay.port}`;
}

function client(url: string): RawClient {
  const raw = new RawClient(url);
  clients.push(raw);
  return raw;
}

function tcp(raw: RawClient): Socket {
  return (raw.socket as unknown as { _socket: Socket })._socket;
}

/** A socket proves it is still open: an unknown frame is answered with `bad-frame`. */
async function answers(raw: RawClient): Promise<void> {
  const before = raw.of('error').length;
  raw.send({ t: 'probe' });
  await until(() => raw.of('error').length > before || raw.closeCode !== undefined);
  expect(raw.closeCode).toBeUndefined();
}

describe('relay bounds', () => {
  it('closes a member that does not read once maxBufferedBytes wait for it (4010); its peer gets peer-left', async () => {
    const url = await start({
      maxFrameBytes: 64 * 1024,
      maxBufferedBytes: 64 * 1024,
      maxMessagesPerSecond: 1_000,
    });
    const reader = client(url);
    await reader.join('slow');
    const sender = client(url);
    await sender.join('slow');
    tcp(reader).pause();
    const frame = JSON.stringify({ t: 'signal', data: 'x'.repeat(60 * 1024) });
    // 24 MiB at most: far more than the loopback buffers take, far under the rate limit.
    for (let i = 0; i < 400 && sender.of('peer-left').length === 0; i++) {
      sender.socket.send(frame);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await sender.frame((received) => received.t === 'peer-left');
    // Reading again (within the relay's close grace) it gets what was buffered, then the close frame.
    tcp(reader).resume();
    expect(await reader.closed()).toBe(4010);
    expect(sender.closeCode).toBeUndefined();
  }, 20_000);

  it('a finalized member that does not read is terminated after the close grace, freeing its slot', async () => {
    const relay = await createRelayServer({ port: 0, maxConnections: 2 });
    relays.push(relay);
    const url = `ws://127.0.0.1:${relay.port}`;
    const deaf = client(url);
    await deaf.join('billed');
    const other = client(url);
    await other.join('billed');
    tcp(deaf).pause();
    relay.finalize('billed');
    expect(await other.closed()).toBe(4000);
    // The slot `other` freed is taken by a joined socket: until the deaf member is gone, the relay is full of
    // joined sockets and refuses newcomers (1013). `ws` alone would wait 30 s for the deaf one's close frame.
    // Retried for at most 5 s.
    let filler: RawClient | undefined;
    for (let attempt = 0; attempt < 50 && filler?.of('joined').length !== 1; attempt++) {
      filler = client(url);
      await filler.join('filler');
    }
    let admitted = false;
    for (let attempt = 0; attempt < 50 && !admitted; attempt++) {
      const probe = client(url);
      await probe.opened;
      await new Promise((resolve) => setTimeout(resolve, 100));
      admitted = probe.closeCode === undefined;
    }
    expect(admitted).toBe(true);
  }, 15_000);

  it('answers pings itself, and counts them against maxMessagesPerSecond: a ping flood is rate-limited (4002)', async () => {
    const url = await start({ maxMessagesPerSecond: 5 });
    const [a, b] = [client(url), client(url)];
    await a.join('pings');
    await b.join('pings');
    const pong = new Promise<Buffer>((resolve) => a.socket.once('pong', resolve));
    a.socket.ping(Buffer.from('hello'));
    expect(String(await pong)).toBe('hello');
    for (let i = 0; i < 20; i++) a.socket.ping();
    expect(await a.closed()).toBe(4002);
    expect(a.of('error')[0]).toMatchObject({ code: 'rate-limited' });
    await b.frame((frame) => frame.t === 'peer-left');
  }, 10_000);

  it('closes a socket that has not joined within joinTimeoutMs (4011), counted on the injected clock', async () => {
    const clock = new ManualClock();
    const url = await start({ joinTimeoutMs: 1_000, clock });
    const idle = client(url);
    await idle.opened;
    const joiner = client(url);
    await joiner.join('in-time');
    clock.advance(999);
    await answers(idle);
    clock.advance(1);
    expect(await idle.closed()).toBe(4011);
    // A socket that joined in time has no deadline.
    clock.advance(10_000);
    await answers(joiner);
  }, 10_000);

  it('defaults joinTimeoutMs to 5 s', async () => {
    const clock = new ManualClock();
    const url = await start({ clock });
    const idle = client(url);
    await idle.opened;
    clock.advance(4_999);
    await answers(idle);
    clock.advance(1);
    expect(await idle.closed()).toBe(4011);
  }, 10_000);
});
