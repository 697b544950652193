import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CallSession,
  type CallSessionOptions,
  createInMemorySignalingPair,
  type EndReason,
} from '../../../src/index.js';
import { LOCALLY_CAUSED_END_REASONS } from '../../../src/model/endReason.js';
import {
  createFakeMediaStream,
  FakeMediaStream,
  FakeMediaStreamTrack,
  FakeRuntime,
  ManualClock,
} from '../../../src/testing/index.js';
import {
  ADVANCES,
  CONNECTION_STATES,
  checkInvariants,
  flush,
  guarded,
  type InboundData,
  inboundDataArb,
  type MediaControl,
  materialise,
  mediaControlArb,
  PC_STEPS,
  PROPS_TIMEOUT_MS,
  propsParameters,
  reasonArb,
  runMediaControl,
  ScriptedSignaling,
  SessionObserver,
} from './lifecycleModel.js';

// Model-based lifecycle properties: random interleavings of public calls, signaling events, runtime events and
// clock advances, with every invariant of the teardown guarantee checked after every single step.
// `npm run test:props -- --runs 10000` runs the long version; failures print fast-check's seed and path.

const notAllowed = (): unknown => new DOMException('Permission denied', 'NotAllowedError');

/** Unhandled rejections are bugs too ("start() never leaves an unhandled rejection"). */
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
/** What the cases reached (printed with HANGUP_PROPS_STATS=1): proof the interleavings are not all trivial. */
const reached = new Map<string, number>();
const count = (key: string): void => {
  reached.set(key, (reached.get(key) ?? 0) + 1);
};
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  if (process.env.HANGUP_PROPS_STATS) {
    process.stdout.write(
      `props coverage: ${JSON.stringify(Object.fromEntries([...reached].sort()), null, 1)}\n`,
    );
  }
});

// ——— one session, scripted signaling: every inbound event is chosen by the property ———

type Action =
  | { a: 'start' }
  | { a: 'end' }
  | { a: 'teardown'; reason: EndReason; withError: boolean }
  | { a: 'setMuted'; kind: 'audio' | 'video'; muted: boolean }
  | { a: 'media-control'; control: MediaControl }
  | {
      a: 'reentrant';
      event: 'stateChange' | 'connected' | 'reconnecting' | 'localStream' | 'error' | 'tick';
      reason: EndReason;
    }
  | { a: 'message'; data: InboundData }
  | { a: 'signal-event'; event: 'peer-left' | 'finalize' | 'closed' | 'unknown' }
  | { a: 'send-mode'; mode: 'ok' | 'throw' | 'reject' }
  | { a: 'media'; op: 'resolve' | 'reject' | 'fail-next' | 'hold' | 'release-hold'; index: number }
  | { a: 'pc-state'; state: RTCPeerConnectionState }
  | { a: 'pc-negotiation' }
  | { a: 'pc-fail'; step: (typeof PC_STEPS)[number] }
  | { a: 'pc-candidate'; ufrag: string }
  | { a: 'pc-track' }
  | { a: 'pagehide' }
  | { a: 'device-end'; index: number }
  | { a: 'advance'; ms: number }
  | { a: 'flush' };

/** Connection states, weighted towards the ones that move a call forward. */
const connectionStateArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant<RTCPeerConnectionState>('connected') },
  { weight: 2, arbitrary: fc.constant<RTCPeerConnectionState>('disconnected') },
  { weight: 2, arbitrary: fc.constantFrom(...CONNECTION_STATES) },
);

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ a: 'start' as const }) },
  { weight: 1, arbitrary: fc.constant({ a: 'end' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({ a: fc.constant('teardown' as const), reason: reasonArb, withError: fc.boolean() }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      a: fc.constant('setMuted' as const),
      kind: fc.constantFrom('audio' as const, 'video' as const),
      muted: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ a: fc.constant('media-control' as const), control: mediaControlArb }) },
  {
    weight: 1,
    arbitrary: fc.record({
      a: fc.constant('reentrant' as const),
      event: fc.constantFrom(
        'stateChange' as const,
        'connected' as const,
        'reconnecting' as const,
        'localStream' as const,
        'error' as const,
        'tick' as const,
      ),
      reason: reasonArb,
    }),
  },
  { weight: 10, arbitrary: fc.record({ a: fc.constant('message' as const), data: inboundDataArb }) },
  {
    weight: 1,
    arbitrary: fc.record({
      a: fc.constant('signal-event' as const),
      event: fc.constantFrom(
        'peer-left' as const,
        'finalize' as const,
        'closed' as const,
        'unknown' as const,
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      a: fc.constant('send-mode' as const),
      mode: fc.constantFrom('ok' as const, 'throw' as const, 'reject' as const),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      a: fc.constant('media' as const),
      op: fc.constantFrom(
        'resolve' as const,
        'reject' as const,
        'fail-next' as const,
        'hold' as const,
        'release-hold' as const,
      ),
      index: fc.nat(3),
    }),
  },
  { weight: 8, arbitrary: fc.record({ a: fc.constant('pc-state' as const), state: connectionStateArb }) },
  { weight: 1, arbitrary: fc.constant({ a: 'pc-negotiation' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({ a: fc.constant('pc-fail' as const), step: fc.constantFrom(...PC_STEPS) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      a: fc.constant('pc-candidate' as const),
      ufrag: fc.constantFrom('local1', 'local2'),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ a: 'pc-track' as const }) },
  { weight: 1, arbitrary: fc.constant({ a: 'pagehide' as const }) },
  // A device unplugged, or the browser's own "Stop sharing": a live track ends from outside.
  { weight: 1, arbitrary: fc.record({ a: fc.constant('device-end' as const), index: fc.nat(5) }) },
  {
    weight: 5,
    arbitrary: fc.record({ a: fc.constant('advance' as const), ms: fc.constantFrom(...ADVANCES) }),
  },
  { weight: 3, arbitrary: fc.constant({ a: 'flush' as const }) },
);

interface Config {
  polite: boolean;
  media: 'default' | 'audio-only' | 'none' | 'provided';
  stopProvidedStream: boolean;
  connectTimeoutMs: number;
  maxDurationMs: number | undefined;
  expiryWarningMs: number;
  tickMs: number;
  disconnectGraceMs: number;
  maxIceRestarts: number;
  iceRestartTimeoutMs: number;
  maxQueuedCandidates: number;
  callId: string | undefined;
  endOnPageHide: boolean;
  autoConnect: boolean;
  gatherCandidates: boolean;
  holdMedia: boolean;
}

const configArb: fc.Arbitrary<Config> = fc.record({
  polite: fc.boolean(),
  media: fc.constantFrom('default' as const, 'audio-only' as const, 'none' as const, 'provided' as const),
  stopProvidedStream: fc.boolean(),
  connectTimeoutMs: fc.constantFrom(0, 1_000, 30_000),
  maxDurationMs: fc.constantFrom(undefined, 500, 60_000),
  expiryWarningMs: fc.constantFrom(0, 100, 30_000),
  tickMs: fc.constantFrom(100, 1_000),
  disconnectGraceMs: fc.constantFrom(0, 100, 3_000),
  maxIceRestarts: fc.constantFrom(0, 1, 2),
  iceRestartTimeoutMs: fc.constantFrom(100, 10_000),
  maxQueuedCandidates: fc.constantFrom(1, 4, 256),
  callId: fc.constantFrom(undefined, 'call-1'),
  endOnPageHide: fc.boolean(),
  autoConnect: fc.boolean(),
  gatherCandidates: fc.boolean(),
  holdMedia: fc.constantFrom(false, false, true),
});

/** Most cases begin with start(): an unstarted session explores little. */
function startingWith<T>(first: T[], actions: fc.Arbitrary<T[]>): fc.Arbitrary<T[]> {
  return fc.tuple(fc.nat(3), actions).map(([roll, rest]) => (roll > 0 ? [...first, ...rest] : rest));
}

function sessionOptions(
  config: Config,
  rest: Pick<CallSessionOptions, 'signaling' | 'runtime' | 'clock'>,
  provided?: FakeMediaStream,
): CallSessionOptions {
  const media =
    config.media === 'none'
      ? false
      : config.media === 'audio-only'
        ? { audio: true, video: false }
        : config.media === 'provided'
          ? provided
          : { audio: true, video: true };
  return {
    ...rest,
    polite: config.polite,
    media,
    stopProvidedStream: config.stopProvidedStream,
    connectTimeoutMs: config.connectTimeoutMs,
    ...(config.maxDurationMs !== undefined && { maxDurationMs: config.maxDurationMs }),
    expiryWarningMs: config.expiryWarningMs,
    tickMs: config.tickMs,
    disconnectGraceMs: config.disconnectGraceMs,
    maxIceRestarts: config.maxIceRestarts,
    iceRestartTimeoutMs: config.iceRestartTimeoutMs,
    maxQueuedCandidates: config.maxQueuedCandidates,
    ...(config.callId !== undefined && { callId: config.callId }),
    endOnPageHide: config.endOnPageHide,
  };
}

async function runSingleSession(config: Config, actions: Action[]): Promise<void> {
  const clock = new ManualClock();
  const runtime = new FakeRuntime({
    autoConnect: config.autoConnect,
    gatherCandidates: config.gatherCandidates,
  });
  runtime.holdMedia(config.holdMedia);
  const signaling = new ScriptedSignaling();
  const provided = config.media === 'provided' ? createFakeMediaStream() : undefined;
  const session = new CallSession(sessionOptions(config, { signaling, runtime, clock }, provided));
  const observer = new SessionObserver(session, 'session');
  let armed = 0;
  const problems: string[] = [];
  const trace: string[] = [];
  unhandled.length = 0;

  for (const action of actions) {
    trace.push(JSON.stringify(action, (_k, v) => (typeof v === 'function' ? 'fn' : v)));
    const before = session.state;
    // Model checks assume no re-entrant listener can end the call during the step.
    const quiet = armed === 0;
    const errorsBefore = observer.errorCodes.length;
    const pc = runtime.lastPeerConnection;
    switch (action.a) {
      case 'start':
        guarded(problems, 'start()', () => observer.start());
        break;
      case 'end': {
        let summary: unknown;
        guarded(problems, 'end()', () => {
          summary = session.end();
        });
        if (before !== 'ended' && quiet && session.endReason !== 'hangup')
          problems.push(`end() gave ${session.endReason}`);
        if (summary !== undefined && summary !== session.teardown('error'))
          problems.push('teardown not idempotent');
        break;
      }
      case 'teardown': {
        guarded(problems, 'teardown()', () =>
          session.teardown(action.reason, action.withError ? new Error('cause') : undefined),
        );
        if (before !== 'ended' && quiet) {
          if (session.endReason !== action.reason)
            problems.push(`teardown(${action.reason}) ended with ${session.endReason}`);
          const locallyCaused = LOCALLY_CAUSED_END_REASONS.has(action.reason);
          const byeSent = signaling.sent.some((m) => m.type === 'bye' && m.reason === action.reason);
          if (observer.startCalled && locallyCaused && !byeSent)
            problems.push(`no bye sent for teardown(${action.reason})`);
          if (!observer.startCalled && signaling.sent.some((m) => m.type === 'bye'))
            problems.push('bye sent by a session never started');
        }
        break;
      }
      case 'setMuted':
        guarded(problems, 'setMuted()', () => session.setMuted(action.kind, action.muted));
        if (before !== 'ended' && session.isMuted(action.kind) !== action.muted)
          problems.push('setMuted did not stick');
        if (before !== 'ended') {
          const local = session.localStream;
          const tracks = action.kind === 'audio' ? local?.getAudioTracks() : local?.getVideoTracks();
          if (tracks?.some((track) => track.enabled === action.muted))
            problems.push('track.enabled does not follow mute');
        }
        break;
      case 'media-control':
        runMediaControl(session, action.control, problems);
        break;
      case 'reentrant':
        if (session.state !== 'ended') {
          armed++;
          session.once(action.event, () => {
            armed--;
            session.teardown(action.reason);
            // Re-entrant calls must be harmless no-ops once ended.
            session.start();
            session.end();
            session.setMuted('audio', true);
          });
        }
        break;
      case 'message': {
        const { value, valid, foreign } = materialise(action.data, config.callId);
        const subscribed = signaling.listener !== undefined;
        guarded(problems, 'signaling listener', () => signaling.deliver({ type: 'message', data: value }));
        if (subscribed && before !== 'ended' && quiet) {
          const body = valid ? (action.data as Extract<InboundData, { kind: 'valid' }>).body : undefined;
          if (!valid) {
            if (session.state !== before)
              problems.push(`invalid message changed state ${before} -> ${session.state}`);
            if (!observer.errorCodes.slice(errorsBefore).includes('INVALID_SIGNAL'))
              problems.push('invalid message without INVALID_SIGNAL error');
          } else if (foreign) {
            if (session.state !== before) problems.push('foreign-callId message changed state');
            if (observer.errorCodes.length !== errorsBefore)
              problems.push('foreign-callId message raised an error event');
          } else if (body?.type === 'bye' && session.endReason !== 'remote-hangup') {
            problems.push(`bye ended with ${session.endReason}`);
          }
        }
        break;
      }
      case 'signal-event': {
        const subscribed = signaling.listener !== undefined;
        const event =
          action.event === 'closed'
            ? { type: 'closed' as const, error: new Error('socket gone') }
            : action.event === 'unknown'
              ? ({ type: 'surprise' } as never)
              : { type: action.event };
        guarded(problems, 'signaling listener', () => signaling.deliver(event));
        if (subscribed && before !== 'ended' && quiet) {
          const expected: Record<string, EndReason | undefined> = {
            'peer-left': 'peer-left',
            finalize: 'finalized',
            closed: before === 'connected' ? undefined : 'signaling-closed',
            unknown: undefined,
          };
          const want = expected[action.event];
          // While reconnecting, closed ends the call only if a restart needs signaling (not while the
          // disconnect grace runs): either outcome is right, but an end must say signaling-closed.
          const graceMayKeepIt = action.event === 'closed' && before === 'reconnecting';
          if (graceMayKeepIt && session.state === 'ended' && session.endReason !== 'signaling-closed')
            problems.push(`closed while reconnecting ended with ${session.endReason}`);
          else if (graceMayKeepIt) {
            // Both outcomes are legal here.
          } else if (want !== undefined && session.endReason !== want)
            problems.push(`${action.event} ended with ${session.endReason}`);
          if (want === undefined && session.state !== before)
            problems.push(`${action.event} changed state ${before} -> ${session.state}`);
        }
        break;
      }
      case 'send-mode':
        signaling.mode = action.mode;
        break;
      case 'media':
        if (action.op === 'hold') runtime.holdMedia(true);
        else if (action.op === 'release-hold') runtime.holdMedia(false);
        else if (action.op === 'fail-next') runtime.failMedia(notAllowed());
        else {
          const request = runtime.pendingMedia[action.index % Math.max(1, runtime.pendingMedia.length)];
          if (action.op === 'resolve') request?.resolve();
          else request?.reject(notAllowed());
        }
        break;
      case 'pc-state':
        guarded(problems, 'connectionstatechange', () => pc?.setConnectionState(action.state));
        break;
      case 'pc-negotiation':
        guarded(problems, 'negotiationneeded', () => pc?.fireNegotiationNeeded());
        break;
      case 'pc-fail':
        pc?.failNext(action.step);
        break;
      case 'pc-candidate':
        guarded(problems, 'icecandidate', () =>
          pc?.emitIceCandidate({
            candidate: 'candidate:9 1 udp 1 192.0.2.9 9 typ host',
            sdpMid: '0',
            sdpMLineIndex: 0,
            usernameFragment: action.ufrag,
          }),
        );
        break;
      case 'pc-track': {
        const track = new FakeMediaStreamTrack('video');
        guarded(problems, 'track', () => pc?.emitTrack(track, [new FakeMediaStream([track])]));
        break;
      }
      case 'pagehide':
        guarded(problems, 'pagehide', () => window.dispatchEvent(new Event('pagehide')));
        if (
          config.endOnPageHide &&
          observer.startCalled &&
          before !== 'ended' &&
          quiet &&
          session.endReason !== 'page-hide'
        ) {
          problems.push(`pagehide ended with ${session.endReason}`);
        }
        break;
      case 'device-end': {
        const live = runtime.liveTracks();
        guarded(problems, 'track ended', () =>
          live[action.index % Math.max(1, live.length)]?.endFromDevice(),
        );
        break;
      }
      case 'advance':
        guarded(problems, 'clock.advance', () => clock.advance(action.ms));
        break;
      case 'flush':
        break;
    }
    await flush();
    observer.watchAfterEnd();
    problems.push(
      ...checkInvariants(session, observer, runtime, {
        providedStream: provided,
        stopProvidedStream: config.stopProvidedStream,
        allSessionsEnded: session.state === 'ended',
      }),
    );
    if (problems.length > 0) break;
  }

  // Whatever happened, end it now: every rule of the end must hold from here on, and stay.
  if (problems.length === 0) {
    guarded(problems, 'final end()', () => session.end());
    await flush();
    observer.watchAfterEnd();
    // Events from the runtime after the end must not revive anything.
    for (const request of [...runtime.pendingMedia]) request.resolve();
    for (const pc of runtime.peerConnections) pc.setConnectionState('connected');
    clock.advance(1_000_000);
    await flush();
    problems.push(
      ...checkInvariants(session, observer, runtime, {
        providedStream: provided,
        stopProvidedStream: config.stopProvidedStream,
        allSessionsEnded: true,
      }),
    );
    if (clock.pendingTimers !== 0) problems.push(`${clock.pendingTimers} clock timers left`);
    for (const state of new Set(observer.states)) count(`single:state:${state}`);
    count(`single:end:${session.endReason}`);
    if (unhandled.length > 0) problems.push(`unhandled rejection: ${String(unhandled[0])}`);
  }
  if (problems.length > 0) {
    throw new Error(`${[...new Set(problems)].join('\n')}\n--- trace ---\n${trace.join('\n')}`);
  }
}

describe('lifecycle properties: one session, scripted signaling', () => {
  it(
    'keeps every invariant of the teardown guarantee under any interleaving',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          configArb,
          startingWith<Action>(
            [{ a: 'start' }, { a: 'flush' }],
            fc.array(actionArb, { minLength: 1, maxLength: 40 }),
          ),
          (config, actions) => runSingleSession(config, actions),
        ),
        propsParameters(),
      );
    },
    PROPS_TIMEOUT_MS,
  );

  it('reaches connected and back to ended cleanly on the happy path (the model can fail)', async () => {
    // Guards the harness itself: if nothing could ever connect, the property above would prove little.
    const config: Config = {
      polite: true,
      media: 'default',
      stopProvidedStream: true,
      connectTimeoutMs: 30_000,
      maxDurationMs: undefined,
      expiryWarningMs: 0,
      tickMs: 1_000,
      disconnectGraceMs: 100,
      maxIceRestarts: 1,
      iceRestartTimeoutMs: 100,
      maxQueuedCandidates: 4,
      callId: undefined,
      endOnPageHide: false,
      autoConnect: false,
      gatherCandidates: false,
      holdMedia: false,
    };
    await runSingleSession(config, [
      { a: 'start' },
      { a: 'flush' },
      { a: 'pc-state', state: 'connected' },
      { a: 'pc-state', state: 'disconnected' },
    ]);
    // A harness that would not notice a broken rule: prove it notices one.
    const clock = new ManualClock();
    const runtime = new FakeRuntime();
    const session = new CallSession({
      signaling: new ScriptedSignaling(),
      polite: true,
      runtime,
      clock,
      endOnPageHide: false,
    });
    const observer = new SessionObserver(session, 's');
    observer.start();
    await flush();
    session.end();
    await flush();
    runtime.tracks.push(new FakeMediaStreamTrack('audio'));
    expect(checkInvariants(session, observer, runtime, { allSessionsEnded: true })).toContain(
      '1 runtime tracks live after the end',
    );
  });
});

// ——— two sessions over a faulty in-memory pair: real (fake) negotiation between them ———

type Side = 'a' | 'b';
type PairAction =
  | { a: 'start'; side: Side }
  | { a: 'teardown'; side: Side; reason: EndReason }
  | { a: 'setMuted'; side: Side; kind: 'audio' | 'video'; muted: boolean }
  | { a: 'media-control'; side: Side; control: MediaControl }
  | { a: 'leave'; side: Side }
  | { a: 'finalize' }
  | { a: 'close' }
  | { a: 'media'; op: 'resolve' | 'reject' | 'hold' | 'release-hold'; index: number }
  | { a: 'pc-state'; side: Side; state: RTCPeerConnectionState }
  | { a: 'pc-fail'; side: Side; step: (typeof PC_STEPS)[number] }
  | { a: 'advance'; ms: number };

const sideArb = fc.constantFrom('a' as const, 'b' as const);
const pairActionArb: fc.Arbitrary<PairAction> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ a: fc.constant('start' as const), side: sideArb }) },
  {
    // The ways a call is ended from outside, kept rare so calls get far enough to connect and reconnect.
    weight: 1,
    arbitrary: fc.oneof(
      fc.record({ a: fc.constant('teardown' as const), side: sideArb, reason: reasonArb }),
      fc.record({ a: fc.constant('leave' as const), side: sideArb }),
      fc.constant({ a: 'finalize' as const }),
      fc.constant({ a: 'close' as const }),
    ),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      a: fc.constant('setMuted' as const),
      side: sideArb,
      kind: fc.constantFrom('audio' as const, 'video' as const),
      muted: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      a: fc.constant('media-control' as const),
      side: sideArb,
      control: mediaControlArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      a: fc.constant('media' as const),
      op: fc.constantFrom(
        'resolve' as const,
        'resolve' as const,
        'reject' as const,
        'hold' as const,
        'release-hold' as const,
      ),
      index: fc.nat(3),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ a: fc.constant('pc-state' as const), side: sideArb, state: connectionStateArb }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      a: fc.constant('pc-fail' as const),
      side: sideArb,
      step: fc.constantFrom(...PC_STEPS),
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      a: fc.constant('advance' as const),
      ms: fc.constantFrom(1, 1, 10, 50, 200, ...ADVANCES),
    }),
  },
);

const pairConfigArb = fc.record({
  latencyMs: fc.constantFrom(0, 10, 200),
  dropRate: fc.constantFrom(0, 0, 0.1, 0.3),
  duplicateRate: fc.constantFrom(0, 0, 0.3),
  reorder: fc.boolean(),
  seed: fc.integer(),
  callId: fc.constantFrom(undefined, 'call-1'),
  maxDurationMs: fc.constantFrom(undefined, 2_000),
});

type PairConfig = typeof pairConfigArb extends fc.Arbitrary<infer T> ? T : never;

async function runPair(pairConfig: PairConfig, actions: PairAction[]): Promise<void> {
  const clock = new ManualClock();
  const runtime = new FakeRuntime();
  const pair = createInMemorySignalingPair({
    clock,
    latencyMs: pairConfig.latencyMs,
    dropRate: pairConfig.dropRate,
    duplicateRate: pairConfig.duplicateRate,
    reorder: pairConfig.reorder,
    seed: pairConfig.seed,
  });
  const common = {
    runtime,
    clock,
    endOnPageHide: false,
    connectTimeoutMs: 10_000,
    disconnectGraceMs: 500,
    iceRestartTimeoutMs: 1_000,
    ...(pairConfig.callId !== undefined && { callId: pairConfig.callId }),
    ...(pairConfig.maxDurationMs !== undefined && { maxDurationMs: pairConfig.maxDurationMs }),
  };
  const sessions = {
    a: new CallSession({ signaling: pair.a, polite: true, ...common }),
    b: new CallSession({ signaling: pair.b, polite: false, ...common }),
  };
  const observers = { a: new SessionObserver(sessions.a, 'a'), b: new SessionObserver(sessions.b, 'b') };
  const pcOf = new Map<Side, number>();
  const problems: string[] = [];
  const trace: string[] = [];
  unhandled.length = 0;

  const check = (final: boolean): void => {
    const allEnded = sessions.a.state === 'ended' && sessions.b.state === 'ended';
    for (const side of ['a', 'b'] as const) {
      observers[side].watchAfterEnd();
      problems.push(
        ...checkInvariants(sessions[side], observers[side], runtime, { allSessionsEnded: final || allEnded }),
      );
    }
  };

  for (const action of actions) {
    trace.push(JSON.stringify(action));
    const countBefore = runtime.peerConnections.length;
    switch (action.a) {
      case 'start':
        guarded(problems, `${action.side}.start()`, () => observers[action.side].start());
        break;
      case 'teardown':
        guarded(problems, `${action.side}.teardown()`, () => sessions[action.side].teardown(action.reason));
        break;
      case 'setMuted':
        guarded(problems, `${action.side}.setMuted()`, () =>
          sessions[action.side].setMuted(action.kind, action.muted),
        );
        break;
      case 'media-control':
        runMediaControl(sessions[action.side], action.control, problems);
        break;
      case 'leave':
        guarded(problems, 'pair.leave()', () => pair.leave(action.side));
        break;
      case 'finalize':
        guarded(problems, 'pair.finalize()', () => pair.finalize({ by: 'property' }));
        break;
      case 'close':
        guarded(problems, 'pair.close()', () => pair.close());
        break;
      case 'media':
        if (action.op === 'hold') runtime.holdMedia(true);
        else if (action.op === 'release-hold') runtime.holdMedia(false);
        else {
          const request = runtime.pendingMedia[action.index % Math.max(1, runtime.pendingMedia.length)];
          if (action.op === 'resolve') request?.resolve();
          else request?.reject(notAllowed());
        }
        break;
      case 'pc-state': {
        const index = pcOf.get(action.side);
        guarded(problems, 'connectionstatechange', () =>
          index === undefined ? undefined : runtime.peerConnections[index]?.setConnectionState(action.state),
        );
        break;
      }
      case 'pc-fail': {
        const index = pcOf.get(action.side);
        if (index !== undefined) runtime.peerConnections[index]?.failNext(action.step);
        break;
      }
      case 'advance':
        guarded(problems, 'clock.advance', () => clock.advance(action.ms));
        break;
    }
    await flush();
    // Attribute new peer connections to the session that now reports one.
    for (let index = countBefore; index < runtime.peerConnections.length; index++) {
      for (const side of ['a', 'b'] as const) {
        if (!pcOf.has(side) && sessions[side].liveResources().peerConnection) pcOf.set(side, index);
      }
    }
    check(false);
    if (problems.length > 0) break;
  }
  if (problems.length === 0) {
    sessions.a.end();
    sessions.b.end();
    clock.advance(1_000_000);
    await flush();
    check(true);
    for (const side of ['a', 'b'] as const) {
      for (const state of new Set(observers[side].states)) count(`pair:state:${state}`);
      count(`pair:end:${sessions[side].endReason}`);
    }
    if (unhandled.length > 0) problems.push(`unhandled rejection: ${String(unhandled[0])}`);
  }
  if (problems.length > 0) {
    throw new Error(`${[...new Set(problems)].join('\n')}\n--- trace ---\n${trace.join('\n')}`);
  }
}

describe('lifecycle properties: two sessions over a faulty in-memory pair', () => {
  it(
    'keeps every invariant for both peers under drops, duplicates, reordering and any interleaving',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          pairConfigArb,
          startingWith<PairAction>(
            [
              { a: 'start', side: 'a' },
              { a: 'start', side: 'b' },
            ],
            fc.array(pairActionArb, { minLength: 1, maxLength: 40 }),
          ),
          (config, actions) => runPair(config, actions),
        ),
        propsParameters(),
      );
    },
    PROPS_TIMEOUT_MS,
  );

  it('connects both peers when nothing goes wrong (the harness can reach connected)', async () => {
    const clock = new ManualClock();
    const runtime = new FakeRuntime();
    const pair = createInMemorySignalingPair({ clock });
    const a = new CallSession({ signaling: pair.a, polite: true, runtime, clock, endOnPageHide: false });
    const b = new CallSession({ signaling: pair.b, polite: false, runtime, clock, endOnPageHide: false });
    const started = [a.start(), b.start()];
    for (let i = 0; i < 20 && (a.state !== 'connected' || b.state !== 'connected'); i++) {
      clock.advance(1);
      await flush();
    }
    await Promise.all(started);
    expect([a.state, b.state]).toEqual(['connected', 'connected']);
    a.end();
    await flush();
    clock.advance(10);
    await flush();
    expect(b.endReason).toBe('remote-hangup');
    expect(runtime.liveTracks()).toEqual([]);
    expect(runtime.openPeerConnections()).toEqual([]);
  });
});
