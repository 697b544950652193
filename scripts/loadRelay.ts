/**
 * Load on the relay: signaling-only clients (`WebSocketSignaling`, resumable) exchanging a realistic call's
 * signaling — offer, answer, 8 trickled candidates each way plus end-of-candidates, a mute, a bye — through 1 relay
 * process, then through 3 relay processes sharing a throwaway redis-server (each room's two members on different
 * processes). Rooms are created and ended continuously for a fixed time; then a batch of rooms is held open, idle,
 * to measure the relays' memory per room.
 *
 *   npm run load:relay                                    # 20 s per mode, 250 rooms in flight, 1000 held
 *   npm run load:relay -- --seconds 30 --concurrency 400 --hold 2000
 *
 * Prints, per mode: rooms ended, joins per second, relay round trip (offer sent → answer received, i.e. two
 * relay hops) p50 / p99, heap per held room (relays' heap after a forced GC, held rooms minus baseline, divided by
 * the rooms; in the cluster also Redis's `used_memory` the same way), and errors (any failed join, unexpected close, lost / duplicated / reordered message, or timeout),
 * which must be 0. Exits with code 1 when there was an error.
 */
import { WebSocket } from 'ws';
import { type SignalingEvent, type SignalMessage, WebSocketSignaling } from '../src/index.js';
import { sampleCandidate, sampleSdp } from '../src/testing/conformanceSamples.js';
import { startRedis } from '../test/helpers/redisProcess.js';
import { type RelayNode, startRelayNode } from '../test/helpers/relayNode.js';

const args = process.argv.slice(2);
const option = (flag: string, fallback: number): number => {
  const index = args.indexOf(flag);
  const value = index >= 0 ? Number(args[index + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new TypeError(`${flag} must be a positive integer`);
  return value;
};
const SECONDS = option('--seconds', 20);
const CONCURRENCY = option('--concurrency', 250);
const HOLD = option('--hold', 1000);
const ROOM_TIMEOUT_MS = 15_000;

/** One call's signaling, as a real session sends it. */
function script(side: 'a' | 'b'): SignalMessage[] {
  const candidates: SignalMessage[] = Array.from({ length: 8 }, (_, i) => ({
    type: 'candidate',
    candidate: sampleCandidate(side === 'a' ? i : 100 + i),
  }));
  return [
    ...candidates,
    { type: 'candidate', candidate: null },
    { type: 'mute', kind: 'audio', muted: true },
  ];
}

interface Totals {
  rooms: number;
  joins: number;
  errors: string[];
  rtts: number[];
}

class Client {
  readonly signaling: WebSocketSignaling;
  readonly messages: unknown[] = [];
  readonly unexpected: string[] = [];
  #waiters: (() => void)[] = [];

  constructor(url: string, room: string) {
    this.signaling = new WebSocketSignaling({ url, room, WebSocket });
    this.signaling.subscribe((event: SignalingEvent) => {
      if (event.type === 'message') this.messages.push(event.data);
      else if (event.type !== 'closed' && event.type !== 'peer-left') this.unexpected.push(event.type);
      else if (event.type === 'closed' && event.error) this.unexpected.push(`closed: ${String(event.error)}`);
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  waitFor(count: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out with ${this.messages.length}/${count}`)),
        ROOM_TIMEOUT_MS,
      );
      const check = (): void => {
        if (this.messages.length >= count) {
          clearTimeout(timer);
          resolve();
        } else this.#waiters.push(check);
      };
      check();
    });
  }
}

/** One room from join to bye; resolves when both have closed, recording what went wrong. */
async function runRoom(urlA: string, urlB: string, room: string, totals: Totals, hold?: Promise<void>) {
  const a = new Client(urlA, room);
  const b = new Client(urlB, room);
  try {
    await Promise.all([a.signaling.ready, b.signaling.ready]);
    totals.joins += 2;
    const offer: SignalMessage = {
      type: 'description',
      description: { type: 'offer', sdp: sampleSdp('offer') },
    };
    const answer: SignalMessage = {
      type: 'description',
      description: { type: 'answer', sdp: sampleSdp('answer') },
    };
    const started = performance.now();
    a.signaling.send(offer);
    await b.waitFor(1);
    b.signaling.send(answer);
    await a.waitFor(1);
    totals.rtts.push(performance.now() - started);
    for (const message of script('a')) a.signaling.send(message);
    for (const message of script('b')) b.signaling.send(message);
    const expectedA = [answer, ...script('b')];
    const expectedB = [offer, ...script('a')];
    await Promise.all([a.waitFor(expectedA.length), b.waitFor(expectedB.length)]);
    if (hold) await hold;
    a.signaling.send({ type: 'bye', reason: 'hangup' });
    await b.waitFor(expectedB.length + 1);
    expectedB.push({ type: 'bye', reason: 'hangup' });
    if (JSON.stringify(a.messages) !== JSON.stringify(expectedA))
      totals.errors.push(`${room}: a got other messages`);
    if (JSON.stringify(b.messages) !== JSON.stringify(expectedB))
      totals.errors.push(`${room}: b got other messages`);
    for (const client of [a, b])
      for (const event of client.unexpected) totals.errors.push(`${room}: ${event}`);
    totals.rooms++;
  } catch (error) {
    totals.errors.push(`${room}: ${(error as Error).message}`);
  } finally {
    a.signaling.close();
    b.signaling.close();
  }
}

async function heap(relays: RelayNode[]): Promise<number> {
  const sizes = await Promise.all(
    relays.map(
      (relay) =>
        new Promise<number>((resolve) => {
          relay.child.once('message', (message) => resolve((message as { memory: number }).memory));
          relay.child.send('memory');
        }),
    ),
  );
  return sizes.reduce((sum, size) => sum + size, 0);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Redis's `used_memory`, or 0 without Redis. */
async function redisMemory(url: string | undefined): Promise<number> {
  if (!url) return 0;
  const { Redis } = await import('ioredis');
  const client = new Redis(url);
  try {
    const info = await client.info('memory');
    return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
  } finally {
    await client.quit();
  }
}

async function measure(mode: string, relays: RelayNode[], redisUrl?: string) {
  const urls = relays.map((relay) => `ws://127.0.0.1:${relay.port}`);
  const totals: Totals = { rooms: 0, joins: 0, errors: [], rtts: [] };
  let counter = 0;
  const pick = (i: number) => urls[i % urls.length]!;
  // Churn: CONCURRENCY rooms in flight; each finished room is replaced until the time is up.
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  const lane = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const n = counter++;
      // In the cluster the two members of a room are on different processes.
      await runRoom(pick(n), pick(n + 1), `${mode}-${n}`, totals);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  const elapsed = (performance.now() - started) / 1000;
  const churn = { ...totals, elapsed };
  // Memory: HOLD rooms negotiated and idle, compared with the relays' heap without them.
  const baseline = await heap(relays);
  const redisBaseline = await redisMemory(redisUrl);
  let release!: () => void;
  const hold = new Promise<void>((resolve) => {
    release = resolve;
  });
  const held: Totals = { rooms: 0, joins: 0, errors: [], rtts: [] };
  const holding = Array.from({ length: HOLD }, (_, n) =>
    runRoom(pick(n), pick(n + 1), `${mode}-hold-${n}`, held, hold),
  );
  const joined = (): boolean => held.rtts.length + held.errors.length >= HOLD;
  while (!joined()) await new Promise((resolve) => setTimeout(resolve, 50));
  await new Promise((resolve) => setTimeout(resolve, 500));
  const loaded = await heap(relays);
  const redisLoaded = await redisMemory(redisUrl);
  release();
  await Promise.all(holding);
  return {
    mode,
    rooms: churn.rooms,
    joinsPerSecond: churn.joins / churn.elapsed,
    p50: percentile(churn.rtts, 50),
    p99: percentile(churn.rtts, 99),
    bytesPerRoom: (loaded - baseline) / HOLD,
    redisBytesPerRoom: redisUrl ? (redisLoaded - redisBaseline) / HOLD : undefined,
    errors: [...churn.errors, ...held.errors],
  };
}

async function main(): Promise<void> {
  const relayOptions = { maxConnections: 100_000, pingIntervalMs: 0 };
  const results = [];
  {
    const relay = await startRelayNode(relayOptions);
    try {
      results.push(await measure('1 process', [relay]));
    } finally {
      await relay.kill();
    }
  }
  {
    const redis = await startRedis();
    const relays = await Promise.all(
      Array.from({ length: 3 }, () => startRelayNode({ ...relayOptions, redis: redis.url })),
    );
    try {
      results.push(await measure('3 processes + redis', relays, redis.url));
    } finally {
      await Promise.all(relays.map((relay) => relay.kill()));
      await redis.stop();
    }
  }
  process.stdout.write(
    `\nrelay load: ${SECONDS} s per mode, ${CONCURRENCY} rooms in flight (${2 * CONCURRENCY} sockets), ${HOLD} rooms held for memory (${2 * HOLD} sockets)\n\n`,
  );
  process.stdout.write(
    '| mode | rooms ended | joins/s | round trip p50 | round trip p99 | relay heap per held room | Redis memory per held room | errors |\n',
  );
  process.stdout.write('|---|---|---|---|---|---|---|---|\n');
  for (const r of results) {
    process.stdout.write(
      `| ${r.mode} | ${r.rooms} | ${r.joinsPerSecond.toFixed(0)} | ${r.p50.toFixed(1)} ms | ${r.p99.toFixed(1)} ms | ${(r.bytesPerRoom / 1024).toFixed(1)} KiB | ${r.redisBytesPerRoom === undefined ? '—' : `${(r.redisBytesPerRoom / 1024).toFixed(1)} KiB`} | ${r.errors.length} |\n`,
    );
  }
  const errors = results.flatMap((r) => r.errors);
  for (const error of errors.slice(0, 20)) process.stdout.write(`error: ${error}\n`);
  if (errors.length > 0) process.exitCode = 1;
}

await main();
