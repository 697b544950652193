import { describe, expect, it } from 'vitest';
import { settle } from '../../../src/testing/index.js';
import { ManualClock } from '../../../src/testing/ManualClock.js';
import { TimerSet } from '../../../src/util/TimerSet.js';
import { driveTo, expectReleased, remoteSdp, solo } from '../../helpers/fakeCall.js';
import { takeProblems } from '../../helpers/problems.js';

// Found by review: the mute announcement at the first `connected` can fail, its `error` event can end the call
// (an app that hangs up on errors), and the steps after it used to arm the silent-path timer on an ended call.
describe('a call ended by a listener during the steps around connected', () => {
  it('leaves no timer, and emits no connected', async () => {
    const s = solo();
    s.session.setMuted('audio', true);
    const seen: string[] = [];
    s.session.on('error', () => s.session.end());
    s.session.on('connected', () => seen.push('connected'));
    await driveTo(s, 'connecting');
    s.signaling.message({ type: 'description', description: remoteSdp('answer') });
    await settle();
    s.signaling.sendError = new Error('adapter down');
    s.signaling.failTypes = ['mute'];
    s.pc().setConnectionState('connected');
    // The adapter failure is the point of this test: its error event is expected.
    takeProblems();
    expect(s.session.endReason).toBe('hangup');
    expect(s.session.liveResources().timers).toBe(0);
    expect(seen).toEqual([]);
    expectReleased(s.session);
  });
});

describe('TimerSet.close', () => {
  it('cancels every timer, and a timer set afterwards is never armed', () => {
    const clock = new ManualClock();
    const timers = new TimerSet(clock);
    let fired = 0;
    timers.set('a', 10, () => fired++);
    timers.close();
    timers.set('b', 10, () => fired++);
    expect(timers.size).toBe(0);
    expect(clock.pendingTimers).toBe(0);
    clock.advance(100);
    expect(fired).toBe(0);
  });
});
