/**
 * Compile-time tests of the public types of `hangup` (run by `npm run test:types`, i.e. `tsc`). Each
 * `@ts-expect-error` line is a test: it fails the build if the type starts accepting what it must refuse.
 */
import { describe, expectTypeOf, it } from 'vitest';
import {
  CALL_STATE_TRANSITIONS,
  type CallEndedError,
  CallSession,
  type CallSessionEvents,
  type CallSessionOptions,
  type CallState,
  createInMemorySignalingPair,
  END_REASONS,
  type EndReason,
  type EndSummary,
  type HangupError,
  type HangupErrorCode,
  type InvalidSignalError,
  isCallEndedError,
  isEndReason,
  isHangupError,
  type LiveResources,
  type MediaAcquisitionError,
  parseSignalMessage,
  type SignalingAdapter,
  type SignalingEvent,
  type SignalMessage,
} from '../../src/index.js';

declare const session: CallSession;
declare const signaling: SignalingAdapter;

describe('end reasons and states', () => {
  it('EndReason is exactly the contract list', () => {
    expectTypeOf<EndReason>().toEqualTypeOf<
      | 'hangup'
      | 'remote-hangup'
      | 'peer-left'
      | 'expired'
      | 'finalized'
      | 'connect-timeout'
      | 'ice-failed'
      | 'media-error'
      | 'signaling-closed'
      | 'page-hide'
      | 'disposed'
      | 'error'
    >();
    expectTypeOf(END_REASONS).toEqualTypeOf<readonly EndReason[]>();
    const value: unknown = 'hangup';
    if (isEndReason(value)) expectTypeOf(value).toEqualTypeOf<EndReason>();
  });

  it('CallState is exactly the contract list and the transition table is keyed by it', () => {
    expectTypeOf<CallState>().toEqualTypeOf<
      'idle' | 'starting' | 'connecting' | 'connected' | 'reconnecting' | 'ended'
    >();
    expectTypeOf(CALL_STATE_TRANSITIONS).toEqualTypeOf<Readonly<Record<CallState, readonly CallState[]>>>();
  });

  it('EndSummary carries the reason and timings, error optional', () => {
    expectTypeOf<EndSummary['reason']>().toEqualTypeOf<EndReason>();
    expectTypeOf<EndSummary['endedAt']>().toEqualTypeOf<number>();
    expectTypeOf<EndSummary['durationMs']>().toEqualTypeOf<number>();
    expectTypeOf<EndSummary['startedAt']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<EndSummary['connectedAt']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<EndSummary['error']>().toEqualTypeOf<unknown>();
  });
});

describe('CallSession methods', () => {
  it('has the contract signatures', () => {
    expectTypeOf(session.start).toEqualTypeOf<() => Promise<void>>();
    expectTypeOf(session.end).returns.toEqualTypeOf<EndSummary>();
    expectTypeOf(session.teardown).parameters.toEqualTypeOf<[reason: EndReason, error?: unknown]>();
    expectTypeOf(session.teardown).returns.toEqualTypeOf<EndSummary>();
    expectTypeOf(session.state).toEqualTypeOf<CallState>();
    expectTypeOf(session.endReason).toEqualTypeOf<EndReason | undefined>();
    expectTypeOf(session.localStream).toEqualTypeOf<MediaStream | undefined>();
    expectTypeOf(session.remoteStream).toEqualTypeOf<MediaStream | undefined>();
    expectTypeOf(session.remainingMs).toEqualTypeOf<number | undefined>();
    expectTypeOf(session.elapsedMs).toEqualTypeOf<number>();
    expectTypeOf(session.ended).toEqualTypeOf<Promise<EndSummary>>();
    expectTypeOf(session.id).toEqualTypeOf<string>();
    expectTypeOf(session.liveResources()).toEqualTypeOf<LiveResources>();
    expectTypeOf(session.isMuted('audio')).toEqualTypeOf<boolean>();
  });

  it('refuses what the contract does not allow', () => {
    // @ts-expect-error not an end reason
    session.teardown('bye');
    // @ts-expect-error only audio or video can be muted
    session.setMuted('screen', true);
    // @ts-expect-error the state is read-only
    session.state = 'ended';
  });

  it('LiveResources has exactly the contract fields', () => {
    expectTypeOf<LiveResources>().toEqualTypeOf<{
      readonly tracks: number;
      readonly peerConnection: boolean;
      readonly timers: number;
      readonly signalingSubscribed: boolean;
      readonly domListeners: number;
      readonly queuedCandidates: number;
      readonly pendingAcquisitions: number;
    }>();
  });
});

describe('event payloads', () => {
  it('types every listener from CallSessionEvents', () => {
    session.on('stateChange', (state, previous) => {
      expectTypeOf(state).toEqualTypeOf<CallState>();
      expectTypeOf(previous).toEqualTypeOf<CallState>();
    });
    session.on('ended', (summary) => expectTypeOf(summary).toEqualTypeOf<EndSummary>());
    session.on('error', (error) => expectTypeOf(error).toEqualTypeOf<HangupError>());
    session.on('localStream', (stream) => expectTypeOf(stream).toEqualTypeOf<MediaStream>());
    session.on('remoteStream', (stream) => expectTypeOf(stream).toEqualTypeOf<MediaStream>());
    session.on('reconnecting', (attempt) => expectTypeOf(attempt).toEqualTypeOf<number>());
    session.on('connected', (...args) => expectTypeOf(args).toEqualTypeOf<[]>());
    session.on('tick', (progress) => {
      expectTypeOf(progress.elapsedMs).toEqualTypeOf<number>();
      expectTypeOf(progress.remainingMs).toEqualTypeOf<number | undefined>();
    });
    session.on('expiring', ({ remainingMs }) => expectTypeOf(remainingMs).toEqualTypeOf<number>());
    session.on('remoteMute', ({ kind, muted }) => {
      expectTypeOf(kind).toEqualTypeOf<'audio' | 'video'>();
      expectTypeOf(muted).toEqualTypeOf<boolean>();
    });
    session.on('message', (data) => expectTypeOf(data).toEqualTypeOf<string | ArrayBuffer>());
    session.on('quality', (stats) => {
      expectTypeOf(stats.rttMs).toEqualTypeOf<number | undefined>();
      expectTypeOf(stats.candidateType).toEqualTypeOf<'host' | 'srflx' | 'prflx' | 'relay' | undefined>();
    });
  });

  it('refuses unknown events and wrong listener shapes', () => {
    // @ts-expect-error no such event
    session.on('hangup', () => {});
    // @ts-expect-error stateChange passes CallStates, not numbers
    session.on('stateChange', (state: number) => state);
    // @ts-expect-error ended passes one summary
    session.emit('ended');
  });

  it('lists the contract events', () => {
    expectTypeOf<keyof CallSessionEvents>().toEqualTypeOf<
      | 'stateChange'
      | 'localStream'
      | 'remoteStream'
      | 'connected'
      | 'reconnecting'
      | 'tick'
      | 'expiring'
      | 'ended'
      | 'error'
      | 'remoteMute'
      | 'message'
      | 'quality'
    >();
  });
});

describe('options', () => {
  it('needs signaling and polite, nothing else', () => {
    const minimal: CallSessionOptions = { signaling, polite: true };
    expectTypeOf(minimal).toMatchTypeOf<CallSessionOptions>();
    // @ts-expect-error polite is required
    const noPolite: CallSessionOptions = { signaling };
    // @ts-expect-error signaling is required
    const noSignaling: CallSessionOptions = { polite: false };
    void noPolite;
    void noSignaling;
  });

  it('types media, durations and hooks', () => {
    expectTypeOf<CallSessionOptions['media']>().toEqualTypeOf<
      MediaStreamConstraints | MediaStream | false | undefined
    >();
    expectTypeOf<CallSessionOptions['maxDurationMs']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<CallSessionOptions['connectTimeoutMs']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<CallSessionOptions['callId']>().toEqualTypeOf<string | undefined>();
    // @ts-expect-error media: true is not a thing (use {} constraints or omit it)
    const trueMedia: CallSessionOptions = { signaling, polite: true, media: true };
    void trueMedia;
    expectTypeOf(CallSession).constructorParameters.toEqualTypeOf<[options: CallSessionOptions]>();
  });
});

describe('errors', () => {
  it('have codes, reasons and narrowing guards', () => {
    expectTypeOf<HangupError['code']>().toEqualTypeOf<HangupErrorCode>();
    expectTypeOf<CallEndedError['reason']>().toEqualTypeOf<EndReason>();
    expectTypeOf<CallEndedError['summary']>().toEqualTypeOf<EndSummary>();
    expectTypeOf<CallEndedError>().toMatchTypeOf<HangupError>();
    expectTypeOf<InvalidSignalError>().toMatchTypeOf<HangupError>();
    expectTypeOf<MediaAcquisitionError>().toMatchTypeOf<HangupError>();
    const caught: unknown = undefined;
    if (isHangupError(caught)) expectTypeOf(caught.code).toEqualTypeOf<HangupErrorCode>();
    if (isCallEndedError(caught)) expectTypeOf(caught.reason).toEqualTypeOf<EndReason>();
  });
});

describe('signaling', () => {
  it('types messages, events and adapters', () => {
    expectTypeOf<SignalMessage['type']>().toEqualTypeOf<'description' | 'candidate' | 'bye' | 'mute'>();
    expectTypeOf<SignalingEvent['type']>().toEqualTypeOf<
      'message' | 'peer-left' | 'finalize' | 'closed' | 'interrupted' | 'resumed'
    >();
    expectTypeOf(parseSignalMessage).returns.toEqualTypeOf<SignalMessage>();
    expectTypeOf<SignalingAdapter['subscribe']>().returns.toEqualTypeOf<() => void>();
    const pair = createInMemorySignalingPair();
    expectTypeOf(pair.a).toMatchTypeOf<SignalingAdapter>();
    expectTypeOf(pair.leave).parameters.toEqualTypeOf<[side: 'a' | 'b']>();
    // @ts-expect-error a bye needs a reason
    const bye: SignalMessage = { type: 'bye' };
    void bye;
  });
});
