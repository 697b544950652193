import { afterEach, describe, expect, it, vi } from 'vitest';
import { settle } from '../../../src/testing/index.js';
import { driveTo, expectReleased, solo } from '../../helpers/fakeCall.js';

// These tests are about the real re-throw (a later macrotask), which the shared setup records instead.
vi.unmock('../../../src/util/rethrowLater.js');

afterEach(() => {
  vi.useRealTimers();
});

/** Runs the fake-timer macrotasks one at a time, collecting what each rethrew. */
function drainRethrown(): unknown[] {
  const thrown: unknown[] = [];
  while (vi.getTimerCount() > 0) {
    try {
      vi.advanceTimersToNextTimer();
    } catch (error) {
      thrown.push(error);
    }
  }
  return thrown;
}

describe('re-entrant teardown from inside listeners', () => {
  it('end() inside stateChange(connecting) stops the start: nothing is negotiated, the connection is closed', async () => {
    const s = solo();
    s.session.on('stateChange', (state) => {
      if (state === 'connecting') s.session.end();
    });
    void s.session.start();
    await settle();
    expect(s.session.endReason).toBe('hangup');
    expect(s.runtime.peerConnections).toHaveLength(1);
    expect(s.runtime.peerConnections[0]!.closed).toBe(true);
    expect(s.runtime.peerConnections[0]!.getSenders()).toEqual([]);
    expect(s.log.events.filter((e) => e.startsWith('state:'))).toEqual([
      'state:starting',
      'state:connecting',
      'state:ended',
    ]);
    expect(s.runtime.liveTracks()).toEqual([]);
    expectReleased(s.session);
  });

  it('end() inside stateChange(starting) stops the acquisition: the late camera is stopped at once', async () => {
    const s = solo();
    s.session.on('stateChange', (state) => {
      if (state === 'starting') s.session.end();
    });
    void s.session.start();
    await settle();
    expect(s.session.endReason).toBe('hangup');
    expect(s.runtime.peerConnections).toHaveLength(0);
    expect(s.runtime.liveTracks()).toEqual([]);
    expect(s.log.events).not.toContain('localStream');
    expectReleased(s.session);
  });

  it('end() inside connected: no call timers survive, start() still resolves', async () => {
    const s = solo({ maxDurationMs: 10_000 });
    s.session.on('connected', () => s.session.end());
    const started = s.session.start();
    await settle();
    s.pc().setConnectionState('connected');
    expect(s.session.endReason).toBe('hangup');
    expect(s.clock.pendingTimers).toBe(0);
    await expect(started).resolves.toBeUndefined();
    expectReleased(s.session);
  });

  it('teardown() inside stateChange(ended) and ended returns the first summary and emits nothing more', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    const inner: unknown[] = [];
    s.session.on('stateChange', (state) => {
      if (state === 'ended') inner.push(s.session.teardown('error'));
    });
    s.session.on('ended', () => inner.push(s.session.end()));
    const summary = s.session.teardown('expired');
    expect(inner).toEqual([summary, summary]);
    expect(s.log.events.filter((e) => e.includes('ended'))).toEqual(['state:ended', 'ended:expired']);
    expect(s.signaling.sentOfType('bye')).toEqual([{ type: 'bye', reason: 'expired' }]);
    expectReleased(s.session);
  });

  it('end() inside an error listener during teardown is a no-op', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    s.pc().closeError = new Error('close failed');
    let inner: unknown;
    s.session.on('error', () => {
      inner = s.session.teardown('error');
    });
    const summary = s.session.end();
    expect(inner).toBe(summary);
    expect(summary.reason).toBe('hangup');
    expectReleased(s.session);
  });

  it('end() inside an error listener for a bad inbound message ends the call cleanly', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    s.session.on('error', () => s.session.end());
    s.signaling.message({ type: 'nonsense' });
    expect(s.session.endReason).toBe('hangup');
    expectReleased(s.session);
  });

  it('end() inside reconnecting: the restart is not attempted', async () => {
    const s = solo({ disconnectGraceMs: 1000 });
    await driveTo(s, 'connected');
    s.session.on('reconnecting', (attempt) => {
      if (attempt === 1) s.session.end();
    });
    s.pc().setConnectionState('failed');
    expect(s.session.endReason).toBe('hangup');
    expect(s.runtime.peerConnections[0]?.restartIceCalls).toBe(0);
    expectReleased(s.session);
  });
});

describe('a throwing listener', () => {
  it('does not stop the other listeners or the session, and is rethrown asynchronously', async () => {
    const s = solo();
    const boom = new Error('listener bug');
    const after = vi.fn();
    s.session.on('stateChange', () => {
      throw boom;
    });
    s.session.on('stateChange', after);
    s.session.on('connected', () => {
      throw boom;
    });
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const started = s.session.start();
    // The fake runtime and session only use microtasks here: let them run.
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(s.session.state).toBe('connecting');
    s.runtime.lastPeerConnection?.setConnectionState('connected');
    expect(s.session.state).toBe('connected');
    expect(after.mock.calls.map(([state]) => state)).toEqual(['starting', 'connecting', 'connected']);
    // Nothing was thrown synchronously; each exception waits in its own macrotask.
    expect(vi.getTimerCount()).toBe(4); // three stateChange, one connected
    await expect(started).resolves.toBeUndefined();
    s.session.end(); // stateChange('ended') throws once more
    expect(drainRethrown()).toEqual([boom, boom, boom, boom, boom]);
    expectReleased(s.session);
  });

  it('a throwing ended listener: the session is still fully released and ended resolves', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    const boom = new Error('ended listener bug');
    const second = vi.fn();
    s.session.on('ended', () => {
      throw boom;
    });
    s.session.on('ended', second);
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    expect(() => s.session.end()).not.toThrow();
    expect(second).toHaveBeenCalledOnce();
    expect(s.session.eventNames()).toEqual([]);
    expect(drainRethrown()).toEqual([boom]);
    vi.useRealTimers();
    await expect(s.session.ended).resolves.toMatchObject({ reason: 'hangup' });
    expectReleased(s.session);
  });

  it('a throwing snapshot subscriber does not break the session either', async () => {
    const s = solo();
    const boom = new Error('render bug');
    s.session.subscribe(() => {
      throw boom;
    });
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    void s.session.start();
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(s.session.state).toBe('connecting');
    s.session.end();
    const thrown = drainRethrown();
    expect(thrown.length).toBeGreaterThan(0);
    expect(thrown.every((error) => error === boom)).toBe(true);
    vi.useRealTimers();
    expectReleased(s.session);
  });

  it('once() listeners fire once', async () => {
    const s = solo();
    const once = vi.fn();
    s.session.once('stateChange', once);
    await driveTo(s, 'connected');
    expect(once).toHaveBeenCalledOnce();
    expect(once).toHaveBeenCalledWith('starting', 'idle');
    s.session.end();
    expectReleased(s.session);
  });
});

describe('eventemitter3 semantics are kept', () => {
  it('a listener registered with a context is called with that context as this', async () => {
    const s = solo();
    const context = { states: [] as string[] };
    s.session.on(
      'stateChange',
      function (this: typeof context, state) {
        this.states.push(state);
      },
      context,
    );
    await driveTo(s, 'connecting');
    expect(context.states).toEqual(['starting', 'connecting']);
    s.session.end();
    expect(context.states).toEqual(['starting', 'connecting', 'ended']);
    expectReleased(s.session);
  });

  it('public emit() isolates a throwing listener and delivers nothing after the end', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const s = solo();
    const seen: number[] = [];
    s.session.on('reconnecting', () => {
      throw new Error('listener boom');
    });
    s.session.on('reconnecting', (attempt) => seen.push(attempt));
    expect(s.session.emit('reconnecting', 7)).toBe(true);
    expect(seen).toEqual([7]);
    expect(drainRethrown().map((error) => (error as Error).message)).toEqual(['listener boom']);
    s.session.end();
    s.session.on('reconnecting', (attempt) => seen.push(attempt));
    expect(s.session.emit('reconnecting', 8)).toBe(false);
    expect(seen).toEqual([7]);
    expectReleased(s.session);
  });
});
