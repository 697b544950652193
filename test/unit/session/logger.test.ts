import { describe, expect, it } from 'vitest';
import { CallSession, createInMemorySignalingPair } from '../../../src/index.js';
import { FakeRuntime, ManualClock } from '../../../src/testing/index.js';
import { connect, driveTo, expectReleased, fakeCall, remoteCandidate, solo } from '../../helpers/fakeCall.js';

const throwingLogger = {
  debug: () => {
    throw new Error('debug boom');
  },
  info: () => {
    throw new Error('info boom');
  },
  warn: () => {
    throw new Error('warn boom');
  },
  error: () => {
    throw new Error('error boom');
  },
};

describe('an app logger that throws', () => {
  it('cannot make teardown throw, nor end or stall a call', async () => {
    const call = fakeCall({ logger: throwingLogger });
    await connect(call);
    expect(() => call.a.end()).not.toThrow();
    await call.clock.advanceAsync(1);
    expect(call.a.endReason).toBe('hangup');
    expect(call.b.endReason).toBe('remote-hangup');
    expectReleased(call.a, call.b);
  });

  it('cannot turn a debug-logged inbound message or pc event into an end', async () => {
    const s = solo({ logger: throwingLogger });
    await driveTo(s, 'connected');
    s.signaling.deliver({ type: 'message', data: { type: 'candidate', candidate: remoteCandidate(1) } });
    s.signaling.deliver({ type: 'message', data: { type: 'nonsense' } });
    s.pc().setConnectionState('connected');
    expect(s.session.state).toBe('connected');
    s.session.end();
    expectReleased(s.session);
  });
});

describe('logger and clock options are checked up front', () => {
  it('rejects a logger without the four methods, and a clock without now/setTimeout/clearTimeout', () => {
    const { a } = createInMemorySignalingPair();
    const runtime = new FakeRuntime();
    const base = { signaling: a, polite: true, runtime };
    expect(() => new CallSession({ ...base, logger: { debug() {} } as never })).toThrow(/options\.logger/);
    expect(() => new CallSession({ ...base, clock: {} as never })).toThrow(/options\.clock/);
    expect(() => new CallSession({ ...base, endOnPageHide: 'yes' as never })).toThrow(/endOnPageHide/);
    expect(() => new CallSession({ ...base, clock: new ManualClock(), logger: console })).not.toThrow();
  });
});
