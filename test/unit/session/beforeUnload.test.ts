import { describe, expect, it } from 'vitest';
import { driveTo, expectReleased, solo } from '../../helpers/fakeCall.js';

// #14 item 4: on navigation Firefox closes WebSockets (and sometimes the peer connection) before `pagehide`, so
// the bye sent there was lost. `beforeunload` comes first, while both are open.
describe('leaving the page: beforeunload', () => {
  it('ends the call with page-hide and sends the bye while the page is still whole', async () => {
    const s = solo({ endOnPageHide: true });
    await driveTo(s, 'connected');
    window.dispatchEvent(new Event('beforeunload', { cancelable: true }));
    expect(s.session.endReason).toBe('page-hide');
    expect(s.signaling.sentOfType('bye')).toEqual([{ type: 'bye', reason: 'page-hide' }]);
    // The pagehide that follows finds the session ended: still one bye.
    window.dispatchEvent(new Event('pagehide'));
    expect(s.signaling.sentOfType('bye')).toHaveLength(1);
    expect(s.log.errors).toEqual([]);
    expectReleased(s.session);
  });

  it('a beforeunload the app cancelled (it asks the user to stay) leaves the call up; pagehide still ends it', async () => {
    const s = solo({ endOnPageHide: true });
    await driveTo(s, 'connected');
    // As if the app's listener, registered before the session's, had asked to stay.
    const event = new Event('beforeunload', { cancelable: true });
    event.preventDefault();
    window.dispatchEvent(event);
    expect(s.session.state).toBe('connected');
    window.dispatchEvent(new Event('pagehide'));
    expect(s.session.endReason).toBe('page-hide');
    expectReleased(s.session);
  });

  it('both listeners are removed at teardown: a later beforeunload reaches nothing', async () => {
    const s = solo({ endOnPageHide: true });
    await driveTo(s, 'connected');
    const removed: string[] = [];
    const original = window.removeEventListener.bind(window);
    window.removeEventListener = ((type: string, ...rest: unknown[]) => {
      removed.push(type);
      return (original as (...args: unknown[]) => void)(type, ...rest);
    }) as typeof window.removeEventListener;
    try {
      s.session.end();
    } finally {
      window.removeEventListener = original;
    }
    expect(removed.sort()).toEqual(['beforeunload', 'pagehide']);
    expect(s.session.endReason).toBe('hangup');
    expectReleased(s.session);
  });

  it('endOnPageHide: false ignores beforeunload too', async () => {
    const s = solo({ endOnPageHide: false });
    await driveTo(s, 'connected');
    window.dispatchEvent(new Event('beforeunload', { cancelable: true }));
    expect(s.session.state).toBe('connected');
    s.session.end();
    expectReleased(s.session);
  });
});
