import { describe, expect, it } from 'vitest';
import { CallSession, type SignalingAdapter, type SignalingEvent } from '../../../src/index.js';
import { createFakeMediaStream, FakeRuntime, ManualClock } from '../../../src/testing/index.js';
import { expectReleased } from '../../helpers/fakeCall.js';

// Found by the lifecycle properties (test/unit/props): a handed-in stream was only taken over once media
// "acquisition" ran, so a call ended during start() itself left the camera on.

function signaling(onSubscribe?: (listener: (event: SignalingEvent) => void) => void): SignalingAdapter {
  return {
    send: () => {},
    subscribe: (listener) => {
      onSubscribe?.(listener);
      return () => {};
    },
  };
}

describe('a handed-in stream, call ended during start()', () => {
  it('is stopped when a stateChange listener ends the call at starting', () => {
    const stream = createFakeMediaStream();
    const session = new CallSession({
      signaling: signaling(),
      polite: true,
      runtime: new FakeRuntime(),
      clock: new ManualClock(),
      endOnPageHide: false,
      media: stream,
    });
    session.on('stateChange', (state) => {
      if (state === 'starting') session.end();
    });
    void session.start();
    expect(session.endReason).toBe('hangup');
    expect(stream.getTracks().map((track) => track.readyState)).toEqual(['ended', 'ended']);
    expectReleased(session);
  });

  it('is stopped when the signaling adapter reports peer-left synchronously on subscribe', () => {
    const stream = createFakeMediaStream();
    const session = new CallSession({
      signaling: signaling((listener) => listener({ type: 'peer-left' })),
      polite: true,
      runtime: new FakeRuntime(),
      clock: new ManualClock(),
      endOnPageHide: false,
      media: stream,
    });
    void session.start();
    expect(session.endReason).toBe('peer-left');
    expect(stream.getTracks().map((track) => track.readyState)).toEqual(['ended', 'ended']);
    expectReleased(session);
  });
});
