// @vitest-environment node
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { ClusterRooms, ClusterRoomsOptions } from '../../../src/server/cluster/ClusterRooms.js';
import { clusterProcesses } from '../../helpers/clusterProcesses.js';
import { FakeConnection } from '../../helpers/fakeRelayConnection.js';
import { describeRedis, startRedis, type TestRedis } from '../../helpers/redisServer.js';

// ClusterRooms at the lowest level that still runs the real scripts: fake connections, a real redis-server, two
// "processes" (two ClusterRooms, each with its own Redis connections and process id).

let redis: TestRedis;
let inspector: Redis;
const cleanups: (() => unknown)[] = [];
let prefixCounter = 0;
let prefix = '';

describeRedis('ClusterRooms (real redis-server)', () => {
  beforeAll(async () => {
    redis = await startRedis();
    inspector = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await inspector.connect();
  });
  afterAll(async () => {
    inspector?.disconnect();
    await redis?.stop();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** Two processes sharing a fresh key prefix. */
  async function processes(extra: Partial<ClusterRoomsOptions> = {}): Promise<[ClusterRooms, ClusterRooms]> {
    prefix = `cr${++prefixCounter}:`;
    return clusterProcesses(redis.url, prefix, (rooms) => cleanups.push(() => rooms.close()), extra);
  }

  /** `a` (resumable) on process one and `b` on process two, paired; a has been told of b. */
  async function paired(one: ClusterRooms, two: ClusterRooms, room: string) {
    const a = new FakeConnection();
    await one.join(a, room, true);
    const b = new FakeConnection();
    await two.join(b, room, false);
    await until(() => a.types().includes('peer-joined'), 'a told of b');
    return { a, b, token: a.frames[0]!.token as string };
  }

  /**
   * Puts a frame into member `token`'s outbox in Redis as the `forward` script would, but publishes nothing: the
   * publish that would have carried it is lost.
   */
  async function lostPublish(token: string, data: unknown): Promise<number> {
    const id = (await inspector.get(`${prefix}tok:${token}`)) as string;
    const n = (await inspector.hincrby(`${prefix}m:${id}`, 'out', 1)) as number;
    const frame = `{"t":"signal","n":${n},"data":${JSON.stringify(data)}}`;
    await inspector.hincrby(`${prefix}m:${id}`, 'bytes', frame.length);
    await inspector.rpush(`${prefix}ob:${id}`, `${n}:${frame}`);
    return n;
  }

  const signals = (conn: FakeConnection) =>
    conn.frames.filter((frame) => frame.t === 'signal').map((frame) => [frame.n, frame.data]);

  it("a member away while its partner leaves and another joins gets, at resume, the partner's frames, peer-left, then the newcomer's (as LocalRooms)", async () => {
    const [one, two] = await processes();
    const { a, b, token } = await paired(one, two, 'swap');
    await one.disconnect(a, false);
    await two.signal(b, 'from b', undefined);
    await two.disconnect(b, true);
    const c = new FakeConnection();
    await two.join(c, 'swap', false);
    expect(c.frames[0]).toMatchObject({ t: 'joined', peers: 1 });
    // c's offer goes to a's outbox: a must not take it for a renegotiation from b.
    await two.signal(c, 'offer from c', undefined);
    const aBack = new FakeConnection();
    await one.resume(aBack, 'swap', token, 0);
    // Any frame already published for a would be delivered by now; give a stray one the time to show.
    await pause(100);
    expect(aBack.frames[0]).toMatchObject({ t: 'resumed', peers: 1 });
    expect(aBack.frames.slice(1)).toEqual([
      { t: 'signal', n: 1, data: 'from b' },
      { t: 'peer-left', n: 2 },
      { t: 'signal', n: 3, data: 'offer from c' },
    ]);
    expect(aBack.partners).toEqual([true]);
    // And they are partners: what c sends next reaches a.
    await two.signal(c, 'later', undefined);
    await until(() => signals(aBack).length === 3, 'c → a');
    expect(signals(aBack).at(-1)).toEqual([4, 'later']);
    // The departure is numbered: a later resume that had not got that far is told it again, at its place...
    await one.disconnect(aBack, false);
    const aAgain = new FakeConnection();
    await one.resume(aAgain, 'swap', aBack.frames[0]!.token as string, 1);
    await pause(100);
    expect(aAgain.types()).toEqual(['resumed', 'peer-left', 'signal', 'signal']);
    // ...and one past it (it arrived) is not: told once.
    await one.disconnect(aAgain, false);
    const aOnceMore = new FakeConnection();
    await one.resume(aOnceMore, 'swap', aAgain.frames[0]!.token as string, 2);
    await pause(100);
    expect(aOnceMore.frames.slice(1).map((f) => f.n)).toEqual([3, 4]);
  });

  it("a half-open member (its socket looks open) whose partner leaves gets, at resume, the partner's frames, peer-left, then the newcomer's (as LocalRooms)", async () => {
    const [one, two] = await processes();
    const { a, b, token } = await paired(one, two, 'halfopen');
    // a's socket died without the relay noticing: it still looks open, and what is sent into it is lost.
    await two.signal(b, 'from b', undefined);
    await two.disconnect(b, true);
    const c = new FakeConnection();
    await two.join(c, 'halfopen', false);
    await two.signal(c, 'offer from c', undefined);
    await until(() => signals(a).length === 2, "c's offer published to a's dead socket");
    expect(a.open).toBe(true);
    // a's client got nothing of that; it resumes on a new connection with the last number it got (none).
    const aBack = new FakeConnection();
    await one.resume(aBack, 'halfopen', token, 0);
    await pause(100);
    expect(a.terminated).toBe(true);
    expect(aBack.frames[0]).toMatchObject({ t: 'resumed', peers: 1 });
    expect(aBack.frames.slice(1)).toEqual([
      { t: 'signal', n: 1, data: 'from b' },
      { t: 'peer-left', n: 2 },
      { t: 'signal', n: 3, data: 'offer from c' },
    ]);
    // A client that did get the peer-left (its number) before the drop is not told it again.
    await one.disconnect(aBack, false);
    const aAgain = new FakeConnection();
    await one.resume(aAgain, 'halfopen', aBack.frames[0]!.token as string, 2);
    await pause(100);
    expect(aAgain.frames.slice(1)).toEqual([{ t: 'signal', n: 3, data: 'offer from c' }]);
  });

  it('a member away while two partners in turn leave is told each departure where it happened (as LocalRooms)', async () => {
    const [one, two] = await processes();
    const { a, b, token } = await paired(one, two, 'twice');
    await one.disconnect(a, false);
    await two.disconnect(b, true);
    // c comes and goes without sending anything: its departure is told too, each one numbered.
    const c = new FakeConnection();
    await two.join(c, 'twice', false);
    await two.disconnect(c, true);
    const d = new FakeConnection();
    await two.join(d, 'twice', false);
    await two.signal(d, 'from d', undefined);
    await two.disconnect(d, true);
    const e = new FakeConnection();
    await two.join(e, 'twice', false);
    await two.signal(e, 'from e', undefined);
    const aBack = new FakeConnection();
    await one.resume(aBack, 'twice', token, 0);
    await pause(100);
    expect(aBack.frames.slice(1).map((f) => (f.t === 'signal' ? f.data : f.t))).toEqual([
      'peer-left',
      'peer-left',
      'from d',
      'peer-left',
      'from e',
    ]);
    expect(aBack.frames.slice(1).map((f) => f.n)).toEqual([1, 2, 3, 4, 5]);
  });

  it('a member whose outbox is full when its partner leaves loses its place, as in one process', async () => {
    const [one, two] = await processes({ outboxLimits: { maxFrames: 3, maxBytes: 20_000 } });
    const { a, b, token } = await paired(one, two, 'full');
    // Three frames a never acknowledges fill its outbox: no room for a numbered peer-left.
    for (let i = 1; i <= 3; i++) await two.signal(b, i, undefined);
    await two.disconnect(b, true);
    await until(() => a.closedWith !== undefined, 'a loses its place');
    expect(a.frames.at(-1)).toMatchObject({ t: 'error', code: 'slot-lost' });
    expect(a.closedWith).toBe(4101);
    expect(await inspector.keys(`${prefix}room:*`)).toEqual([]);
    const back = new FakeConnection();
    await one.resume(back, 'full', token, 0);
    expect(back.closedWith).toBe(4100);
  });

  it('a resume whose replay would pass maxBufferedBytes gives up the place (slot-lost), as in one process', async () => {
    for (const [budget, refused] of [
      [1 << 20, false],
      [600, true],
    ] as const) {
      const [one, two] = await processes({ maxBufferedBytes: budget });
      const { a, b, token } = await paired(one, two, 'replay');
      await one.disconnect(a, false);
      // Three frames of ~230 bytes: within the outbox's bounds, but 600 bytes cannot carry them and `resumed`.
      for (let i = 0; i < 3; i++) await two.signal(b, 'x'.repeat(200), undefined);
      const back = new FakeConnection();
      await one.resume(back, 'replay', token, 0);
      if (!refused) {
        expect(back.types()).toEqual(['resumed', 'signal', 'signal', 'signal']);
        continue;
      }
      expect(back.types()).toEqual(['error']);
      expect(back.frames[0]).toMatchObject({ code: 'slot-lost' });
      expect(back.closedWith).toBe(4101);
      expect(back.partners).toEqual([]);
      await until(() => b.types().includes('peer-left'), 'b told a left');
      const again = new FakeConnection();
      await one.resume(again, 'replay', token, 0);
      expect(again.closedWith).toBe(4100);
    }
  });

  it('a missed publish is refilled from the outbox when the next frame shows the gap', async () => {
    const [one, two] = await processes();
    const { a, b } = await paired(one, two, 'gap');
    await two.signal(b, 'first', undefined);
    await until(() => signals(a).length === 1, 'first frame');
    await lostPublish(a.frames[0]!.token as string, 'lost');
    await two.signal(b, 'third', undefined);
    await until(() => signals(a).length === 3, 'the lost frame refilled, then the third');
    expect(signals(a)).toEqual([
      [1, 'first'],
      [2, 'lost'],
      [3, 'third'],
    ]);
  });

  it('after its subscriber connection dropped, a process refills its members from their outboxes', async () => {
    const [one, two] = await processes();
    const { a, b } = await paired(one, two, 'resub');
    await two.signal(b, 'first', undefined);
    await until(() => signals(a).length === 1, 'first frame');
    // Published while the subscriber was away: lost; nothing else arrives afterwards to show the gap.
    await lostPublish(a.frames[0]!.token as string, 'lost');
    await inspector.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    await until(() => signals(a).length === 2, 'the lost frame refilled after the re-subscription');
    expect(signals(a)).toEqual([
      [1, 'first'],
      [2, 'lost'],
    ]);
    // Refilled once: the second pass after the re-subscription sends nothing again.
    await pause(400);
    expect(signals(a)).toHaveLength(2);
  });
});

async function until(check: () => boolean, what: string, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await pause(10);
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
