import { expect } from 'vitest';
import { CallSession, type CallSessionOptions, type CallState, canTransition, createInMemorySignalingPair } from '../../src/index.js';
import type { InMemorySignalingOptions } from '../../src/signaling/createInMemorySignalingPair.js';
import { assertReleased, FakeRuntime, type FakeRuntimeOptions, ManualClock } from '../../src/testing/index.js';

/** Records every event a session emits, and fails the test on an illegal transition. */
export function record(session: CallSession): { events: string[]; states: CallState[]; errors: Error[] } {
  const log = { events: [] as string[], states: [session.state] as CallState[], errors: [] as Error[] };
  session.on('stateChange', (state, previous) => {
    expect(canTransition(previous, state), `${previous} -> ${state}`).toBe(true);
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
  session.on('expiring', () => log.events.push('expiring'));
  session.on('localStream', () => log.events.push('localStream'));
  session.on('remoteStream', () => log.events.push('remoteStream'));
  session.on('remoteMute', ({ kind, muted }) => log.events.push(`remoteMute:${kind}:${muted}`));
  return log;
}

export interface FakeCall {
  clock: ManualClock;
  runtime: FakeRuntime;
  pair: ReturnType<typeof createInMemorySignalingPair>;
  a: CallSession;
  b: CallSession;
}

/** Two sessions on one fake runtime over an in-memory pair driven by one ManualClock. */
export function fakeCall(
  options: Partial<CallSessionOptions> = {},
  runtimeOptions: FakeRuntimeOptions = {},
  pairOptions: InMemorySignalingOptions = {},
): FakeCall {
  const clock = new ManualClock();
  const runtime = new FakeRuntime(runtimeOptions);
  const pair = createInMemorySignalingPair({ clock, ...pairOptions });
  const common = { runtime, clock, endOnPageHide: false, ...options };
  const a = new CallSession({ signaling: pair.a, polite: true, ...common });
  const b = new CallSession({ signaling: pair.b, polite: false, ...common });
  return { clock, runtime, pair, a, b };
}

/** Starts both and lets the fake negotiation run until both are connected. */
export async function connect(call: FakeCall): Promise<void> {
  const started = [call.a.start(), call.b.start()];
  for (let i = 0; i < 50 && !(call.a.state === 'connected' && call.b.state === 'connected'); i++) {
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
    expect(session.liveResources()).toEqual({
      tracks: 0,
      peerConnection: false,
      timers: 0,
      signalingSubscribed: false,
      domListeners: 0,
      queuedCandidates: 0,
      pendingAcquisitions: 0,
    });
  }
}
