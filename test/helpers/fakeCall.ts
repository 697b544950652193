import { expect } from 'vitest';
import {
  CallSession,
  type CallSessionEvents,
  type CallSessionOptions,
  type CallState,
  canTransition,
  createInMemorySignalingPair,
  type SignalingAdapter,
  type SignalingEvent,
  type SignalMessage,
} from '../../src/index.js';
import type { InMemorySignalingOptions } from '../../src/signaling/createInMemorySignalingPair.js';
import {
  assertReleased,
  type FakeRTCPeerConnection,
  FakeRuntime,
  type FakeRuntimeOptions,
  ManualClock,
  NOTHING_HELD,
  settle,
} from '../../src/testing/index.js';
import { recordProblem } from './problems.js';

export interface EventLog {
  events: string[];
  states: CallState[];
  errors: Error[];
}

/** Every event of a session; a `Record` over the events type, so a new event cannot be forgotten here. */
const EVENT_SET: Record<keyof CallSessionEvents, true> = {
  stateChange: true,
  localStream: true,
  remoteStream: true,
  connected: true,
  reconnecting: true,
  tick: true,
  expiring: true,
  ended: true,
  error: true,
  remoteMute: true,
  message: true,
  quality: true,
};
export const ALL_EVENTS = Object.keys(EVENT_SET) as (keyof CallSessionEvents)[];

/** Records every event a session emits, and fails the test (in its afterEach) on an illegal transition. */
export function record(session: CallSession): EventLog {
  const log: EventLog = { events: [], states: [session.state], errors: [] };
  session.on('stateChange', (state, previous) => {
    // Recorded, not expected: the session isolates its listeners, so a failing expect here would surface in
    // a later macrotask; a recorded problem fails this test in its afterEach (test/helpers/failOnProblems.ts).
    if (!canTransition(previous, state)) recordProblem(`illegal transition ${previous} -> ${state}`);
    if (previous !== log.states.at(-1))
      recordProblem(`stateChange previous=${previous} but the last state seen was ${log.states.at(-1)}`);
    log.states.push(state);
    log.events.push(`state:${state}`);
  });
  session.on('connected', () => log.events.push('connected'));
  session.on('ended', (summary) => log.events.push(`ended:${summary.reason}`));
  session.on('error', (error) => {
    log.errors.push(error);
    log.events.push(`error:${error.code}`);
  });
  session.on('reconnecting', (attempt) => log.events.push(`reconnecting:${attempt}`));
  session.on('expiring', ({ remainingMs }) => log.events.push(`expiring:${remainingMs}`));
  session.on('tick', ({ elapsedMs, remainingMs }) => log.events.push(`tick:${elapsedMs}/${remainingMs}`));
  session.on('localStream', () => log.events.push('localStream'));
  session.on('remoteStream', () => log.events.push('remoteStream'));
  session.on('remoteMute', ({ kind, muted }) => log.events.push(`remoteMute:${kind}:${muted}`));
  return log;
}

/** Wraps an adapter so every message it sends is kept (structured-cloned) for assertions. */
function recordingAdapter(inner: SignalingAdapter, sent: SignalMessage[]): SignalingAdapter {
  return {
    send: (message) => {
      sent.push(structuredClone(message));
      return inner.send(message);
    },
    subscribe: (listener) => inner.subscribe(listener),
  };
}

export interface FakeCall {
  clock: ManualClock;
  runtime: FakeRuntime;
  pair: ReturnType<typeof createInMemorySignalingPair>;
  a: CallSession;
  b: CallSession;
  /** What each side sent, in order. */
  sent: { a: SignalMessage[]; b: SignalMessage[] };
}

/**
 * Two sessions on one fake runtime over an in-memory pair driven by one ManualClock. `options.polite` is
 * side a's role (default true); b always gets the other one.
 */
export function fakeCall(
  options: Partial<CallSessionOptions> = {},
  runtimeOptions: FakeRuntimeOptions = {},
  pairOptions: InMemorySignalingOptions = {},
): FakeCall {
  const clock = new ManualClock();
  const runtime = new FakeRuntime(runtimeOptions);
  const pair = createInMemorySignalingPair({ clock, ...pairOptions });
  const { polite: aPolite = true, ...rest } = options;
  const common = { runtime, clock, endOnPageHide: false, ...rest };
  const sent = { a: [] as SignalMessage[], b: [] as SignalMessage[] };
  const a = new CallSession({ signaling: recordingAdapter(pair.a, sent.a), polite: aPolite, ...common });
  const b = new CallSession({ signaling: recordingAdapter(pair.b, sent.b), polite: !aPolite, ...common });
  return { clock, runtime, pair, a, b, sent };
}

/** Starts both and lets the fake negotiation run until both are connected. */
export async function connect(call: FakeCall, maxMs = 50): Promise<void> {
  const started = [call.a.start(), call.b.start()];
  for (let i = 0; i < maxMs && !(call.a.state === 'connected' && call.b.state === 'connected'); i++) {
    await call.clock.advanceAsync(1);
  }
  expect(call.a.state).toBe('connected');
  expect(call.b.state).toBe('connected');
  await Promise.all(started);
}

/** The leak check every session-creating test ends with. */
export function expectReleased(...sessions: CallSession[]): void {
  for (const session of sessions) {
    expect(session.state).toBe('ended');
    assertReleased(session);
    expect(session.liveResources()).toEqual(NOTHING_HELD);
    expect(session.localStream).toBeUndefined();
    expect(session.remoteStream).toBeUndefined();
  }
}

/**
 * A signaling adapter the test drives by hand: it records every send and every (un)subscribe in `log`
 * (so the order of `send:bye` and `unsubscribe` can be asserted) and lets the test deliver events.
 */
export class SpySignaling implements SignalingAdapter {
  /** Every message sent, structured-cloned, in order. */
  readonly sent: SignalMessage[] = [];
  /** `subscribe`, `send:<type>`, `unsubscribe` and `close`, in the order they happened. */
  readonly log: string[] = [];
  /** When set, `send` throws it (only for the types in `failTypes`, if given). */
  sendError: unknown;
  failTypes: SignalMessage['type'][] | undefined;
  /** When set, `send` returns a promise rejected with it. */
  sendRejection: unknown;
  /** When set, the unsubscribe function throws it (after unsubscribing). */
  unsubscribeError: unknown;
  /** When set, `subscribe` throws it. */
  subscribeError: unknown;
  #listener: ((event: SignalingEvent) => void) | undefined;
  #lastListener: ((event: SignalingEvent) => void) | undefined;

  send(message: SignalMessage): void | Promise<void> {
    this.log.push(`send:${message.type}`);
    if (this.sendError !== undefined && (!this.failTypes || this.failTypes.includes(message.type))) {
      throw this.sendError;
    }
    this.sent.push(structuredClone(message));
    if (this.sendRejection !== undefined) return Promise.reject(this.sendRejection);
  }

  subscribe(listener: (event: SignalingEvent) => void): () => void {
    this.log.push('subscribe');
    if (this.subscribeError !== undefined) throw this.subscribeError;
    this.#listener = listener;
    this.#lastListener = listener;
    return () => {
      this.log.push('unsubscribe');
      if (this.#listener === listener) this.#listener = undefined;
      if (this.unsubscribeError !== undefined) throw this.unsubscribeError;
    };
  }

  /** When set, `close` throws it. */
  closeError: unknown;

  /** Logged as `close`; a session calls it only for an adapter it created (`signaling: () => adapter`). */
  close(): void {
    this.log.push('close');
    if (this.closeError !== undefined) throw this.closeError;
  }

  get subscribed(): boolean {
    return this.#listener !== undefined;
  }

  /** Delivers to the current subscriber (nothing when there is none). */
  deliver(event: SignalingEvent): void {
    this.#listener?.(event);
  }

  /** Delivers to the last listener ever subscribed, even after it unsubscribed: a late adapter callback. */
  deliverLate(event: SignalingEvent): void {
    this.#lastListener?.(event);
  }

  message(data: unknown): void {
    this.deliver({ type: 'message', data });
  }

  sentOfType<T extends SignalMessage['type']>(type: T): Extract<SignalMessage, { type: T }>[] {
    return this.sent.filter((message) => message.type === type) as Extract<SignalMessage, { type: T }>[];
  }
}

export interface Solo {
  clock: ManualClock;
  runtime: FakeRuntime;
  signaling: SpySignaling;
  session: CallSession;
  log: EventLog;
  /** The session's peer connection (throws when there is none yet). */
  pc(): FakeRTCPeerConnection;
}

/**
 * One session against a {@link SpySignaling}, on a fake runtime that neither connects nor gathers by itself:
 * the test moves the peer connection with `pc().setConnectionState(...)`.
 */
export function solo(
  options: Partial<CallSessionOptions> = {},
  runtimeOptions: FakeRuntimeOptions = {},
): Solo {
  const clock = new ManualClock();
  const runtime = new FakeRuntime({ autoConnect: false, gatherCandidates: false, ...runtimeOptions });
  const signaling = new SpySignaling();
  const session = new CallSession({
    signaling,
    // Impolite: it makes the first offer (a polite side waits for the peer's), which most tests drive.
    polite: false,
    runtime,
    clock,
    endOnPageHide: false,
    ...options,
  });
  const log = record(session);
  return {
    clock,
    runtime,
    signaling,
    session,
    log,
    pc: () => {
      const pc = runtime.lastPeerConnection;
      if (!pc) throw new Error('no peer connection yet');
      return pc;
    },
  };
}

/** Every state a live session can be in. */
export const LIVE_STATES = ['idle', 'starting', 'connecting', 'connected', 'reconnecting'] as const;
export type LiveState = (typeof LIVE_STATES)[number];

/**
 * Drives a {@link solo} session into `state`: `starting` holds the media request, `connecting` lets it
 * resolve, `connected` / `reconnecting` move the fake peer connection.
 */
export async function driveTo(s: Solo, state: LiveState): Promise<void> {
  if (state === 'idle') return;
  if (state === 'starting') s.runtime.holdMedia();
  void s.session.start();
  await settle();
  if (state === 'starting') {
    expect(s.session.state).toBe('starting');
    return;
  }
  expect(s.session.state).toBe('connecting');
  if (state === 'connecting') return;
  // The peer answers the session's offer, as a real one would before ICE connects: the connection is
  // 'stable' from here on.
  s.signaling.message({ type: 'description', description: remoteSdp('answer') });
  await settle();
  expect(s.pc().signalingState).toBe('stable');
  s.pc().setConnectionState('connected');
  expect(s.session.state).toBe('connected');
  if (state === 'connected') return;
  s.pc().setConnectionState('disconnected');
  expect(s.session.state).toBe('reconnecting');
}

/** A well-formed remote candidate of ICE generation `ufrag`. */
export function remoteCandidate(n: number, ufrag = 'R1'): RTCIceCandidateInit {
  return {
    candidate: `candidate:${n} 1 udp 2122260223 10.0.0.${n} ${50000 + n} typ host`,
    sdpMid: '0',
    sdpMLineIndex: 0,
    usernameFragment: ufrag,
  };
}

/** A remote description whose ICE generation is `ufrag`. */
export function remoteSdp(
  type: 'offer' | 'answer',
  ufrag = 'R1',
  version = 1,
): { type: typeof type; sdp: string } {
  return {
    type,
    sdp: `v=0\r\no=- 9 ${version} IN IP4 127.0.0.1\r\ns=remote\r\nt=0 0\r\na=ice-ufrag:${ufrag}\r\na=ice-pwd:pw${ufrag}\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n`,
  };
}
