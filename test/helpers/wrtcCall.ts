import { expect } from 'vitest';
import {
  CallSession,
  type CallSessionOptions,
  canTransition,
  createInMemorySignalingPair,
  type HangupError,
  type InMemorySignalingOptions,
} from '../../src/index.js';
import { assertReleased } from '../../src/testing/index.js';
import { debugLogger } from './debugLogger.js';
import { recordProblem } from './problems.js';
import { wrtcRuntime } from './wrtcRuntime.js';

export interface WrtcSide {
  session: CallSession;
  /** Every local track the session exposed, to check they were stopped. */
  tracks: MediaStreamTrack[];
  errors: HangupError[];
  debug: string[];
}

export interface WrtcCall {
  pair: ReturnType<typeof createInMemorySignalingPair>;
  a: WrtcSide;
  b: WrtcSide;
}

function side(options: CallSessionOptions): WrtcSide {
  // An error log (an illegal transition, say) still fails the test that caused it (see debugLogger).
  const { logger, debug } = debugLogger();
  const session = new CallSession({ runtime: wrtcRuntime, logger, ...options });
  const result: WrtcSide = { session, tracks: [], errors: [], debug };
  session.on('localStream', (stream) => result.tracks.push(...stream.getTracks()));
  session.on('error', (error) => result.errors.push(error));
  session.on('stateChange', (state, previous) => {
    if (!canTransition(previous, state)) recordProblem(`illegal transition ${previous} -> ${state}`);
  });
  return result;
}

/** Two real @roamhq/wrtc sessions over the in-memory pair. */
export function wrtcCall(
  options: Partial<CallSessionOptions> = {},
  pairOptions: InMemorySignalingOptions = {},
  perSide: { a?: Partial<CallSessionOptions>; b?: Partial<CallSessionOptions> } = {},
): WrtcCall {
  const pair = createInMemorySignalingPair(pairOptions);
  return {
    pair,
    a: side({ signaling: pair.a, polite: true, ...options, ...perSide.a }),
    b: side({ signaling: pair.b, polite: false, ...options, ...perSide.b }),
  };
}

/** Asserts the side ended, released everything, and stopped every track; then drops the references. */
export function expectSideReleased(s: WrtcSide): void {
  expect(s.session.state).toBe('ended');
  assertReleased(s.session);
  expect(s.session.localStream).toBeUndefined();
  expect(s.session.remoteStream).toBeUndefined();
  expect(s.tracks.map((track) => track.readyState)).toEqual(s.tracks.map(() => 'ended'));
  // @roamhq/wrtc can crash at exit while stopped tracks are reachable.
  s.tracks.length = 0;
}
