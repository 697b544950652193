import fc from 'fast-check';
import {
  type CallSession,
  type CallState,
  canTransition,
  END_REASONS,
  type EndReason,
  type EndSummary,
  isCallEndedError,
  type SignalingAdapter,
  type SignalingEvent,
  type SignalMessage,
} from '../../../src/index.js';
import {
  type FakeMediaStream,
  type FakePeerConnectionStep,
  type FakeRuntime,
  NOTHING_HELD,
} from '../../../src/testing/index.js';
import { ALL_EVENTS } from '../../helpers/fakeCall.js';
import { takeProblems } from '../../helpers/problems.js';

/**
 * Shared pieces of the model-based lifecycle properties: run-size knobs, the arbitraries for inbound data,
 * an observer that checks the event stream of one session, and the invariant check run after every step.
 */

/** Cases per property; `npm run test:props -- --runs N` sets it. */
export const PROPS_RUNS = Number(process.env.HANGUP_PROPS_RUNS ?? 200);
/** A fixed seed to replay a failure (`--seed`); printed by fast-check in every failure report. */
export const PROPS_SEED =
  process.env.HANGUP_PROPS_SEED === undefined ? undefined : Number(process.env.HANGUP_PROPS_SEED);

/** Test timeout that grows with the case count (the long run is 50x the default). */
export const PROPS_TIMEOUT_MS = Math.max(30_000, PROPS_RUNS * 20);

/** Parameters for `fc.assert`. */
export function propsParameters(runs = PROPS_RUNS): fc.Parameters<unknown> {
  return { numRuns: runs, ...(PROPS_SEED !== undefined && { seed: PROPS_SEED }) };
}

/** Lets every pending promise reaction (and the fake runtime's microtasks) run. */
export async function flush(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (fn: () => void) => void }).setImmediate;
  if (immediate) {
    await new Promise<void>((resolve) => immediate(resolve));
  } else {
    for (let i = 0; i < 50; i++) await Promise.resolve();
  }
}

/** A signaling adapter the property drives completely: delivers what the test says, records what is sent. */
export class ScriptedSignaling implements SignalingAdapter {
  listener: ((event: SignalingEvent) => void) | undefined;
  subscribeCalls = 0;
  readonly sent: SignalMessage[] = [];
  mode: 'ok' | 'throw' | 'reject' = 'ok';

  send(message: SignalMessage): void | Promise<void> {
    this.sent.push(message);
    if (this.mode === 'throw') throw new Error('scripted send failure');
    if (this.mode === 'reject') return Promise.reject(new Error('scripted async send failure'));
  }

  subscribe(listener: (event: SignalingEvent) => void): () => void {
    this.subscribeCalls++;
    this.listener = listener;
    return () => {
      if (this.listener === listener) this.listener = undefined;
    };
  }

  /** Delivers synchronously, the harshest timing an adapter can choose. */
  deliver(event: SignalingEvent): void {
    this.listener?.(event);
  }
}

const PEER_UFRAGS = ['peerA', 'peerB'] as const;

/** SDP the fake peer connection accepts, with an ICE ufrag so candidate generations can be told apart. */
const sdpArb = fc
  .constantFrom(...PEER_UFRAGS)
  .map((ufrag) => `v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\na=ice-ufrag:${ufrag}\r\n`);

/** A well-formed message body (without `callId`). */
export const validBodyArb: fc.Arbitrary<SignalMessage> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant('description' as const),
      description: fc.oneof(
        fc.record({
          type: fc.constantFrom('offer' as const, 'answer' as const, 'pranswer' as const),
          sdp: sdpArb,
        }),
        fc.constant({ type: 'rollback' as const }),
      ),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant('candidate' as const),
      candidate: fc.option(
        fc.record({
          candidate: fc
            .integer({ min: 1, max: 6 })
            .map((n) => `candidate:${n} 1 udp 1 192.0.2.${n} 9 typ host`),
          sdpMid: fc.constant('0'),
          sdpMLineIndex: fc.constant(0),
          usernameFragment: fc.constantFrom(...PEER_UFRAGS),
        }),
        { freq: 5 },
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ type: fc.constant('bye' as const), reason: fc.constantFrom(...END_REASONS) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant('mute' as const),
      kind: fc.constantFrom('audio' as const, 'video' as const),
      muted: fc.boolean(),
    }),
  },
);

/** Hostile shapes that must all be rejected with InvalidSignalError. Built lazily: Proxies cannot be cloned. */
export const adversarialArb: fc.Arbitrary<() => unknown> = fc.constantFrom(
  () => JSON.parse('{"type":"bye","reason":"hangup","__proto__":{"polluted":true}}'),
  () => ({ type: 'mute', kind: 'audio', muted: true, constructor: { prototype: {} } }),
  () =>
    Object.defineProperty({ type: 'bye' }, 'reason', {
      enumerable: true,
      get() {
        throw new Error('getter bomb');
      },
    }),
  () =>
    new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('proxy bomb');
        },
      },
    ),
  () => new Proxy({ type: 'bye', reason: 'hangup' }, { getPrototypeOf: () => Array.prototype }),
  () => ({ type: 'description', description: { type: 'offer', sdp: 'x'.repeat(300 * 1024) } }),
  () => ({ type: 'candidate', candidate: { candidate: 'c'.repeat(5000) } }),
  () => {
    let deep: unknown = { type: 'bye', reason: 'hangup' };
    for (let i = 0; i < 2000; i++) deep = { type: 'bye', reason: 'hangup', nested: deep };
    return deep;
  },
  () => [{ type: 'bye', reason: 'hangup' }],
  () => 'bye',
  () => null,
  () => undefined,
  () => ({ type: 'bye', reason: 'unknown-reason' }),
  () => ({ type: 'description', description: { type: 'offer' } }),
  () => new Map([['type', 'bye']]),
);

/** Any inbound `data`: valid (maybe with a callId), random junk, or adversarial. */
export type InboundData =
  | { kind: 'valid'; body: SignalMessage; callId: string | undefined }
  | { kind: 'junk'; make: () => unknown };

export const inboundDataArb: fc.Arbitrary<InboundData> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('valid' as const),
      body: validBodyArb,
      callId: fc.constantFrom(undefined, undefined, 'call-1', 'stale-call'),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('junk' as const), make: adversarialArb }) },
  {
    weight: 1,
    arbitrary: fc
      .jsonValue({ maxDepth: 3 })
      .map((value) => ({ kind: 'junk' as const, make: () => structuredClone(value) })),
  },
);

/** Materialises inbound data; also says whether it is valid and whether it belongs to another call. */
export function materialise(
  data: InboundData,
  sessionCallId: string | undefined,
): { value: unknown; valid: boolean; foreign: boolean } {
  if (data.kind === 'junk') {
    const value = data.make();
    return { value, valid: false, foreign: false };
  }
  const value = data.callId === undefined ? { ...data.body } : { ...data.body, callId: data.callId };
  const foreign = sessionCallId !== undefined && data.callId !== undefined && data.callId !== sessionCallId;
  return { value, valid: true, foreign };
}

export const PC_STEPS: FakePeerConnectionStep[] = [
  'createOffer',
  'createAnswer',
  'setLocalDescription',
  'setRemoteDescription',
  'addIceCandidate',
];
export const CONNECTION_STATES: RTCPeerConnectionState[] = [
  'new',
  'connecting',
  'connected',
  'disconnected',
  'failed',
  'closed',
];
export const ADVANCES = [0, 1, 50, 100, 500, 1_000, 3_000, 10_000, 30_000, 120_000];
export const reasonArb = fc.constantFrom(...END_REASONS);

/** Watches one session's events and collects every broken rule. */
export class SessionObserver {
  readonly violations: string[] = [];
  readonly states: CallState[];
  readonly errorCodes: string[] = [];
  endedEvents = 0;
  endedSummary: EndSummary | undefined;
  connectedEvents = 0;
  startCalled = false;
  /** Whether start() was first called before the end (only then does the session take a handed-in stream). */
  startedLive = false;
  startOutcome: { ok: true } | { ok: false; error: unknown } | undefined;
  endedPromiseResolved = false;
  #lateListenersAttached = false;
  readonly #session: CallSession;
  readonly #label: string;

  constructor(session: CallSession, label: string) {
    this.#session = session;
    this.#label = label;
    this.states = [session.state];
    session.on('stateChange', (state, previous) => {
      const last = this.states.at(-1);
      if (previous !== last) this.#fail(`stateChange previous=${previous} but last seen was ${last}`);
      if (!canTransition(previous, state)) this.#fail(`illegal transition ${previous} -> ${state}`);
      if (this.endedEvents > 0) this.#fail(`stateChange(${state}) after ended`);
      this.states.push(state);
    });
    session.on('connected', () => {
      this.connectedEvents++;
    });
    session.on('error', (error) => {
      this.errorCodes.push(error.code);
    });
    session.on('ended', (summary) => {
      this.endedEvents++;
      this.endedSummary = summary;
      if (this.states.at(-1) !== 'ended') this.#fail('ended emitted before stateChange(ended)');
    });
    for (const name of ALL_EVENTS) {
      session.on(name as 'connected', () => {
        if (this.endedEvents > 0 && name !== 'ended') this.#fail(`${name} emitted after ended`);
      });
    }
    void session.ended.then(() => {
      this.endedPromiseResolved = true;
    });
  }

  /** Calls `start()` and records how its promise settles. */
  start(): void {
    const wasLive = this.#session.state !== 'ended';
    const promise = this.#session.start();
    if (this.startCalled) return;
    this.startCalled = true;
    this.startedLive = wasLive;
    promise.then(
      () => {
        if (this.startOutcome) this.#fail('start settled twice');
        this.startOutcome = { ok: true };
      },
      (error: unknown) => {
        if (this.startOutcome) this.#fail('start settled twice');
        this.startOutcome = { ok: false, error };
      },
    );
  }

  /**
   * Once the session has ended, listeners are gone; new ones catch anything emitted later (nothing may be).
   */
  watchAfterEnd(): void {
    if (this.#lateListenersAttached || this.#session.state !== 'ended') return;
    this.#lateListenersAttached = true;
    for (const name of ALL_EVENTS) {
      this.#session.on(name as 'connected', () =>
        this.#fail(`${name} emitted after the end (late listener)`),
      );
    }
  }

  #fail(message: string): void {
    this.violations.push(`${this.#label}: ${message}`);
  }

  fail(message: string): void {
    this.#fail(message);
  }
}

/**
 * The invariants checked after every step (after promise reactions have run). Returns the list of
 * violations; an empty list means every rule holds.
 */
export function checkInvariants(
  session: CallSession,
  observer: SessionObserver,
  runtime: FakeRuntime,
  options: { providedStream?: FakeMediaStream; stopProvidedStream?: boolean; allSessionsEnded: boolean },
): string[] {
  // Error logs (a transition the guard refused is one) and listener exceptions, recorded by the shared
  // setup: part of the property, so fast-check shrinks to the case that caused them.
  const problems = [...observer.violations, ...takeProblems()];
  const last = observer.states.at(-1);
  if (session.state !== last) problems.push(`state ${session.state} but last stateChange said ${last}`);
  if (observer.endedEvents > 1) problems.push(`ended emitted ${observer.endedEvents} times`);
  if (session.state === 'ended') {
    if (observer.endedEvents !== 1) problems.push(`ended state but ${observer.endedEvents} ended events`);
    const live = session.liveResources();
    if (JSON.stringify(live) !== JSON.stringify(NOTHING_HELD))
      problems.push(`live resources after end: ${JSON.stringify(live)}`);
    if (session.localStream !== undefined || session.remoteStream !== undefined)
      problems.push('streams kept after end');
    if (!observer.endedPromiseResolved) problems.push('ended promise not resolved');
    if (observer.endedSummary?.reason !== session.endReason)
      problems.push('summary reason differs from endReason');
    if (observer.startCalled) {
      const outcome = observer.startOutcome;
      if (!outcome) problems.push('start() still pending after the end');
      else if (!outcome.ok) {
        if (!isCallEndedError(outcome.error))
          problems.push('start() rejected with something other than CallEndedError');
        else if (outcome.error.reason !== session.endReason)
          problems.push('start() rejection carries another reason');
      }
    }
    // Ownership of a handed-in stream is taken at start() (test/unit/session/media.test.ts): never started, the
    // stream is still the app's.
    if (options.providedStream && options.stopProvidedStream !== false && observer.startedLive) {
      for (const track of options.providedStream.getTracks()) {
        if (track.readyState !== 'ended') problems.push('provided stream track still live after end');
      }
    }
  }
  if (observer.startOutcome?.ok && observer.connectedEvents === 0)
    problems.push('start() resolved without connected');
  if (
    observer.startCalled &&
    (session.state === 'connected' || session.state === 'reconnecting') &&
    !observer.startOutcome
  ) {
    problems.push('connected but start() has not resolved');
  }
  if (options.allSessionsEnded) {
    const tracks = runtime.liveTracks();
    if (tracks.length > 0) problems.push(`${tracks.length} runtime tracks live after the end`);
    const open = runtime.openPeerConnections();
    if (open.length > 0) problems.push(`${open.length} peer connections open after the end`);
    if (runtime.peerConnections.some((pc) => pc.hasHandlers()))
      problems.push('peer connection handlers left attached');
  }
  return problems;
}

/** Calls a public method, recording anything it throws (nothing may escape). */
export function guarded(problems: string[], what: string, work: () => unknown): void {
  try {
    work();
  } catch (error) {
    problems.push(
      `${what} threw: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
    );
  }
}

/** Media controls that land in other changes; called only when the session has them. */
export type MediaControl =
  | { control: 'switchDevice'; kind: 'audio' | 'video' }
  | { control: 'startScreenShare' }
  | { control: 'stopScreenShare' }
  | { control: 'send'; text: string }
  | { control: 'getStats' };

export const mediaControlArb: fc.Arbitrary<MediaControl> = fc.oneof(
  fc.record({
    control: fc.constant('switchDevice' as const),
    kind: fc.constantFrom('audio' as const, 'video' as const),
  }),
  fc.constant({ control: 'startScreenShare' as const }),
  fc.constant({ control: 'stopScreenShare' as const }),
  fc.record({ control: fc.constant('send' as const), text: fc.string({ maxLength: 8 }) }),
  fc.constant({ control: 'getStats' as const }),
);

/**
 * Runs a media control if the session has it. Promise rejections are expected outcomes (a failed switch, a
 * send on a closed call); a synchronous throw is only acceptable as a documented HangupError.
 */
export function runMediaControl(session: CallSession, control: MediaControl, problems: string[]): void {
  const method: unknown = Reflect.get(session, control.control);
  if (typeof method !== 'function') return;
  const args =
    control.control === 'switchDevice'
      ? [control.kind, { deviceId: 'other-device' }]
      : control.control === 'send'
        ? [control.text]
        : [];
  try {
    const result: unknown = Reflect.apply(method, session, args);
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<unknown>).catch(() => {});
    }
  } catch (error) {
    // `send` documents throwing HangupError / CallEndedError; anything else is a bug.
    const name = (error as { name?: string })?.name ?? '';
    if (!/Error$/.test(name) || !('code' in (error as object))) {
      problems.push(`${control.control} threw a non-HangupError: ${String(error)}`);
    }
  }
}

/** End reasons a session gives itself, for choosing teardown arguments. */
export const END_REASON_LIST: readonly EndReason[] = END_REASONS;
