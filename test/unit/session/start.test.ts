import { describe, expect, it } from 'vitest';
import { CallEndedError, isCallEndedError } from '../../../src/index.js';
import { settle } from '../../../src/testing/index.js';
import { driveTo, expectReleased, solo } from '../../helpers/fakeCall.js';

describe('start()', () => {
  it('a second call returns the same promise and starts nothing twice', async () => {
    const s = solo();
    const first = s.session.start();
    const second = s.session.start();
    expect(second).toBe(first);
    await settle();
    expect(s.runtime.mediaRequests).toHaveLength(1);
    expect(s.runtime.peerConnections).toHaveLength(1);
    expect(s.signaling.log.filter((entry) => entry === 'subscribe')).toHaveLength(1);
    s.session.end();
    expectReleased(s.session);
  });

  it('resolves at the first connected, not before', async () => {
    const s = solo();
    let resolved = false;
    const started = s.session.start().then(() => {
      resolved = true;
    });
    await settle();
    expect(s.session.state).toBe('connecting');
    expect(resolved).toBe(false);
    s.pc().setConnectionState('connected');
    await started;
    expect(resolved).toBe(true);
    s.session.end();
    expectReleased(s.session);
  });

  it('rejects with CallEndedError carrying the reason when the call ends first', async () => {
    const s = solo();
    const started = s.session.start();
    await settle();
    s.signaling.deliver({ type: 'peer-left' });
    const error = await started.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallEndedError);
    expect(isCallEndedError(error)).toBe(true);
    expect((error as CallEndedError).reason).toBe('peer-left');
    expect((error as CallEndedError).summary).toBe(await s.session.ended);
    expectReleased(s.session);
  });

  it('after the end rejects with CallEndedError and starts nothing', async () => {
    const s = solo();
    s.session.end();
    const started = s.session.start();
    await expect(started).rejects.toBeInstanceOf(CallEndedError);
    await expect(started).rejects.toMatchObject({ reason: 'hangup' });
    expect(s.runtime.mediaRequests).toEqual([]);
    expect(s.signaling.log).toEqual([]);
    expectReleased(s.session);
  });

  it('an ignored rejection is not unhandled (vitest would fail this test otherwise)', async () => {
    const s = solo();
    s.session.end();
    s.session.start();
    const other = solo();
    other.session.start();
    await settle();
    other.session.teardown('disposed');
    await settle();
    await settle();
    expectReleased(s.session, other.session);
  });

  it('after a call that connected and ended, start() returns the settled (resolved) promise', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    const first = s.session.start();
    s.session.end();
    expect(s.session.start()).toBe(first);
    await expect(first).resolves.toBeUndefined();
    expectReleased(s.session);
  });

  it('a subscribe() that throws ends the call signaling-closed at once, with nothing left behind', async () => {
    const s = solo({ endOnPageHide: true });
    const cause = new Error('no socket');
    s.signaling.subscribeError = cause;
    const started = s.session.start();
    expect(s.session.endReason).toBe('signaling-closed');
    await expect(started).rejects.toMatchObject({ reason: 'signaling-closed' });
    expect((await s.session.ended).error).toBe(cause);
    expect(s.runtime.mediaRequests).toEqual([]);
    expect(s.signaling.sentOfType('bye')).toEqual([]);
    expectReleased(s.session);
  });

  it('an adapter that delivers peer-left inside subscribe() ends the call with nothing left behind', async () => {
    const s = solo({ endOnPageHide: true, connectTimeoutMs: 1000 });
    const subscribe = s.signaling.subscribe.bind(s.signaling);
    s.signaling.subscribe = (listener) => {
      const unsubscribe = subscribe(listener);
      listener({ type: 'peer-left' });
      return unsubscribe;
    };
    const started = s.session.start();
    await expect(started).rejects.toMatchObject({ reason: 'peer-left' });
    expect(s.runtime.mediaRequests).toEqual([]);
    expect(s.clock.pendingTimers).toBe(0);
    expectReleased(s.session);
  });
});
