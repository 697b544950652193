import { describe, expect, it } from 'vitest';
import { CALL_STATE_TRANSITIONS, type CallState, canTransition } from '../../../src/index.js';
import { connect, driveTo, expectReleased, fakeCall, record, solo } from '../../helpers/fakeCall.js';

const STATES: CallState[] = ['idle', 'starting', 'connecting', 'connected', 'reconnecting', 'ended'];

describe('CALL_STATE_TRANSITIONS', () => {
  it('names every state', () => {
    expect(Object.keys(CALL_STATE_TRANSITIONS).sort()).toEqual([...STATES].sort());
  });

  it('is exactly the documented table', () => {
    expect(CALL_STATE_TRANSITIONS).toEqual({
      idle: ['starting', 'ended'],
      starting: ['connecting', 'ended'],
      connecting: ['connected', 'ended'],
      connected: ['reconnecting', 'ended'],
      reconnecting: ['connected', 'ended'],
      ended: [],
    });
  });

  it('ended is terminal and every other state may go to ended', () => {
    for (const to of STATES) expect(canTransition('ended', to)).toBe(false);
    for (const from of STATES.filter((s) => s !== 'ended')) expect(canTransition(from, 'ended')).toBe(true);
  });

  it('no state goes to itself or back to idle', () => {
    for (const from of STATES) {
      expect(canTransition(from, from)).toBe(false);
      expect(canTransition(from, 'idle')).toBe(false);
    }
  });

  it('is frozen', () => {
    expect(Object.isFrozen(CALL_STATE_TRANSITIONS)).toBe(true);
    for (const targets of Object.values(CALL_STATE_TRANSITIONS)) expect(Object.isFrozen(targets)).toBe(true);
  });
});

describe('every stateChange follows the table', () => {
  it('through a whole call with a reconnect (record() asserts each transition)', async () => {
    const s = solo({ disconnectGraceMs: 1000 });
    await driveTo(s, 'reconnecting');
    s.pc().setConnectionState('connected');
    s.pc().setConnectionState('failed');
    s.pc().setConnectionState('connected');
    s.session.end();
    expect(s.log.states).toEqual([
      'idle',
      'starting',
      'connecting',
      'connected',
      'reconnecting',
      'connected',
      'reconnecting',
      'connected',
      'ended',
    ]);
    expectReleased(s.session);
  });

  it('the previous state passed to stateChange is the state that was left', async () => {
    const call = fakeCall();
    const logA = record(call.a);
    await connect(call);
    call.a.end();
    await call.clock.advanceAsync(1);
    expect(logA.states).toEqual(['idle', 'starting', 'connecting', 'connected', 'ended']);
    expectReleased(call.a, call.b);
  });

  it('events out of order never produce an illegal transition', async () => {
    const s = solo();
    await driveTo(s, 'connecting');
    // disconnected before ever connecting, connected twice, failed during reconnect: all absorbed.
    s.pc().setConnectionState('disconnected');
    expect(s.session.state).toBe('connecting');
    s.pc().setConnectionState('connected');
    s.pc().setConnectionState('connected');
    s.pc().setConnectionState('disconnected');
    s.pc().setConnectionState('disconnected');
    s.pc().setConnectionState('failed');
    s.pc().setConnectionState('new');
    s.pc().setConnectionState('connecting');
    expect(s.session.state).toBe('reconnecting');
    s.session.end();
    expectReleased(s.session);
  });
});
