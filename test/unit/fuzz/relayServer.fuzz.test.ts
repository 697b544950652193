import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { isInvalidSignalError } from '../../../src/errors/InvalidSignalError.js';
import {
  type ClusterRelayServer,
  createRelayServer,
  type RelayServer,
} from '../../../src/server/createRelayServer.js';
import { parseSignalMessage } from '../../../src/signaling/parseSignalMessage.js';
import { redisAvailable, startRedis, type TestRedis } from '../../helpers/redisServer.js';

// Fuzzes the relay's frame handling through real `ws` clients on 127.0.0.1, port 0. A fuzzing socket sends
// batches of arbitrary frames into a joined room; a model predicts what the relay must answer (an `error`
// frame of a given code) or relay (the frame's `data`, unchanged, to the partner). A canary room is checked
// after every batch: whatever one client sends, the relay keeps running and other rooms are undisturbed.
// Same knob as the parser fuzz: HANGUP_FUZZ_RUNS (`npm run fuzz -- --runs N`); a case is one frame.

// The relay answers hostile frames and logs some at `error` (deeply nested JSON overflows the stack in its
// frame handler); that is the relay's to judge, not a session problem, so its default logger stays silent.
vi.unmock('../../../src/logger.js');

// Frames are slower than in-process parses (~1 ms each through the relay), so the default run is smaller.
const FUZZ_RUNS = Number(process.env.HANGUP_FUZZ_RUNS ?? 600);
/** Frames per case: fixed, so N runs is exactly N frames (plus one marker per case). */
/** Frames per case: fixed, so N runs are exactly N frames (plus one marker per case). */
const BATCH = 10;
const TIMEOUT_MS = Math.max(60_000, FUZZ_RUNS * 5);
const MAX_FRAME_BYTES = 512 * 1024;
const SERVER_FRAME_TYPES = new Set(['joined', 'peer-joined', 'signal', 'peer-left', 'finalize', 'error']);

/** A client socket that queues what it receives, so tests can await the next frame. */
class Client {
  readonly socket: WebSocket;
  readonly frames: Record<string, unknown>[] = [];
  readonly malformed: string[] = [];
  closeCode: number | undefined;
  #waiters: (() => void)[] = [];

  constructor(url: string) {
    this.socket = new WebSocket(url);
    this.socket.on('message', (raw, isBinary) => {
      const text = raw.toString();
      let frame: unknown;
      try {
        frame = JSON.parse(text);
      } catch {
        this.malformed.push(text.slice(0, 80));
        return;
      }
      if (
        isBinary ||
        frame === null ||
        typeof frame !== 'object' ||
        !SERVER_FRAME_TYPES.has((frame as { t?: string }).t ?? '')
      ) {
        this.malformed.push(text.slice(0, 80));
      } else {
        this.frames.push(frame as Record<string, unknown>);
      }
      this.#wake();
    });
    this.socket.on('close', (code) => {
      this.closeCode = code;
      this.#wake();
    });
    this.socket.on('error', () => {});
  }

  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
    });
  }

  /** Waits until a frame matching `predicate` has arrived; returns it and drops everything before it. */
  async next(
    predicate: (frame: Record<string, unknown>) => boolean,
    what: string,
  ): Promise<Record<string, unknown>[]> {
    for (;;) {
      const index = this.frames.findIndex(predicate);
      if (index >= 0) return this.frames.splice(0, index + 1);
      if (this.closeCode !== undefined)
        throw new Error(`socket closed (${this.closeCode}) while waiting for ${what}`);
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  async join(room: string): Promise<void> {
    this.socket.send(JSON.stringify({ t: 'join', room }));
    await this.next((frame) => frame.t === 'joined', 'joined');
  }

  #wake(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }
}

/** What the relay must do with one text frame from a joined socket, computed from the text alone. */
type Expected = { kind: 'error'; code: string } | { kind: 'relay'; data: string };

function expectedFor(frame: string | Buffer): Expected {
  if (typeof frame !== 'string') return { kind: 'error', code: 'bad-frame' };
  // What arrives is the UTF-8 encoding (lone surrogates become U+FFFD).
  const text = Buffer.from(frame, 'utf8').toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'error', code: 'bad-frame' };
  }
  const t = parsed !== null && typeof parsed === 'object' ? (parsed as { t?: unknown }).t : undefined;
  if (t === 'join') return { kind: 'error', code: 'already-joined' };
  if (t !== 'signal' || !('data' in (parsed as object))) return { kind: 'error', code: 'bad-frame' };
  const data = (parsed as { data: unknown }).data;
  try {
    return { kind: 'relay', data: JSON.stringify({ t: 'signal', data }) };
  } catch {
    // Nested too deeply for JSON.stringify (the fuzz uses 150 000 levels, far past any stack): the relay cannot
    // re-encode it and must report a bad frame rather than crash.
    return { kind: 'error', code: 'bad-frame' };
  }
}

const key = fc.oneof(
  fc.constantFrom('t', 'data', 'room', '__proto__', 'constructor', 'prototype', 'toString', 'type', 'sdp'),
  fc.string({ maxLength: 5 }),
);
const jsonish = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue({ maxDepth: 1 }),
    fc.dictionary(key, tie('value'), { maxKeys: 5 }),
    fc.array(tie('value'), { maxLength: 4 }),
  ),
})).value;
const validSignal = fc.constantFrom(
  { type: 'description', description: { type: 'offer', sdp: 'v=0\r\n' } },
  { type: 'candidate', candidate: null },
  { type: 'bye', reason: 'hangup' },
  { type: 'mute', kind: 'video', muted: true },
);

/** Arbitrary frames: JSON of every shape, hostile keys, broken text, binary, deep nesting, huge strings. */
const frameArb: fc.Arbitrary<string | Buffer> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .record({ t: fc.constant('signal'), data: fc.oneof(jsonish, validSignal) })
      .map((frame) => JSON.stringify(frame)),
  },
  {
    weight: 3,
    arbitrary: fc
      .record(
        {
          t: fc.oneof(fc.constantFrom('signal', 'join', 'bogus', 'Signal', ''), jsonish),
          data: jsonish,
          room: jsonish,
        },
        { requiredKeys: [] },
      )
      .map((frame) => JSON.stringify(frame)),
  },
  { weight: 2, arbitrary: jsonish.map((value) => JSON.stringify(value) ?? 'null') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '{"t":"signal","data":{"__proto__":{"polluted":true}}}',
      '{"__proto__":{"t":"signal"},"data":1}',
      '{"t":"join","t":"signal","data":"last key wins"}',
      '{"t":"signal","data":{"constructor":{"prototype":{"x":1}}}}',
      '{"t":"signal"}',
      '{"t":"signal","data":null}',
      '{"t":"join","room":"canary"}',
      '{"t":"join","room":""}',
      '[]',
      '"t"',
      '',
      '{',
      '\u0000',
      '{"t":"signal","data":"\\ud800"}',
    ),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(10, 1_000, 150_000)
      .map((depth) => `{"t":"signal","data":${'['.repeat(depth)}${']'.repeat(depth)}}`),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(1_000, 100_000, MAX_FRAME_BYTES - 64)
      .map(
        (size) =>
          `{"t":"signal","data":{"type":"description","description":{"type":"offer","sdp":"${'a'.repeat(size - 80)}"}}}`,
      ),
  },
);

// The same guarantees in cluster mode, on a real redis-server: frames then go through Lua scripts and pub/sub.
// Without redis-server outside CI only the single-process suite runs (the helper prints why).
const MODES = redisAvailable ? ['single process', 'cluster (redis)'] : ['single process'];

describe.each(MODES)('relay server fuzz: frame handling (%s)', (mode) => {
  const cluster = mode !== 'single process';
  let redis: TestRedis | undefined;
  let relay: RelayServer | ClusterRelayServer;
  let url: string;
  let fuzzer: Client;
  let partner: Client;
  const canary: Client[] = [];
  let canarySeq = 0;

  beforeAll(async () => {
    if (cluster) redis = await startRedis();
    // Rate limiting is tested on its own below; here it would only cut the fuzz short.
    const options = {
      port: 0,
      maxMessagesPerSecond: 1e9,
      pingIntervalMs: 0,
      maxFrameBytes: MAX_FRAME_BYTES,
    };
    relay = redis
      ? await createRelayServer({ ...options, redis: redis.url })
      : await createRelayServer(options);
    url = `ws://127.0.0.1:${relay.port}`;
    fuzzer = new Client(url);
    partner = new Client(url);
    canary.push(new Client(url), new Client(url));
    await Promise.all([fuzzer.open(), partner.open(), ...canary.map((client) => client.open())]);
    await fuzzer.join('fuzz');
    await partner.join('fuzz');
    await canary[0]?.join('canary');
    await canary[1]?.join('canary');
    // `peer-joined` notices from the setup are not answers to fuzz frames.
    await fuzzer.next((frame) => frame.t === 'peer-joined', 'peer-joined');
  });

  afterAll(async () => {
    await relay?.close();
    await redis?.stop();
  });

  /** The canary room still relays, intact, in both directions. */
  async function checkCanary(): Promise<void> {
    const [one, two] = canary as [Client, Client];
    const seq = ++canarySeq;
    one.socket.send(
      JSON.stringify({ t: 'signal', data: { type: 'bye', reason: 'hangup', callId: `c${seq}` } }),
    );
    const [got] = (await two.next((frame) => frame.t === 'signal', 'canary signal')).slice(-1);
    expect(got).toEqual({ t: 'signal', data: { type: 'bye', reason: 'hangup', callId: `c${seq}` } });
    expect(one.malformed).toEqual([]);
    expect(two.frames.filter((frame) => frame.t !== 'signal')).toEqual([]);
  }

  it(
    'answers every frame as the protocol says, relays data unchanged, and never disturbs another room',
    async () => {
      let batches = 0;
      let framesSent = 0;
      let marker = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(frameArb, { minLength: BATCH, maxLength: BATCH }), async (frames) => {
          batches++;
          framesSent += frames.length;
          const expected = frames.map(expectedFor);
          for (const frame of frames) fuzzer.socket.send(frame, { binary: typeof frame !== 'string' });
          // A marker relayed to the partner, echoed back: once it returns, every answer to the batch is in.
          const id = ++marker;
          fuzzer.socket.send(JSON.stringify({ t: 'signal', data: { marker: id } }));
          const relayed = await partner.next(
            (frame) => (frame.data as { marker?: number } | null)?.marker === id,
            'marker',
          );
          partner.socket.send(JSON.stringify({ t: 'signal', data: { echo: id } }));
          const answers = await fuzzer.next(
            (frame) => (frame.data as { echo?: number } | null)?.echo === id,
            'echo',
          );

          const wantErrors = expected.flatMap((e) => (e.kind === 'error' ? [e.code] : []));
          const wantRelayed = expected.flatMap((e) => (e.kind === 'relay' ? [e.data] : []));
          const gotErrors = answers.slice(0, -1).map((frame) => {
            expect(frame.t).toBe('error');
            expect(typeof frame.message).toBe('string');
            return frame.code;
          });
          const gotRelayed = relayed.slice(0, -1).map((frame) => JSON.stringify(frame));
          expect(gotRelayed).toEqual(wantRelayed);
          expect(gotErrors).toEqual(wantErrors);
          // The partner treats relayed data as untrusted: a valid message or InvalidSignalError, nothing else.
          for (const frame of relayed.slice(0, -1)) {
            try {
              parseSignalMessage(frame.data);
            } catch (error) {
              expect(isInvalidSignalError(error)).toBe(true);
            }
          }
          expect(fuzzer.malformed).toEqual([]);
          expect(partner.malformed).toEqual([]);
          expect(fuzzer.closeCode).toBeUndefined();
          if (batches % 10 === 1) await checkCanary();
        }),
        { numRuns: Math.max(1, Math.ceil(FUZZ_RUNS / BATCH)) },
      );
      await checkCanary();
      expect(framesSent).toBeGreaterThanOrEqual(FUZZ_RUNS);
      process.stdout.write(`relay fuzz: ${framesSent} frames in ${batches} batches\n`);
    },
    TIMEOUT_MS,
  );

  it(
    'answers every ping with its own payload, in order, amid arbitrary frames (the relay answers pings itself)',
    async () => {
      const pinger = new Client(url);
      await pinger.open();
      await pinger.join('pings');
      const pongs: string[] = [];
      pinger.socket.on('pong', (payload) => pongs.push(payload.toString('hex')));
      const step = fc.oneof(
        {
          weight: 2,
          arbitrary: fc.uint8Array({ maxLength: 125 }).map((bytes) => ({ ping: Buffer.from(bytes) })),
        },
        { weight: 1, arbitrary: frameArb.map((frame) => ({ frame })) },
      );
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: BATCH }), async (steps) => {
          pongs.length = 0;
          const want: string[] = [];
          for (const one of steps) {
            if ('ping' in one) {
              pinger.socket.ping(one.ping);
              want.push(one.ping.toString('hex'));
            } else {
              pinger.socket.send(one.frame, { binary: typeof one.frame !== 'string' });
            }
          }
          // The last pong answers the last ping; frames in between do not delay or drop any.
          const marker = Buffer.from(`end-${want.length}`);
          pinger.socket.ping(marker);
          want.push(marker.toString('hex'));
          while (pongs.length < want.length && pinger.closeCode === undefined) {
            await new Promise((resolve) => setTimeout(resolve, 1));
          }
          expect(pinger.closeCode).toBeUndefined();
          expect(pongs).toEqual(want);
        }),
        { numRuns: Math.min(300, Math.max(20, Math.ceil(FUZZ_RUNS / 20))) },
      );
      pinger.socket.terminate();
      await checkCanary();
    },
    TIMEOUT_MS,
  );

  it('closes only the offending socket for an oversized frame; the others keep relaying', async () => {
    const victim = new Client(url);
    await victim.open();
    await victim.join('oversize');
    victim.socket.send('x'.repeat(MAX_FRAME_BYTES + 1));
    await expect(victim.next(() => false, 'close')).rejects.toThrow(/closed \(1009\)/);
    await checkCanary();
  });

  it(
    'survives arbitrary frames from sockets that have not joined, including joins of full rooms',
    async () => {
      const joinOrJunk = fc.oneof(
        frameArb,
        fc
          .oneof(
            fc.constantFrom('canary', 'fuzz', '__proto__', 'constructor', 'a'.repeat(129)),
            fc.string({ maxLength: 8 }),
          )
          .map((room) => JSON.stringify({ t: 'join', room })),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(joinOrJunk, { minLength: 1, maxLength: 8 }), async (frames) => {
          const stranger = new Client(url);
          await stranger.open();
          for (const frame of frames) stranger.socket.send(frame, { binary: typeof frame !== 'string' });
          stranger.socket.send('{"t":"bogus"}');
          // Every answer is a protocol frame; a full room refuses and closes (4001) rather than admitting a third.
          await stranger
            .next((frame) => frame.t === 'error' && frame.code === 'bad-frame', 'last answer')
            .catch((error: Error) => {
              expect(error.message).toMatch(/closed \(4001\)/);
            });
          expect(stranger.malformed).toEqual([]);
          stranger.socket.terminate();
          await checkCanary();
        }),
        { numRuns: Math.min(200, Math.max(20, Math.ceil(FUZZ_RUNS / 50))) },
      );
    },
    TIMEOUT_MS,
  );
});
