import { describe, expect, it } from 'vitest';
import { settle } from '../../../src/testing/index.js';
import { driveTo, expectReleased, SpySignaling, solo } from '../../helpers/fakeCall.js';

/** A solo session whose `signaling` is a function creating a fresh SpySignaling (kept for assertions). */
function owned(options: Parameters<typeof solo>[0] = {}) {
  const created: SpySignaling[] = [];
  const s = solo({
    ...options,
    signaling: () => {
      const adapter = new SpySignaling();
      created.push(adapter);
      return adapter;
    },
  });
  // Route the helper's spy to the created adapter once it exists (driveTo delivers through s.signaling).
  const adapter = (): SpySignaling => {
    const first = created[0];
    if (!first) throw new Error('no adapter created yet');
    return first;
  };
  return { s, created, adapter };
}

describe('signaling ownership follows creation', () => {
  it('an adapter instance stays the app’s: never closed by the session', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    s.session.end();
    expect(s.signaling.log).not.toContain('close');
    expect(s.signaling.log.at(-1)).toBe('unsubscribe');
    expectReleased(s.session);
  });

  it('a function is called in start() (not before), and its adapter is closed at teardown after the bye', async () => {
    const { s, created, adapter } = owned();
    expect(created).toHaveLength(0);
    void s.session.start();
    expect(created).toHaveLength(1);
    adapter().message({ type: 'description', description: { type: 'answer', sdp: 'v=0\r\n' } });
    s.session.end();
    expect(adapter().log.slice(-3)).toEqual(['send:bye', 'unsubscribe', 'close']);
    expect(created).toHaveLength(1);
    expectReleased(s.session);
  });

  it('a second start() does not create a second adapter; a session ended before start() creates none', () => {
    const { s, created } = owned();
    void s.session.start();
    void s.session.start();
    expect(created).toHaveLength(1);
    s.session.end();
    expectReleased(s.session);

    const never = owned();
    never.s.session.end();
    void never.s.session.start();
    expect(never.created).toHaveLength(0);
    expectReleased(never.s.session);
  });

  it('ending from inside the adapter’s subscribe() still closes it', () => {
    const created: SpySignaling[] = [];
    const s = solo({
      signaling: () => {
        const adapter = new SpySignaling();
        const subscribe = adapter.subscribe.bind(adapter);
        adapter.subscribe = (listener) => {
          const unsubscribe = subscribe(listener);
          listener({ type: 'peer-left' });
          return unsubscribe;
        };
        created.push(adapter);
        return adapter;
      },
    });
    void s.session.start();
    expect(s.session.endReason).toBe('peer-left');
    expect(created[0]?.log).toEqual(['subscribe', 'close', 'unsubscribe']);
    expect(s.runtime.mediaRequests).toEqual([]);
    expectReleased(s.session);
  });

  it('a factory that throws, or returns no adapter, ends the call signaling-closed with that error', async () => {
    const boom = new Error('no socket');
    const throwing = solo({
      signaling: () => {
        throw boom;
      },
    });
    void throwing.session.start();
    expect((await throwing.session.ended).error).toBe(boom);
    expect(throwing.session.endReason).toBe('signaling-closed');
    expectReleased(throwing.session);

    const wrong = solo({ signaling: (() => ({ nope: true })) as never });
    void wrong.session.start();
    const summary = await wrong.session.ended;
    expect(summary.reason).toBe('signaling-closed');
    expect(summary.error).toBeInstanceOf(TypeError);
    expect(wrong.runtime.mediaRequests).toEqual([]);
    expectReleased(wrong.session);
  });

  it('an async factory ends signaling-closed with a TypeError, and the adapter it resolves to is closed', async () => {
    const created: SpySignaling[] = [];
    const s = solo({
      signaling: (async () => {
        const adapter = new SpySignaling();
        created.push(adapter);
        return adapter;
      }) as never,
    });
    void s.session.start();
    const summary = await s.session.ended;
    expect(summary.reason).toBe('signaling-closed');
    expect(summary.error).toBeInstanceOf(TypeError);
    expect((summary.error as Error).message).toContain('async factories are not supported');
    expect(s.runtime.mediaRequests).toEqual([]);
    await settle();
    expect(created).toHaveLength(1);
    expect(created[0]?.log).toEqual(['close']);
    expectReleased(s.session);
  });

  it('an async factory that rejects, or resolves to something without close(), is only logged', async () => {
    for (const result of [Promise.reject(new Error('no socket')), Promise.resolve({ nope: true })]) {
      result.catch(() => {});
      const s = solo({ signaling: (() => result) as never });
      void s.session.start();
      expect((await s.session.ended).error).toBeInstanceOf(TypeError);
      await settle();
      expectReleased(s.session);
    }
  });

  it('a factory returning something with close() but not an adapter: closed, and signaling-closed', async () => {
    let closed = 0;
    const half = { send: () => {}, close: () => closed++ };
    const s = solo({ signaling: (() => half) as never });
    void s.session.start();
    const summary = await s.session.ended;
    expect(summary.reason).toBe('signaling-closed');
    expect(summary.error).toBeInstanceOf(TypeError);
    expect(closed).toBe(1);
    expectReleased(s.session);
  });

  it('a close() that throws is a TEARDOWN_STEP_FAILED error event, and the session still ends released', () => {
    const { s, adapter } = owned();
    void s.session.start();
    adapter().closeError = new Error('close failed');
    s.session.end();
    expect(s.log.events.filter((event) => event.startsWith('error:'))).toEqual([
      'error:TEARDOWN_STEP_FAILED',
    ]);
    expect(s.log.errors[0]?.message).toContain('unsubscribe signaling');
    expectReleased(s.session);
  });

  it('a close() that rejects after the end is only logged (nobody is left to tell)', async () => {
    const debug: string[] = [];
    const s = solo({
      logger: { debug: (message) => debug.push(message), info() {}, warn() {}, error() {} },
      signaling: () => Object.assign(new SpySignaling(), { close: () => Promise.reject(new Error('late')) }),
    });
    void s.session.start();
    s.session.end();
    await Promise.resolve();
    await Promise.resolve();
    expect(debug).toContain('closing the signaling adapter failed after the end');
    expect(s.log.errors).toEqual([]);
    expectReleased(s.session);
  });
});
