import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createRelayServer, type RelayServer, type RelayServerOptions } from '../../src/server/index.js';
import { ManualClock } from '../../src/testing/index.js';
import { RawClient, until } from './relayClient.js';

const relays: RelayServer[] = [];
const clients: RawClient[] = [];
const httpServers: Server[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await Promise.all(relays.splice(0).map((relay) => relay.close()));
  await Promise.all(httpServers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function start(options: RelayServerOptions = {}): Promise<string> {
  const relay = await createRelayServer({ port: 0, ...options });
  relays.push(relay);
  return `ws://127.0.0.1:${relay.port}`;
}

function client(url: string, options?: { autoPong?: boolean }): RawClient {
  const raw = new RawClient(url, options);
  clients.push(raw);
  return raw;
}

async function pairIn(
  url: string,
  room: string,
  options?: { autoPong?: boolean },
): Promise<[RawClient, RawClient]> {
  const a = client(url, options);
  await a.join(room);
  const b = client(url);
  await b.join(room);
  return [a, b];
}

/** Sends a signal from `from` and waits until `to` has it. */
async function relayed(from: RawClient, to: RawClient, data: unknown): Promise<void> {
  from.send({ t: 'signal', data });
  await to.frame((frame) => frame.t === 'signal' && JSON.stringify(frame.data) === JSON.stringify(data));
}

describe('createRelayServer', () => {
  it('binds to 127.0.0.1 by default and relays between the two members of a room', async () => {
    const relay = await createRelayServer();
    relays.push(relay);
    const [a, b] = await pairIn(`ws://127.0.0.1:${relay.port}`, 'r');
    expect(a.of('joined')[0]).toMatchObject({ room: 'r', peers: 0 });
    expect(b.of('joined')[0]).toMatchObject({ room: 'r', peers: 1 });
    await a.frame((frame) => frame.t === 'peer-joined');
    await relayed(a, b, { type: 'bye', reason: 'hangup' });
    await relayed(b, a, { type: 'candidate', candidate: null });
  });

  it('holds what the first member sent until the second joins', async () => {
    const url = await start();
    const a = client(url);
    await a.join('early');
    a.send({ t: 'signal', data: { n: 1 } });
    a.send({ t: 'signal', data: { n: 2 } });
    const b = client(url);
    await b.join('early');
    await until(() => b.of('signal').length === 2);
    expect(b.of('signal').map((frame) => frame.data)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('refuses a third joiner with a room-full error while the two stay connected', async () => {
    const url = await start();
    const [a, b] = await pairIn(url, 'busy');
    const third = client(url);
    await third.join('busy');
    expect(third.of('error')[0]).toMatchObject({ code: 'room-full' });
    expect(String(third.of('error')[0]?.message)).toMatch(/already has two members/);
    expect(await third.closed()).toBe(4001);
    await relayed(a, b, { still: 'here' });
    expect(a.of('peer-left')).toEqual([]);
    expect(b.of('peer-left')).toEqual([]);
  });

  it('answers malformed frames with error frames and keeps every room working', async () => {
    const url = await start();
    const [a, b] = await pairIn(url, 'victim');
    const [x, y] = await pairIn(url, 'noisy');
    const garbage = client(url);
    await garbage.opened;
    garbage.send({ t: 'signal', data: 1 });
    garbage.send('{not json');
    garbage.send('[1,2,3]');
    garbage.send('null');
    garbage.send({ t: 'nope' });
    garbage.send({ t: 'join', room: '' });
    garbage.send({ t: 'join', room: 'x'.repeat(500) });
    garbage.send({ t: 'join', room: 42 });
    garbage.socket.send(Buffer.from([0xde, 0xad]), { binary: true });
    await until(() => garbage.of('error').length === 9);
    expect(garbage.of('error').map((frame) => frame.code)).toEqual([
      'not-joined',
      'bad-frame',
      'bad-frame',
      'bad-frame',
      'bad-frame',
      'bad-room',
      'bad-room',
      'bad-room',
      'bad-frame',
    ]);
    x.send('{"t":"signal"');
    x.send({ t: 'join', room: 'victim' });
    await until(() => x.of('error').length === 2);
    expect(x.of('error').map((frame) => frame.code)).toEqual(['bad-frame', 'already-joined']);
    await relayed(a, b, { ok: 1 });
    await relayed(x, y, { ok: 2 });
    expect(b.of('signal')).toHaveLength(1);
  });

  it('closes a socket that sends an oversized frame (1009) without disturbing another room', async () => {
    const url = await start({ maxFrameBytes: 1024 });
    const [a, b] = await pairIn(url, 'calm');
    const [big, peer] = await pairIn(url, 'big');
    big.send({ t: 'signal', data: 'x'.repeat(4096) });
    expect(await big.closed()).toBe(1009);
    await peer.frame((frame) => frame.t === 'peer-left');
    expect(peer.of('signal')).toEqual([]);
    await relayed(a, b, { fine: true });
  });

  it('rate-limits one socket: error frame, close 4002, the peer gets peer-left', async () => {
    const url = await start({ maxMessagesPerSecond: 5 });
    const [a, b] = await pairIn(url, 'calm');
    const [flood, peer] = await pairIn(url, 'flood');
    for (let i = 0; i < 30; i++) flood.send({ t: 'signal', data: i });
    expect(await flood.closed()).toBe(4002);
    expect(flood.of('error')[0]).toMatchObject({ code: 'rate-limited' });
    await peer.frame((frame) => frame.t === 'peer-left');
    expect(peer.of('signal').length).toBeLessThan(30);
    await relayed(a, b, { fine: true });
  });

  it('sends peer-left when a socket drops', async () => {
    const url = await start();
    const [a, b] = await pairIn(url, 'drop');
    a.socket.terminate();
    await b.frame((frame) => frame.t === 'peer-left');
  });

  it('terminates a socket that stops answering pings; its peer gets peer-left', async () => {
    const url = await start({ pingIntervalMs: 20 });
    const [silent, b] = await pairIn(url, 'silent', { autoPong: false });
    await b.frame((frame) => frame.t === 'peer-left');
    expect(await silent.closed()).toBe(1006);
    expect(b.closeCode).toBeUndefined();
  });

  it('enforces maxDurationMs from the moment the room has two members: finalize to both, then close', async () => {
    const url = await start({ maxDurationMs: 50 });
    const a = client(url);
    await a.join('limited');
    const b = client(url);
    await b.join('limited');
    const info = { reason: 'max-duration', maxDurationMs: 50 };
    expect(await a.frame((frame) => frame.t === 'finalize')).toEqual({ t: 'finalize', info });
    expect(await b.frame((frame) => frame.t === 'finalize')).toEqual({ t: 'finalize', info });
    expect(await a.closed()).toBe(4000);
    expect(await b.closed()).toBe(4000);
    expect(a.of('peer-left')).toEqual([]);
  });

  describe("keeps a room's deadline across leaving and rejoining", () => {
    const info = { reason: 'max-duration', maxDurationMs: 1_000 };

    /** Sends a join and waits for the relay's first answer to it (`joined`, `finalize` or `error`). */
    async function tryJoin(raw: RawClient, room: string): Promise<Record<string, unknown>> {
      await raw.opened;
      raw.send({ t: 'join', room });
      return raw.frame((frame) => ['joined', 'finalize', 'error'].includes(String(frame.t)));
    }

    it('a rejoin continues the countdown instead of restarting it', async () => {
      const clock = new ManualClock();
      const url = await start({ maxDurationMs: 1_000, clock });
      const [a, b] = await pairIn(url, 'rejoin');
      clock.advance(600);
      a.close();
      await b.frame((frame) => frame.t === 'peer-left');
      const c = client(url);
      await c.join('rejoin');
      clock.advance(399);
      // A round trip after the advance: had the limit fired, its finalize would have come first.
      await relayed(c, b, { n: 1 });
      await relayed(b, c, { n: 2 });
      expect([...b.of('finalize'), ...c.of('finalize')]).toEqual([]);
      clock.advance(1);
      expect(await b.frame((frame) => frame.t === 'finalize')).toEqual({ t: 'finalize', info });
      expect(await c.frame((frame) => frame.t === 'finalize')).toEqual({ t: 'finalize', info });
      expect(await c.closed()).toBe(4000);
    });

    it('refuses a finalized room for maxDurationMs, then lets it be used again', async () => {
      const clock = new ManualClock();
      const url = await start({ maxDurationMs: 1_000, clock });
      const [a, b] = await pairIn(url, 'over');
      clock.advance(1_000);
      expect(await a.closed()).toBe(4000);
      expect(await b.closed()).toBe(4000);

      clock.advance(999);
      const late = client(url);
      expect(await tryJoin(late, 'over')).toEqual({ t: 'finalize', info });
      expect(await late.closed()).toBe(4000);
      expect(late.of('joined')).toEqual([]);

      clock.advance(1);
      const [c, d] = await pairIn(url, 'over');
      await relayed(c, d, { fresh: true });
    });

    it('finalizes a member left waiting alone past the deadline when someone joins', async () => {
      const clock = new ManualClock();
      const url = await start({ maxDurationMs: 1_000, clock });
      const [a, b] = await pairIn(url, 'lonely');
      b.close();
      await a.frame((frame) => frame.t === 'peer-left');
      clock.advance(1_000);
      const late = client(url);
      expect(await tryJoin(late, 'lonely')).toEqual({ t: 'finalize', info });
      expect(await a.frame((frame) => frame.t === 'finalize')).toEqual({ t: 'finalize', info });
      expect(await a.closed()).toBe(4000);
    });

    it("refuses a room the operator finalized, with the operator's info", async () => {
      const clock = new ManualClock();
      const relay = await createRelayServer({ port: 0, maxDurationMs: 1_000, clock });
      relays.push(relay);
      const url = `ws://127.0.0.1:${relay.port}`;
      await pairIn(url, 'billed');
      relay.finalize('billed', { why: 'credit' });
      const late = client(url);
      expect(await tryJoin(late, 'billed')).toEqual({ t: 'finalize', info: { why: 'credit' } });
    });

    it('remembers at most maxRememberedRooms rooms, forgetting the oldest', async () => {
      const clock = new ManualClock();
      const url = await start({ maxDurationMs: 1_000, maxRememberedRooms: 1, clock });
      await pairIn(url, 'first');
      clock.advance(1_000);
      // The second room takes the only slot: the first is forgotten and can be used again.
      await pairIn(url, 'second');
      const [c, d] = await pairIn(url, 'first');
      await relayed(c, d, { again: true });
      expect(c.of('finalize')).toEqual([]);
    });
  });

  it('finalize(room) finalizes both members on demand', async () => {
    const relay = await createRelayServer({ port: 0 });
    relays.push(relay);
    const [a, b] = await pairIn(`ws://127.0.0.1:${relay.port}`, 'billing');
    expect(relay.finalize('billing', { why: 'credit' })).toBe(true);
    expect(relay.finalize('unknown')).toBe(false);
    expect(await a.frame((frame) => frame.t === 'finalize')).toEqual({
      t: 'finalize',
      info: { why: 'credit' },
    });
    await b.frame((frame) => frame.t === 'finalize');
  });

  it('close() disconnects everyone and leaves no timer or listening socket behind', async () => {
    const before = process.getActiveResourcesInfo().filter((kind) => kind !== 'TTYWrap');
    const relay = await createRelayServer({ port: 0, maxDurationMs: 60_000, pingIntervalMs: 1_000 });
    const url = `ws://127.0.0.1:${relay.port}`;
    const [a, b] = await pairIn(url, 'room');
    await relay.close();
    await relay.close();
    expect(await a.closed()).toBe(1001);
    expect(await b.closed()).toBe(1001);
    const refused = client(url);
    await until(() => refused.closeCode !== undefined);
    const after = process.getActiveResourcesInfo().filter((kind) => kind !== 'TTYWrap');
    expect(after.filter((kind) => kind === 'Timeout').length).toBeLessThanOrEqual(
      before.filter((kind) => kind === 'Timeout').length,
    );
    expect(after.filter((kind) => kind === 'TCPServerWrap').length).toBeLessThanOrEqual(
      before.filter((kind) => kind === 'TCPServerWrap').length,
    );
  });

  it('attaches to an existing HTTP server and leaves it running on close', async () => {
    const http = createServer((_req, res) => res.end('ok'));
    httpServers.push(http);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const relay = await createRelayServer({ server: http });
    relays.push(relay);
    expect(relay.port).toBe((http.address() as AddressInfo).port);
    const [a, b] = await pairIn(`ws://127.0.0.1:${relay.port}`, 'shared');
    await relayed(a, b, { via: 'http' });
    await relay.close();
    expect(http.listening).toBe(true);
  });

  it('rejects invalid options with a TypeError', async () => {
    await expect(createRelayServer({ maxDurationMs: -1 })).rejects.toThrow(TypeError);
    await expect(createRelayServer({ maxFrameBytes: 0 })).rejects.toThrow(/maxFrameBytes/);
  });
});
