import { describe, expect, it } from 'vitest';
import { CallSession, createInMemorySignalingPair } from '../../../src/index.js';
import { resolveOptions } from '../../../src/session/options.js';
import { FakeRuntime, ManualClock } from '../../../src/testing/index.js';
import { connect, driveTo, expectReleased, fakeCall, remoteCandidate, solo } from '../../helpers/fakeCall.js';
import { checkedLogger, takeProblems } from '../../helpers/problems.js';

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

describe("a test's own logger does not hide error logs (test/helpers/failOnProblems.ts)", () => {
  it('an error logged to a session given its own logger is recorded as a problem, and still reaches that logger', () => {
    const { a } = createInMemorySignalingPair();
    const seen: string[] = [];
    const own = { debug() {}, info() {}, warn() {}, error: (message: string) => seen.push(message) };
    const { logger } = resolveOptions({
      signaling: a,
      polite: true,
      runtime: new FakeRuntime(),
      logger: own,
    });
    logger.error('illegal transition x -> y ignored (a bug)');
    expect(seen).toEqual(['illegal transition x -> y ignored (a bug)']);
    expect(takeProblems()).toEqual(['error log: illegal transition x -> y ignored (a bug)']);
    // Other levels are not problems.
    logger.warn('a warning');
    expect(takeProblems()).toEqual([]);
  });

  it('checkedLogger does the same for an adapter or relay logger', () => {
    const seen: string[] = [];
    const logger = checkedLogger({
      debug() {},
      info() {},
      warn() {},
      error: (message) => seen.push(message),
    });
    logger.error('relay broke');
    expect(seen).toEqual(['relay broke']);
    expect(takeProblems()).toEqual(['error log: relay broke']);
  });
});
