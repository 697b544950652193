import { describe, expect, it } from 'vitest';
import { connect, expectReleased, fakeCall, record } from '../helpers/fakeCall.js';

describe('smoke', () => {
  it('connects two fake sessions and hangs up', async () => {
    const call = fakeCall();
    const logA = record(call.a);
    const logB = record(call.b);
    await connect(call);
    const summary = call.a.end();
    expect(summary.reason).toBe('hangup');
    await call.clock.advanceAsync(10);
    expect(call.b.endReason).toBe('remote-hangup');
    expect(call.runtime.liveTracks()).toEqual([]);
    expectReleased(call.a, call.b);
    const upThenDown = (reason: string) => [
      'state:starting',
      'localStream',
      'state:connecting',
      'remoteStream',
      'state:connected',
      'connected',
      'state:ended',
      `ended:${reason}`,
    ];
    expect(logA.events).toEqual(upThenDown('hangup'));
    expect(logB.events).toEqual(upThenDown('remote-hangup'));
    expect([...logA.errors, ...logB.errors]).toEqual([]);
  });
});
