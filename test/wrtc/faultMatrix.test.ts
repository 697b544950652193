import wrtc from '@roamhq/wrtc';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CallSession,
  type CallSessionOptions,
  createInMemorySignalingPair,
  type EndReason,
  type HangupError,
  type InMemorySignalingOptions,
  type RtcRuntime,
  type SignalingAdapter,
} from '../../src/index.js';
import { assertReleased } from '../../src/testing/index.js';

// The fault matrix: real @roamhq/wrtc sessions under one injected fault each. For every fault the call either
// connects or ends with the expected reason, and the bound is the session's own timer (connectTimeoutMs, or the
// ICE grace + restart budget for a vanished peer), never a wall-clock assertion. Afterwards nothing is live: no
// session resource, no local track, no open peer connection. Scenarios run concurrently to keep the file short.

/** The bound every non-connecting scenario is held to: the session's own connect timer. */
const CONNECT_TIMEOUT_MS = 4_000;
/** vitest's limit per scenario: the bound plus room for a slow CI machine. Not an assertion on timing. */
const SCENARIO_LIMIT_MS = 30_000;

/** One side's view of the runtime: every track handed out and every peer connection made. */
interface Tracked {
  runtime: RtcRuntime;
  tracks: MediaStreamTrack[];
  pcs: RTCPeerConnection[];
  /** Tracks of acquisitions that resolved (late ones included), for the "stopped on arrival" check. */
  lateTracks: MediaStreamTrack[];
}

type GumFault = 'denied' | 'hanging' | { lateMs: number };

function trackedRuntime(faults: { gum?: GumFault; setRemoteDescription?: 'always' | 'once' } = {}): Tracked {
  const tracked: Tracked = {
    runtime: undefined as unknown as RtcRuntime,
    tracks: [],
    pcs: [],
    lateTracks: [],
  };
  let srdFailures =
    faults.setRemoteDescription === 'always'
      ? Number.POSITIVE_INFINITY
      : faults.setRemoteDescription === 'once'
        ? 1
        : 0;
  class TrackedPeerConnection extends wrtc.RTCPeerConnection {
    constructor(configuration?: RTCConfiguration) {
      super(configuration);
      tracked.pcs.push(this as unknown as RTCPeerConnection);
    }
    override setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
      if (srdFailures > 0) {
        srdFailures--;
        return Promise.reject(new DOMException('injected setRemoteDescription failure', 'OperationError'));
      }
      return super.setRemoteDescription(description as never) as Promise<void>;
    }
  }
  const acquire = async (constraints: MediaStreamConstraints): Promise<MediaStream> => {
    const stream = (await wrtc.getUserMedia(constraints)) as unknown as MediaStream;
    tracked.tracks.push(...stream.getTracks());
    return stream;
  };
  tracked.runtime = {
    RTCPeerConnection: TrackedPeerConnection as unknown as RtcRuntime['RTCPeerConnection'],
    getUserMedia: (constraints) => {
      const gum = faults.gum;
      if (gum === 'denied') return Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
      if (gum === 'hanging') return new Promise<MediaStream>(() => {});
      if (gum && typeof gum === 'object') {
        return new Promise<MediaStream>((resolve, reject) => {
          setTimeout(() => {
            acquire(constraints).then((stream) => {
              tracked.lateTracks.push(...stream.getTracks());
              resolve(stream);
            }, reject);
          }, gum.lateMs);
        });
      }
      return acquire(constraints);
    },
  };
  return tracked;
}

/** Wraps an adapter so `send` throws: always, or for a seeded fraction of messages. */
function throwingSend(inner: SignalingAdapter, rate: number, seed: number): SignalingAdapter {
  let state = seed >>> 0;
  const random = (): number => {
    state = (Math.imul(state ^ (state >>> 15), 2246822519) + 0x6d2b79f5) >>> 0;
    return state / 4294967296;
  };
  return {
    send: (message) => {
      if (rate >= 1 || random() < rate) throw new Error(`injected send failure (${message.type})`);
      return inner.send(message);
    },
    subscribe: (listener) => inner.subscribe(listener),
  };
}

/** Wraps an adapter that can be silenced in both directions, as a crashed peer's would be. */
function silenceable(inner: SignalingAdapter): SignalingAdapter & { silence(): void } {
  let silent = false;
  return {
    silence: () => {
      silent = true;
    },
    send: (message) => (silent ? undefined : inner.send(message)),
    subscribe: (listener) => inner.subscribe((event) => (silent ? undefined : listener(event))),
  };
}

interface Side {
  session: CallSession;
  tracked: Tracked;
  errors: HangupError[];
}

interface Scenario {
  name: string;
  pair?: InMemorySignalingOptions;
  a?: { gum?: GumFault; setRemoteDescription?: 'always' | 'once'; sendFailureRate?: number };
  options?: Partial<CallSessionOptions>;
  /** 'connect': must connect. Otherwise the end reasons allowed for A and B if the call does not connect. */
  expect: 'connect' | { a: EndReason[]; b: EndReason[]; mayConnect: boolean };
  /** Error codes A must have reported. */
  aErrors?: string[];
}

const TIMEOUT_END: EndReason[] = ['connect-timeout', 'remote-hangup'];

const SCENARIOS: Scenario[] = [
  { name: 'no fault (baseline)', expect: 'connect' },
  ...[1, 2, 3].map(
    (seed): Scenario => ({
      name: `signaling drop 10 % (seed ${seed})`,
      pair: { dropRate: 0.1, seed, latencyMs: 5 },
      expect: { a: TIMEOUT_END, b: TIMEOUT_END, mayConnect: true },
    }),
  ),
  ...[1, 2, 3].map(
    (seed): Scenario => ({
      name: `signaling drop 30 % (seed ${seed})`,
      pair: { dropRate: 0.3, seed, latencyMs: 5 },
      expect: { a: TIMEOUT_END, b: TIMEOUT_END, mayConnect: true },
    }),
  ),
  { name: 'duplication 50 %', pair: { duplicateRate: 0.5, seed: 5, latencyMs: 5 }, expect: 'connect' },
  { name: 'reordering', pair: { reorder: true, seed: 9, latencyMs: 20 }, expect: 'connect' },
  { name: 'latency 200 ms', pair: { latencyMs: 200 }, expect: 'connect' },
  {
    name: 'latency 200 ms + reordering + duplication',
    pair: { latencyMs: 200, reorder: true, duplicateRate: 0.3, seed: 4 },
    expect: 'connect',
  },
  {
    name: 'send always throwing on A',
    a: { sendFailureRate: 1 },
    expect: { a: ['connect-timeout'], b: ['connect-timeout'], mayConnect: false },
    aErrors: ['SEND_FAILED'],
  },
  {
    name: 'send throwing on A for 30 % of messages',
    a: { sendFailureRate: 0.3 },
    expect: { a: TIMEOUT_END, b: TIMEOUT_END, mayConnect: true },
  },
  {
    name: 'getUserMedia denied on A',
    a: { gum: 'denied' },
    expect: { a: ['media-error'], b: ['remote-hangup'], mayConnect: false },
  },
  {
    name: 'getUserMedia hanging on A',
    a: { gum: 'hanging' },
    expect: { a: ['connect-timeout'], b: ['remote-hangup', 'connect-timeout'], mayConnect: false },
  },
  {
    name: 'getUserMedia late (after the connect timeout) on A',
    a: { gum: { lateMs: CONNECT_TIMEOUT_MS + 500 } },
    expect: { a: ['connect-timeout'], b: ['remote-hangup', 'connect-timeout'], mayConnect: false },
  },
  { name: 'getUserMedia late (within the bound) on A', a: { gum: { lateMs: 800 } }, expect: 'connect' },
  {
    name: 'setRemoteDescription always rejecting on A',
    a: { setRemoteDescription: 'always' },
    expect: {
      a: ['connect-timeout', 'remote-hangup'],
      b: ['connect-timeout', 'remote-hangup'],
      mayConnect: false,
    },
    aErrors: ['NEGOTIATION_FAILED'],
  },
  {
    name: 'setRemoteDescription rejecting once on A',
    a: { setRemoteDescription: 'once' },
    expect: { a: TIMEOUT_END, b: TIMEOUT_END, mayConnect: true },
    aErrors: ['NEGOTIATION_FAILED'],
  },
];

/** Figures for docs/reliability.md, printed at the end. */
const results: string[] = [];
afterAll(() => {
  process.stdout.write(`fault matrix:\n${results.sort().join('\n')}\n`);
});

function makeSide(
  signaling: SignalingAdapter,
  polite: boolean,
  tracked: Tracked,
  options: Partial<CallSessionOptions>,
): Side {
  const session = new CallSession({
    signaling,
    polite,
    runtime: tracked.runtime,
    connectTimeoutMs: CONNECT_TIMEOUT_MS,
    endOnPageHide: false,
    ...options,
  });
  const side: Side = { session, tracked, errors: [] };
  session.on('error', (error) => side.errors.push(error));
  return side;
}

/** Connected, or the first end. */
async function outcome(a: Side, b: Side): Promise<'connected' | 'ended'> {
  const connected = Promise.all([a.session.start(), b.session.start()]).then(
    () => 'connected' as const,
    () => 'ended' as const,
  );
  return connected;
}

/** Nothing live: session resources, local tracks (late ones included), peer connections. */
function expectNothingLive(side: Side): void {
  expect(side.session.state).toBe('ended');
  assertReleased(side.session);
  expect(side.tracked.tracks.filter((track) => track.readyState !== 'ended')).toEqual([]);
  expect(side.tracked.pcs.filter((pc) => pc.signalingState !== 'closed')).toEqual([]);
  // @roamhq/wrtc can crash at exit while stopped tracks or closed connections are still reachable.
  side.tracked.tracks.length = 0;
  side.tracked.pcs.length = 0;
  side.tracked.lateTracks.length = 0;
}

describe.concurrent('fault matrix (@roamhq/wrtc)', () => {
  it.each(SCENARIOS)(
    '$name',
    async (scenario) => {
      const pair = createInMemorySignalingPair(scenario.pair ?? {});
      const trackedA = trackedRuntime(scenario.a ?? {});
      const trackedB = trackedRuntime();
      const signalingA =
        scenario.a?.sendFailureRate !== undefined
          ? throwingSend(pair.a, scenario.a.sendFailureRate, 77)
          : pair.a;
      const a = makeSide(signalingA, true, trackedA, scenario.options ?? {});
      const b = makeSide(pair.b, false, trackedB, scenario.options ?? {});
      try {
        const result = await outcome(a, b);
        if (scenario.expect === 'connect') {
          expect(result).toBe('connected');
        } else if (result === 'ended') {
          // A side that did not connect ended for an expected reason; the other follows (bye or its own timer).
          // Only a side that did connect (its peer's bye lost) may outlive that bound; it is hung up here.
          await Promise.race([
            Promise.all([a.session.ended, b.session.ended]),
            new Promise((resolve) => setTimeout(resolve, CONNECT_TIMEOUT_MS + 1_000)),
          ]);
          for (const side of [a, b]) {
            if (side.session.state === 'ended') continue;
            expect(side.session.state).toBe('connected');
            side.session.end();
          }
          const [endA, endB] = await Promise.all([a.session.ended, b.session.ended]);
          expect([...scenario.expect.a, 'hangup']).toContain(endA.reason);
          expect([...scenario.expect.b, 'hangup']).toContain(endB.reason);
          expect(endA.reason !== 'hangup' || endB.reason !== 'hangup').toBe(true);
        } else {
          expect(scenario.expect.mayConnect).toBe(true);
        }
        for (const code of scenario.aErrors ?? [])
          expect(a.errors.map((error) => error.code)).toContain(code);
        if (result === 'connected') {
          a.session.end();
          // With lossy signaling the bye may be lost: B then ends by its own hang-up here.
          b.session.end();
        }
        const [endA, endB] = await Promise.all([a.session.ended, b.session.ended]);
        if (typeof scenario.a?.gum === 'object' && scenario.a.gum.lateMs > CONNECT_TIMEOUT_MS) {
          // The acquisition arrives after the end: its tracks are stopped on arrival, never exposed.
          await new Promise((resolve) =>
            setTimeout(
              resolve,
              scenario.a?.gum && typeof scenario.a.gum === 'object'
                ? scenario.a.gum.lateMs - CONNECT_TIMEOUT_MS + 300
                : 0,
            ),
          );
          expect(trackedA.lateTracks.length).toBeGreaterThan(0);
          expect(trackedA.lateTracks.map((track) => track.readyState)).toEqual(
            trackedA.lateTracks.map(() => 'ended'),
          );
        }
        results.push(
          `${scenario.name}: ${result === 'connected' ? 'connected' : `ended ${endA.reason}/${endB.reason}`}`,
        );
        expectNothingLive(a);
        expectNothingLive(b);
      } finally {
        a.session.teardown('disposed');
        b.session.teardown('disposed');
        pair.close();
      }
    },
    SCENARIO_LIMIT_MS,
  );

  it.each([
    { channel: false, want: ['ice-failed'] },
    // With the session's data channel the peer's closing connection is noticed at once (SCTP closes).
    { channel: true, want: ['peer-left', 'ice-failed'] },
  ])(
    'a peer that vanishes (pc closed without bye, signaling silent), data channel $channel: ends $want.0',
    async ({ channel, want }) => {
      const pair = createInMemorySignalingPair({});
      const trackedA = trackedRuntime();
      const trackedB = trackedRuntime();
      const signalingB = silenceable(pair.b);
      const timers = {
        disconnectGraceMs: 300,
        iceRestartTimeoutMs: 1_000,
        maxIceRestarts: 1,
        dataChannel: channel,
      };
      const a = makeSide(pair.a, true, trackedA, timers);
      const b = makeSide(signalingB, false, trackedB, timers);
      const reconnecting: number[] = [];
      a.session.on('reconnecting', (attempt) => reconnecting.push(attempt));
      try {
        expect(await outcome(a, b)).toBe('connected');
        // B crashes: its signaling goes silent and its connection closes without a word.
        signalingB.silence();
        for (const pc of trackedB.pcs) pc.close();
        // Bound: ICE noticing the loss (the runtime's consent timeout, 8–15 s for @roamhq/wrtc), then
        // disconnectGraceMs + maxIceRestarts * iceRestartTimeoutMs; the vitest limit backs it up.
        const summary = await a.session.ended;
        expect(want).toContain(summary.reason);
        // `disconnected` first (0 = grace period) or straight to `failed`; either way exactly maxIceRestarts restarts.
        if (summary.reason === 'ice-failed')
          expect(reconnecting.filter((attempt) => attempt > 0)).toEqual([1]);
        b.session.teardown('disposed');
        results.push(
          `peer vanishes (data channel ${channel}): ended ${summary.reason}${reconnecting.length ? ` after reconnecting ${reconnecting.join(',')}` : ''}`,
        );
        expectNothingLive(a);
        expectNothingLive(b);
      } finally {
        a.session.teardown('disposed');
        b.session.teardown('disposed');
        pair.close();
      }
    },
    SCENARIO_LIMIT_MS,
  );
});
