// @vitest-environment node
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type ClusterRelayServer, createRelayServer } from '../../../src/server/createRelayServer.js';
import type { SignalingEvent, SignalMessage } from '../../../src/signaling/types.js';
import {
  WebSocketSignaling,
  type WebSocketSignalingOptions,
} from '../../../src/signaling/WebSocketSignaling.js';
import { ManualClock } from '../../../src/testing/ManualClock.js';
import { runConformance } from '../../conformance/runConformance.js';
import { clusterProcesses } from '../../helpers/clusterProcesses.js';
import { FakeConnection } from '../../helpers/fakeRelayConnection.js';
import { type RawRelayClient, rawRelayClient } from '../../helpers/rawRelayClient.js';
import { describeRedis, startRedis, type TestRedis } from '../../helpers/redisServer.js';
import { startRelayNode } from '../../helpers/relayNode.js';
import { startTcpProxy } from '../../helpers/tcpProxy.js';

// Cluster mode on a real redis-server: several relay processes (here: several relays in this process, each with
// its own Redis connections and process id, exactly as separate processes would be) share rooms.

let redis: TestRedis;
const cleanups: (() => unknown)[] = [];
let prefixCounter = 0;
let prefix = '';

describeRedis('cluster mode (real redis-server)', () => {
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function relays(count: number, extra: Partial<Parameters<typeof createRelayServer>[0]> = {}) {
    prefix = `t${++prefixCounter}:`;
    const started: ClusterRelayServer[] = [];
    for (let i = 0; i < count; i++) {
      const relay = await createRelayServer({
        redis: redis.url,
        redisKeyPrefix: prefix,
        pingIntervalMs: 0,
        // Long enough that a loaded test machine does not let a live process's presence lapse.
        heartbeatMs: 500,
        ...extra,
      });
      cleanups.push(() => relay.close());
      started.push(relay);
    }
    return started;
  }

  function adapter(port: number, room: string, extra: Partial<WebSocketSignalingOptions> = {}) {
    const signaling = new WebSocketSignaling({ url: `ws://127.0.0.1:${port}`, room, WebSocket, ...extra });
    cleanups.push(() => signaling.close());
    const events: SignalingEvent[] = [];
    signaling.subscribe((event) => events.push(event));
    const messages = () =>
      events.filter((e) => e.type === 'message').map((e) => (e as { data: unknown }).data);
    const types = () => events.map((e) => e.type);
    return { signaling, events, messages, types };
  }

  const candidate = (i: number, from: string): SignalMessage => ({
    type: 'candidate',
    candidate: { candidate: `candidate:${i} 1 udp 1 192.0.2.1 ${40_000 + i} typ host`, sdpMid: from },
  });

  it('members on different processes exchange messages both ways, in order, once each', async () => {
    const [one, two] = await relays(2);
    const a = adapter(one!.port, 'split');
    // a sends before b exists: held in Redis for the second member.
    for (let i = 0; i < 3; i++) a.signaling.send(candidate(i, 'a'));
    const b = adapter(two!.port, 'split');
    await Promise.all([a.signaling.ready, b.signaling.ready]);
    for (let i = 3; i < 30; i++) a.signaling.send(candidate(i, 'a'));
    for (let i = 0; i < 30; i++) b.signaling.send(candidate(i, 'b'));
    await until(() => a.messages().length >= 30 && b.messages().length >= 30, 'thirty each way');
    await pause(100);
    expect(b.messages()).toEqual(Array.from({ length: 30 }, (_, i) => candidate(i, 'a')));
    expect(a.messages()).toEqual(Array.from({ length: 30 }, (_, i) => candidate(i, 'b')));
    expect(one!.processId).not.toBe(two!.processId);
  });

  it('once both members left, Redis keeps nothing of the room (only the processes’ heartbeats)', async () => {
    const [one, two] = await relays(2);
    const a = adapter(one!.port, 'gone');
    const b = adapter(two!.port, 'gone');
    await Promise.all([a.signaling.ready, b.signaling.ready]);
    a.signaling.send(candidate(1, 'a'));
    await until(() => b.messages().length === 1, 'one message');
    a.signaling.close();
    await until(() => b.types().includes('peer-left'), 'peer-left');
    b.signaling.close();
    const { Redis } = await import('ioredis');
    const inspector = new Redis(redis.url);
    cleanups.push(() => inspector.quit());
    let keys: string[] = [];
    await until(
      () => {
        void inspector.keys(`${prefix}*`).then((found) => {
          keys = found.sort();
        });
        return keys.length > 0 && keys.every((key) => /:(procs|proc:[\w-]+)$/.test(key));
      },
      `only heartbeats left in Redis (has ${keys.join(', ')})`,
    );
  });

  it('accepts a connected ioredis client, and leaves it open and as it found it at close', async () => {
    const { Redis } = await import('ioredis');
    const client = new Redis(redis.url);
    cleanups.push(() => client.quit());
    await client.ping();
    const listenersBefore = client.listenerCount('close') + client.listenerCount('error');
    prefix = `t${++prefixCounter}:`;
    const withClient = await createRelayServer({ redis: client, redisKeyPrefix: prefix, pingIntervalMs: 0 });
    const withUrl = await createRelayServer({ redis: redis.url, redisKeyPrefix: prefix, pingIntervalMs: 0 });
    cleanups.push(() => withUrl.close());
    const a = adapter(withClient.port, 'own-client');
    const b = adapter(withUrl.port, 'own-client');
    await Promise.all([a.signaling.ready, b.signaling.ready]);
    a.signaling.send(candidate(1, 'a'));
    await until(() => b.messages().length === 1, 'a message through the app-owned client');
    a.signaling.close();
    await withClient.close();
    expect(await client.ping()).toBe('PONG');
    expect(client.listenerCount('close') + client.listenerCount('error')).toBe(listenersBefore);
  });

  it('the room of two holds across processes: a third joiner on a third process is refused room-full', async () => {
    const [one, two, three] = await relays(3);
    const a = adapter(one!.port, 'full');
    const b = adapter(two!.port, 'full');
    await Promise.all([a.signaling.ready, b.signaling.ready]);
    const c = adapter(three!.port, 'full');
    await expect(c.signaling.ready).rejects.toThrow(/room-full/);
  });

  it('simultaneous joins from many processes: exactly two get in', async () => {
    const started = await relays(3);
    const joiners = Array.from({ length: 6 }, (_, i) => adapter(started[i % 3]!.port, 'race'));
    const outcomes = await Promise.allSettled(joiners.map((j) => j.signaling.ready));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(2);
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(4);
  });

  it('peer-left crosses processes at once on a clean close', async () => {
    const [one, two] = await relays(2);
    const a = adapter(one!.port, 'left');
    const b = adapter(two!.port, 'left');
    await Promise.all([a.signaling.ready, b.signaling.ready]);
    a.signaling.close();
    await until(() => b.types().includes('peer-left'), 'peer-left');
  });

  it('finalize from any process reaches both members on other processes', async () => {
    const [one, two, three] = await relays(3);
    const a = adapter(one!.port, 'fin');
    const b = adapter(two!.port, 'fin');
    await Promise.all([a.signaling.ready, b.signaling.ready]);
    expect(await three!.finalize('fin', { by: 'operator' })).toBe(true);
    await until(() => a.types().includes('closed') && b.types().includes('closed'), 'both closed');
    expect(a.events[0]).toEqual({ type: 'finalize', info: { by: 'operator' } });
    expect(b.events[0]).toEqual({ type: 'finalize', info: { by: 'operator' } });
    expect(await three!.finalize('no-such-room')).toBe(false);
  });

  it('the call limit runs across processes, and a finalized room is refused on every process', async () => {
    const [one, two, three] = await relays(3, { maxDurationMs: 400 });
    const a = adapter(one!.port, 'limit');
    const b = adapter(two!.port, 'limit');
    await Promise.all([a.signaling.ready, b.signaling.ready]);
    await until(() => a.types().includes('closed') && b.types().includes('closed'), 'both finalized', 5_000);
    const info = { reason: 'max-duration', maxDurationMs: 400 };
    expect(a.events[0]).toEqual({ type: 'finalize', info });
    const late = adapter(three!.port, 'limit');
    await expect(late.signaling.ready).rejects.toThrow();
    expect(late.events[0]).toEqual({ type: 'finalize', info });
  });

  it('a member resumes on another process (drain) and nothing is lost or duplicated', async () => {
    const [one, two] = await relays(2);
    // A load balancer: the proxy sends new connections to whichever process is up.
    const lb = await startTcpProxy(one!.port);
    cleanups.push(() => lb.close());
    const a = adapter(lb.port, 'drain');
    const b = adapter(two!.port, 'drain');
    await Promise.all([a.signaling.ready, b.signaling.ready]);
    for (let i = 0; i < 5; i++) b.signaling.send(candidate(i, 'b'));
    await until(() => a.messages().length === 5, 'five before the drain');
    lb.retarget(two!.port);
    const draining = one!.drain();
    for (let i = 5; i < 10; i++) b.signaling.send(candidate(i, 'b'));
    for (let i = 0; i < 10; i++) a.signaling.send(candidate(i, 'a'));
    await draining;
    await until(() => a.types().includes('resumed'), 'a resumed on the other process');
    await until(() => a.messages().length >= 10 && b.messages().length >= 10, 'ten each way');
    await pause(100);
    expect(a.messages()).toEqual(Array.from({ length: 10 }, (_, i) => candidate(i, 'b')));
    expect(b.messages()).toEqual(Array.from({ length: 10 }, (_, i) => candidate(i, 'a')));
    expect(b.types()).not.toContain('peer-left');
  });

  it("a client away while its partner leaves and another joins is told, in order: the partner's messages, peer-left, the newcomer's", async () => {
    const [one, two] = await relays(2);
    const lb = await startTcpProxy(one!.port);
    cleanups.push(() => lb.close());
    const a = adapter(lb.port, 'swap');
    const b = adapter(two!.port, 'swap');
    await Promise.all([a.signaling.ready, b.signaling.ready]);
    // a's path is cut and stays cut while b sends, leaves for good, and c takes its place and sends.
    lb.refuse(true);
    lb.cut();
    await until(() => a.types().includes('interrupted'), 'a interrupted');
    b.signaling.send(candidate(1, 'b'));
    b.signaling.close();
    // c joins once b's departure is in Redis (before, the room is still full).
    const { Redis } = await import('ioredis');
    const inspector = new Redis(redis.url);
    cleanups.push(() => inspector.quit());
    for (
      const deadline = Date.now() + 5_000;
      (await inspector.hlen(`${prefix}room:swap`)) !== 1;
      await pause(5)
    ) {
      if (Date.now() > deadline) throw new Error('timed out waiting for b to leave');
    }
    const c = adapter(two!.port, 'swap');
    await c.signaling.ready;
    c.signaling.send(candidate(1, 'c'));
    // Time for c's message to reach a's outbox before a is back (the case under test); the order holds either way.
    await pause(200);
    lb.refuse(false);
    await until(() => a.messages().length === 2, "b's and c's messages");
    await pause(100);
    expect(a.events.slice(a.types().indexOf('resumed'))).toEqual([
      expect.objectContaining({ type: 'resumed' }),
      { type: 'message', data: candidate(1, 'b') },
      { type: 'peer-left' },
      { type: 'message', data: candidate(1, 'c') },
    ]);
  });

  it('resuming on the same process while the old socket is still open drops the old one, keeps the place', async () => {
    const [one, two] = await relays(2);
    const raw = await rawClient(one!.port);
    raw.send({ t: 'join', room: 'half-open', resume: true });
    const joined = await raw.next('joined');
    const b = adapter(two!.port, 'half-open');
    await b.signaling.ready;
    const closed = new Promise<number>((resolve) => raw.socket.once('close', resolve));
    const again = await rawClient(one!.port);
    again.send({ t: 'resume', room: 'half-open', token: joined.token, n: 0 });
    await again.next('resumed');
    expect(await closed).toBe(1006);
    b.signaling.send(candidate(1, 'b'));
    expect((await again.next('signal')).data).toEqual(candidate(1, 'b'));
    await pause(100);
    expect(b.types()).not.toContain('peer-left');
    again.socket.terminate();
  });

  it('a lost resumed frame: the old token still works once across processes, the unconfirmed one is spent', async () => {
    const [one, two] = await relays(2);
    const raw = await rawClient(one!.port);
    raw.send({ t: 'join', room: 'lost', resume: true });
    const joined = await raw.next('joined');
    raw.socket.terminate();
    const first = await rawClient(two!.port);
    first.send({ t: 'resume', room: 'lost', token: joined.token, n: 0 });
    const unseen = (await first.next('resumed')).token;
    first.socket.terminate();
    const retry = await rawClient(one!.port);
    retry.send({ t: 'resume', room: 'lost', token: joined.token, n: 0 });
    await retry.next('resumed');
    const withUnseen = await rawClient(two!.port);
    withUnseen.send({ t: 'resume', room: 'lost', token: unseen, n: 0 });
    expect((await withUnseen.next('error')).code).toBe('resume-failed');
    for (const c of [retry, withUnseen]) c.socket.terminate();
  });

  it('a member away when its room is finalized gets the finalize when it resumes on another process', async () => {
    const [one, two] = await relays(2);
    const raw = await rawClient(one!.port);
    raw.send({ t: 'join', room: 'fin-away', resume: true });
    const joined = await raw.next('joined');
    const b = adapter(two!.port, 'fin-away');
    await b.signaling.ready;
    raw.socket.terminate();
    await pause(100);
    expect(await two!.finalize('fin-away', { why: 'operator' })).toBe(true);
    const back = await rawClient(two!.port);
    back.send({ t: 'resume', room: 'fin-away', token: joined.token, n: 0 });
    expect((await back.next('finalize')).info).toEqual({ why: 'operator' });
    back.socket.terminate();
  });

  it('a token works once across processes and not in another room', async () => {
    const [one, two] = await relays(2);
    const raw = await rawClient(one!.port);
    raw.send({ t: 'join', room: 'tok', resume: true });
    const joined = await raw.next('joined');
    raw.socket.terminate();
    const wrongRoom = await rawClient(two!.port);
    wrongRoom.send({ t: 'resume', room: 'other', token: joined.token, n: 0 });
    expect((await wrongRoom.next('error')).code).toBe('resume-failed');
    const first = await rawClient(two!.port);
    first.send({ t: 'resume', room: 'tok', token: joined.token, n: 0 });
    await first.next('resumed');
    // Confirms the new token: from now on the old one is spent.
    first.send({ t: 'ack', n: 0 });
    await pause(50);
    const second = await rawClient(one!.port);
    second.send({ t: 'resume', room: 'tok', token: joined.token, n: 0 });
    expect((await second.next('error')).code).toBe('resume-failed');
    for (const c of [raw, wrongRoom, first, second]) c.socket.terminate();
  });

  it('a relay process SIGKILLed: its member resumes on another process through the load balancer, nothing lost', async () => {
    const [two] = await relays(1);
    const one = await startRelayNode({ redis: redis.url, redisKeyPrefix: prefix, heartbeatMs: 100 });
    cleanups.push(() => one.kill());
    const lb = await startTcpProxy(one.port);
    cleanups.push(() => lb.close());
    const a = adapter(lb.port, 'killed');
    const b = adapter(two!.port, 'killed');
    await Promise.all([a.signaling.ready, b.signaling.ready]);
    for (let i = 0; i < 5; i++) a.signaling.send(candidate(i, 'a'));
    for (let i = 0; i < 5; i++) b.signaling.send(candidate(i, 'b'));
    await until(() => a.messages().length === 5 && b.messages().length === 5, 'five each way');
    lb.retarget(two!.port);
    await one.kill();
    for (let i = 5; i < 10; i++) a.signaling.send(candidate(i, 'a'));
    for (let i = 5; i < 10; i++) b.signaling.send(candidate(i, 'b'));
    await until(() => a.types().includes('resumed'), 'a resumed on the surviving process');
    await until(() => a.messages().length >= 10 && b.messages().length >= 10, 'ten each way');
    await pause(100);
    expect(a.messages()).toEqual(Array.from({ length: 10 }, (_, i) => candidate(i, 'b')));
    expect(b.messages()).toEqual(Array.from({ length: 10 }, (_, i) => candidate(i, 'a')));
    expect(b.types()).not.toContain('peer-left');
    expect(a.types().filter((t) => t !== 'message')).toEqual(['interrupted', 'resumed']);
  });

  it('Redis restarting without persistence: clients are told to resume, cannot (state lost), end closed; new rooms work', async () => {
    const [one, two] = await relays(2, { resumeGraceMs: 1_500 });
    const a = adapter(one!.port, 'redis-restart');
    const b = adapter(two!.port, 'redis-restart');
    await Promise.all([a.signaling.ready, b.signaling.ready]);
    await redis.restart();
    await until(
      () => a.types().includes('closed') && b.types().includes('closed'),
      'both closed after Redis lost the room',
      10_000,
    );
    expect(a.types()).toEqual(['interrupted', 'closed']);
    expect(b.types()).toEqual(['interrupted', 'closed']);
    for (const side of [a, b]) {
      const error = (side.events[1] as { error?: Error }).error;
      expect(error?.message).toMatch(/resume-failed|could not be resumed/);
    }
    // Redis is back: a fresh call on the same relays works.
    const c = adapter(one!.port, 'after-restart');
    const d = adapter(two!.port, 'after-restart');
    await Promise.all([c.signaling.ready, d.signaling.ready]);
    c.signaling.send(candidate(1, 'c'));
    await until(() => d.messages().length === 1, 'a message after the restart', 5_000);
  }, 20_000);

  it('hostile input in cluster mode: the rate limit (4002) and the connection limit (1013) still apply', async () => {
    const [one, two] = await relays(2, { maxMessagesPerSecond: 20, maxConnections: 3 });
    const flooder = await rawClient(one!.port);
    flooder.send({ t: 'join', room: 'flood', resume: true });
    await flooder.next('joined');
    const victim = adapter(two!.port, 'flood');
    await victim.signaling.ready;
    for (let n = 1; n <= 40; n++) flooder.send({ t: 'signal', n, data: { n } });
    expect((await flooder.next('error')).code).toBe('rate-limited');
    // Its place ends at once (the relay closed it on purpose): the peer is told without waiting for a grace.
    await until(() => victim.types().includes('peer-left'), 'peer-left after the flooder was cut');
    // The bucket (20, refilling) let some through; the rest of the flood never reached the peer.
    expect(victim.messages().length).toBeLessThan(30);
    // The flooder's socket is gone from process one: three fit; with a fourth, the oldest that has not joined
    // makes way (1013, "try again later").
    await pause(50);
    const three = [await rawClient(one!.port), await rawClient(one!.port), await rawClient(one!.port)];
    const oldestClosed = new Promise<number>((resolve) => three[0]!.socket.once('close', resolve));
    const fourth = await rawClient(one!.port);
    expect(await oldestClosed).toBe(1013);
    for (const c of [...three, fourth]) c.socket.terminate();
  });

  it('full process: a member alone past aloneTimeoutMs makes way (1013); one whose partner is on another process never does', async () => {
    const clock = new ManualClock();
    const [one, two] = await relays(2, { maxConnections: 2, clock });
    // On process one: a member whose partner is on process two, and a squatter alone in a room of its own.
    const [paired, partner] = await pairAcross(one!.port, two!.port, 'call');
    const squatter = await rawClient(one!.port);
    squatter.send({ t: 'join', room: 'squat' });
    await squatter.next('joined');
    clock.advance(30_000);
    const squatterClosed = new Promise<number>((resolve) => squatter.socket.once('close', resolve));
    const newcomer = await rawClient(one!.port);
    expect(await squatterClosed).toBe(1013);
    newcomer.send({ t: 'join', room: 'fresh' });
    await newcomer.next('joined');
    // Now the only lone member has been alone for less than aloneTimeoutMs: the next one is refused.
    expect(await closeCodeOfNewSocket(one!.port)).toBe(1013);
    expect(paired.socket.readyState).toBe(WebSocket.OPEN);
    for (const c of [paired, partner, newcomer]) c.socket.terminate();
  });

  it('full process: a member whose partner on another process left is alone from then, and makes way after aloneTimeoutMs', async () => {
    const clock = new ManualClock();
    const [one, two] = await relays(2, { maxConnections: 1, clock });
    const [paired, partner] = await pairAcross(one!.port, two!.port, 'call');
    const refused = () => closeCodeOfNewSocket(one!.port);
    // Paired (told through Redis, from the other process): never displaced, however long.
    clock.advance(60_000);
    expect(await refused()).toBe(1013);
    partner.socket.close();
    await paired.next('peer-left');
    // Alone from its peer-left, not from its join: not displaceable before aloneTimeoutMs from then.
    clock.advance(29_999);
    expect(await refused()).toBe(1013);
    clock.advance(1);
    const pairedClosed = new Promise<number>((resolve) => paired.socket.once('close', resolve));
    const newcomer = await rawClient(one!.port);
    expect(await pairedClosed).toBe(1013);
    newcomer.socket.terminate();
  });

  it('ClusterRooms reports each member’s partner to the server: at join, through Redis from another process, at resume', async () => {
    prefix = `t${++prefixCounter}:`;
    const [one, two] = await clusterProcesses(redis.url, prefix, (rooms) =>
      cleanups.push(() => rooms.close()),
    );
    const a = new FakeConnection();
    await one.join(a, 'r', true);
    expect(a.partners).toEqual([false]);
    const b = new FakeConnection();
    await two.join(b, 'r', false);
    expect(b.partners).toEqual([true]);
    await until(() => a.partners.length === 2, 'a told of its partner through Redis');
    expect(a.partners).toEqual([false, true]);
    // a drops into its grace and resumes with b still there: paired.
    const token = a.frames[0]!.token as string;
    await one.disconnect(a, false);
    const aBack = new FakeConnection();
    await one.resume(aBack, 'r', token, 0);
    expect(aBack.types()).toEqual(['resumed']);
    expect(aBack.partners).toEqual([true]);
    // b leaves for good: a is alone from its peer-left.
    await two.disconnect(b, true);
    await until(() => aBack.partners.length === 2, 'a told its partner left');
    expect(aBack.partners).toEqual([true, false]);
    expect(aBack.types()).toEqual(['resumed', 'peer-left']);
    // A partner that leaves while the member is away: told at resume (its peer-left), so alone.
    const c = new FakeConnection();
    await two.join(c, 'r', false);
    await until(() => aBack.partners.length === 3, 'a told of its new partner');
    await one.disconnect(aBack, false);
    await two.disconnect(c, true);
    // It resumes with the number of b's peer-left, which it got: only c's departure is replayed.
    const aAgain = new FakeConnection();
    await one.resume(aAgain, 'r', aBack.frames[0]!.token as string, 1);
    expect(aAgain.frames.slice(1)).toEqual([{ t: 'peer-left', n: 2 }]);
    // Reported once, as the replay leaves it.
    expect(aAgain.partners).toEqual([false]);
  });

  it('a member on another process that never acknowledges loses its place: slot-lost and 4101, as in one process', async () => {
    const [one, two] = await relays(2, { maxMessagesPerSecond: 100_000 });
    const silent = await rawClient(one!.port);
    silent.send({ t: 'join', room: 'lose', resume: true });
    await silent.next('joined');
    const sender = await rawClient(two!.port);
    sender.send({ t: 'join', room: 'lose' });
    await sender.next('joined');
    const closed = new Promise<[number, string]>((resolve) =>
      silent.socket.once('close', (code, reason) => resolve([code, String(reason)])),
    );
    // Its outbox holds 256 unacknowledged frames: the 257th costs the silent member its place. Sent in bursts
    // that each wait for the last to arrive: more than 256 frames of one socket waiting for Redis is a flood.
    for (let i = 0; i < 256; i++) {
      sender.send({ t: 'signal', data: { i } });
      if (i % 128 === 127) await until(() => silent.count('signal') === i + 1, `${i + 1} signals`);
    }
    sender.send({ t: 'signal', data: { i: 256 } });
    expect(await silent.next('error')).toEqual({
      t: 'error',
      code: 'slot-lost',
      message: 'too much data waited for acknowledgement; the place in the room was given up',
    });
    expect(await closed).toEqual([4101, 'slot lost']);
    await sender.next('peer-left');
    sender.socket.terminate();
  });

  it('while Redis hangs, at most 256 frames of one socket wait; more is flooding (rate-limited, 4002)', async () => {
    const [one] = await relays(1, { maxMessagesPerSecond: 100_000 });
    const raw = await rawClient(one!.port);
    raw.send({ t: 'join', room: 'queue', resume: true });
    await raw.next('joined');
    const closed = new Promise<number>((resolve) => raw.socket.once('close', resolve));
    redis.freeze(true);
    try {
      for (let n = 1; n <= 300; n++) raw.send({ t: 'signal', n, data: { n } });
      expect((await raw.next('error')).code).toBe('rate-limited');
      expect(await closed).toBe(4002);
    } finally {
      redis.freeze(false);
    }
  });

  it('a live process whose presence lapsed sends its clients to resume; nothing is lost, the peer sees nothing', async () => {
    const [one, two] = await relays(2, { resumeGraceMs: 5_000 });
    const a = adapter(one!.port, 'lapse');
    const b = adapter(two!.port, 'lapse');
    await Promise.all([a.signaling.ready, b.signaling.ready]);
    const { Redis } = await import('ioredis');
    const inspector = new Redis(redis.url);
    cleanups.push(() => inspector.quit());
    // As if the process had stalled for three heartbeats: its presence is gone, the reaper takes it for dead.
    await inspector.del(`${prefix}proc:${one!.processId}`);
    await until(() => a.types().includes('resumed'), 'a resumed after the lapse', 5_000);
    for (let i = 0; i < 5; i++) a.signaling.send(candidate(i, 'a'));
    for (let i = 0; i < 5; i++) b.signaling.send(candidate(i, 'b'));
    await until(() => a.messages().length >= 5 && b.messages().length >= 5, 'five each way');
    await pause(100);
    expect(b.messages()).toEqual(Array.from({ length: 5 }, (_, i) => candidate(i, 'a')));
    expect(a.messages()).toEqual(Array.from({ length: 5 }, (_, i) => candidate(i, 'b')));
    expect(b.types()).not.toContain('peer-left');
  });

  it('a process that stops heartbeating (its sockets gone) leaves its members to the grace, then peer-left', async () => {
    const [two] = await relays(1, { resumeGraceMs: 300 });
    const one = await startRelayNode({
      redis: redis.url,
      redisKeyPrefix: prefix,
      heartbeatMs: 100,
      resumeGraceMs: 300,
    });
    cleanups.push(() => one.kill());
    const raw = await rawClient(one.port);
    raw.send({ t: 'join', room: 'dead', resume: true });
    await raw.next('joined');
    const b = adapter(two!.port, 'dead');
    await b.signaling.ready;
    // The process dies: no clean departure reaches Redis, only the heartbeat stops.
    await one.kill();
    await until(() => b.types().includes('peer-left'), 'peer-left after heartbeat expiry + grace', 5_000);
    raw.socket.terminate();
  });
});

async function until(check: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await pause(5);
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Two raw clients in `room`, the first on `portA` (it has seen `peer-joined`), the second on `portB`. */
async function pairAcross(portA: number, portB: number, room: string) {
  const first = await rawClient(portA);
  first.send({ t: 'join', room });
  await first.next('joined');
  const second = await rawClient(portB);
  second.send({ t: 'join', room });
  await second.next('joined');
  await first.next('peer-joined');
  return [first, second] as const;
}

/** The close code a new socket to `port` gets (a full relay refuses it with 1013). */
function closeCodeOfNewSocket(port: number): Promise<number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}`);
    socket.on('error', () => {});
    socket.once('close', resolve);
  });
}

function rawClient(port: number): Promise<RawRelayClient> {
  return rawRelayClient(`ws://127.0.0.1:${port}`);
}

describeRedis(
  'conformance kit on a two-process cluster (each side on its own process, cut by its own proxy)',
  () => {
    let conformanceRedis: TestRedis;
    beforeAll(async () => {
      conformanceRedis = await startRedis();
    });
    afterAll(async () => {
      await conformanceRedis?.stop();
    });
    let counter = 0;
    runConformance(
      async () => {
        const options = { redis: conformanceRedis.url, pingIntervalMs: 0, heartbeatMs: 100 };
        const one = await createRelayServer(options);
        const two = await createRelayServer(options);
        const proxies = { a: await startTcpProxy(one.port), b: await startTcpProxy(two.port) };
        const room = `conformance-${++counter}`;
        const a = new WebSocketSignaling({ url: `ws://127.0.0.1:${proxies.a.port}`, room, WebSocket });
        const b = new WebSocketSignaling({ url: `ws://127.0.0.1:${proxies.b.port}`, room, WebSocket });
        await Promise.all([a.ready, b.ready]);
        return {
          a,
          b,
          leave: (side: 'a' | 'b') => (side === 'a' ? a : b).close(),
          finalize: async (info?: unknown) => {
            await one.finalize(room, info);
          },
          close: async () => {
            await Promise.all([one.close(), two.close()]);
          },
          interrupt: (side: 'a' | 'b') => {
            proxies[side].cut();
          },
          cleanup: async () => {
            await Promise.all([one.close(), two.close(), proxies.a.close(), proxies.b.close()]);
          },
        };
      },
      { cleanup: (pair) => (pair as unknown as { cleanup(): Promise<void> }).cleanup() },
    );
  },
);
