import { afterEach, describe, expect, it } from 'vitest';
import { PageHideListeners } from '../../../src/session/PageHideListeners.js';
import { driveTo, expectReleased, type Solo, solo } from '../../helpers/fakeCall.js';

const PAGE_EVENTS = new Set(['pagehide', 'beforeunload']);

/**
 * Records which page listeners are registered on happy-dom's window right now, by identity: a removal of a
 * different function, or of the right one for the wrong event, leaves the registration counted.
 */
function trackPageListeners(): { live(): number; restore(): void } {
  const live = new Set<string>();
  const ids = new Map<unknown, number>();
  const key = (type: string, listener: unknown): string => {
    if (!ids.has(listener)) ids.set(listener, ids.size);
    return `${type}#${ids.get(listener)}`;
  };
  const add = window.addEventListener;
  const remove = window.removeEventListener;
  window.addEventListener = function (this: Window, type: string, listener: unknown, ...rest: unknown[]) {
    if (PAGE_EVENTS.has(type)) live.add(key(type, listener));
    return (add as (...args: unknown[]) => void).call(this, type, listener, ...rest);
  } as typeof window.addEventListener;
  window.removeEventListener = function (this: Window, type: string, listener: unknown, ...rest: unknown[]) {
    if (PAGE_EVENTS.has(type)) live.delete(key(type, listener));
    return (remove as (...args: unknown[]) => void).call(this, type, listener, ...rest);
  } as typeof window.removeEventListener;
  return {
    live: () => live.size,
    restore: () => {
      window.addEventListener = add;
      window.removeEventListener = remove;
    },
  };
}

let tracker: ReturnType<typeof trackPageListeners> | undefined;
afterEach(() => {
  tracker?.restore();
  tracker = undefined;
});

const ENDINGS: [string, (s: Solo) => void][] = [
  ['end()', (s) => s.session.end()],
  ['pagehide', () => window.dispatchEvent(new Event('pagehide'))],
  ['beforeunload', () => window.dispatchEvent(new Event('beforeunload', { cancelable: true }))],
  ['a peer bye', (s) => s.signaling.message({ type: 'bye', reason: 'hangup' })],
];

describe('page listeners: counted truly, none left after teardown', () => {
  it.each(ENDINGS)('ended by %s: both registered while live, none after', async (_name, endIt) => {
    tracker = trackPageListeners();
    const s = solo({ endOnPageHide: true });
    await driveTo(s, 'connected');
    expect(tracker.live()).toBe(2);
    expect(s.session.liveResources().domListeners).toBe(2);
    endIt(s);
    expect(s.session.state).toBe('ended');
    expect(tracker.live()).toBe(0);
    expect(s.session.liveResources().domListeners).toBe(0);
    expectReleased(s.session);
  });

  it('without a window nothing is registered or counted', () => {
    const listeners = new PageHideListeners();
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'window');
    Object.defineProperty(globalThis, 'window', { value: undefined, configurable: true });
    try {
      listeners.listen(() => {});
    } finally {
      if (saved) Object.defineProperty(globalThis, 'window', saved);
    }
    expect(listeners.count).toBe(0);
    expect(listeners.close()).toEqual([]);
  });

  it('a removal that throws is returned as a failure; the other listener is still removed', () => {
    tracker = trackPageListeners();
    const listeners = new PageHideListeners();
    listeners.listen(() => {});
    expect(tracker.live()).toBe(2);
    const failure = new Error('removeEventListener failed');
    const remove = window.removeEventListener;
    let leftOver: unknown[] = [];
    window.removeEventListener = function (this: Window, type: string, ...rest: unknown[]) {
      if (type === 'beforeunload') {
        leftOver = [type, ...rest];
        throw failure;
      }
      return (remove as (...args: unknown[]) => void).call(this, type, ...rest);
    } as typeof window.removeEventListener;
    let failures: unknown[];
    try {
      failures = listeners.close();
    } finally {
      window.removeEventListener = remove;
    }
    expect(failures).toEqual([failure]);
    // Only the beforeunload listener, whose removal threw, is still on the window; the count forgets it.
    expect(tracker.live()).toBe(1);
    expect(listeners.count).toBe(0);
    // Clean up what the failed removal left.
    (window.removeEventListener as (...args: unknown[]) => void)(...leftOver);
    expect(tracker.live()).toBe(0);
  });
});
