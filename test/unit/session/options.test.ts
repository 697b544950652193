import { afterEach, describe, expect, it, vi } from 'vitest';
import { CallSession, type CallSessionOptions, createInMemorySignalingPair } from '../../../src/index.js';
import { FakeRuntime, ManualClock, settle } from '../../../src/testing/index.js';
import { expectReleased, remoteSdp, solo } from '../../helpers/fakeCall.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

function build(overrides: Record<string, unknown>): () => CallSession {
  const pair = createInMemorySignalingPair({ clock: new ManualClock() });
  return () =>
    new CallSession({
      signaling: pair.a,
      polite: true,
      runtime: new FakeRuntime(),
      ...overrides,
    } as CallSessionOptions);
}

describe('option validation', () => {
  it('needs an options object', () => {
    expect(() => new CallSession(undefined as unknown as CallSessionOptions)).toThrow(TypeError);
  });

  it.each([
    ['missing', undefined],
    ['null', null],
    ['without subscribe', { send() {} }],
    ['without send', { subscribe: () => () => {} }],
  ])('rejects signaling %s with a TypeError naming SignalingAdapter', (_name, signaling) => {
    expect(build({ signaling })).toThrow(TypeError);
    expect(build({ signaling })).toThrow(
      /options\.signaling must be a SignalingAdapter with send\(\) and subscribe\(\)/,
    );
  });

  it.each([undefined, 'yes', 1, null])('rejects polite = %s: it must be a boolean', (polite) => {
    expect(build({ polite })).toThrow(TypeError);
    expect(build({ polite })).toThrow(/options\.polite must be true on exactly one of the two peers/);
  });

  it.each([
    'connectTimeoutMs',
    'maxDurationMs',
    'expiryWarningMs',
    'tickMs',
    'disconnectGraceMs',
    'iceRestartTimeoutMs',
  ])('rejects a negative %s, naming it', (name) => {
    expect(build({ [name]: -1 })).toThrow(TypeError);
    expect(build({ [name]: -1 })).toThrow(
      new RegExp(`options\\.${name} must be a finite number of milliseconds`),
    );
    expect(build({ [name]: Number.NaN })).toThrow(TypeError);
    expect(build({ [name]: Number.POSITIVE_INFINITY })).toThrow(TypeError);
  });

  it.each(['maxDurationMs', 'tickMs', 'iceRestartTimeoutMs'])('rejects %s = 0 (must be > 0)', (name) => {
    expect(build({ [name]: 0 })).toThrow(/> 0/);
  });

  it.each(['maxIceRestarts', 'maxQueuedCandidates'])('rejects a non-integer or negative %s', (name) => {
    expect(build({ [name]: -1 })).toThrow(new RegExp(`options\\.${name} must be a whole number`));
    expect(build({ [name]: 1.5 })).toThrow(TypeError);
  });

  it('rejects bad media and callId', () => {
    expect(build({ media: 'camera' })).toThrow(
      /options\.media must be MediaStreamConstraints, a MediaStream, or false/,
    );
    expect(build({ callId: '' })).toThrow(/options\.callId must be a non-empty string/);
    expect(build({ callId: 42 })).toThrow(TypeError);
  });

  it('without a runtime where there is no RTCPeerConnection: says to pass @roamhq/wrtc', () => {
    vi.stubGlobal('RTCPeerConnection', undefined);
    expect(build({ runtime: undefined })).toThrow(TypeError);
    expect(build({ runtime: undefined })).toThrow(
      'no RTCPeerConnection: in Node pass options.runtime from @roamhq/wrtc ({ RTCPeerConnection, getUserMedia })',
    );
  });

  it('rejects a malformed runtime', () => {
    expect(build({ runtime: { getUserMedia() {} } })).toThrow(
      /options\.runtime\.RTCPeerConnection must be a constructor/,
    );
    expect(build({ runtime: { RTCPeerConnection: class {} } })).toThrow(
      /options\.runtime\.getUserMedia must be a function/,
    );
  });

  it('uses the browser globals when no runtime is given', () => {
    vi.stubGlobal('RTCPeerConnection', new FakeRuntime().RTCPeerConnection);
    const session = build({ runtime: undefined })();
    expect(session.state).toBe('idle');
    session.end();
    expectReleased(session);
  });

  it('accepts the smallest valid options and fills in the defaults', () => {
    const s = solo();
    expect(s.session.state).toBe('idle');
    expect(s.session.remainingMs).toBeUndefined();
    expect(s.session.elapsedMs).toBe(0);
    expect(typeof s.session.id).toBe('string');
    expect(solo().session.id).not.toBe(s.session.id);
    s.session.end();
    expectReleased(s.session);
  });

  it('the defaults: 30 s connect timeout, 3 s grace, 2 restarts of 10 s each', async () => {
    const s = solo();
    void s.session.start();
    await new Promise((resolve) => setTimeout(resolve, 0));
    s.clock.advance(29_999);
    expect(s.session.state).toBe('connecting');
    s.signaling.message({ type: 'description', description: remoteSdp('answer') });
    await settle();
    s.pc().setConnectionState('connected');
    s.pc().setConnectionState('disconnected');
    s.clock.advance(2_999);
    expect(s.pc().restartIceCalls).toBe(0);
    s.clock.advance(1);
    expect(s.pc().restartIceCalls).toBe(1);
    s.clock.advance(10_000);
    expect(s.pc().restartIceCalls).toBe(2);
    s.clock.advance(9_999);
    expect(s.session.state).toBe('reconnecting');
    s.clock.advance(1);
    expect(s.session.endReason).toBe('ice-failed');
    expectReleased(s.session);
  });
});
