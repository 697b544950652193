import { describe, expect, it } from 'vitest';
import { settle } from '../../../src/testing/index.js';
import { driveTo, expectReleased, remoteSdp, solo } from '../../helpers/fakeCall.js';

// A peer may answer provisionally first (`pranswer`, which parseSignalMessage accepts) and then finally.
// The final answer used to be dropped as stale, because the connection was no longer in 'have-local-offer',
// and the call could only end in connect-timeout.
describe('a provisional answer, then the final one', () => {
  it('applies both and the call connects', async () => {
    const s = solo({ polite: false });
    await driveTo(s, 'connecting');
    expect(s.pc().signalingState).toBe('have-local-offer');
    const provisional = { ...remoteSdp('answer', 'R1', 1), type: 'pranswer' as const };
    s.signaling.message({ type: 'description', description: provisional });
    await settle();
    expect(s.pc().signalingState).toBe('have-remote-pranswer');
    s.signaling.message({ type: 'description', description: remoteSdp('answer', 'R1', 2) });
    await settle();
    expect(s.pc().signalingState).toBe('stable');
    expect(s.pc().remoteDescriptions.map((d) => d.type)).toEqual(['pranswer', 'answer']);
    expect(s.log.errors).toEqual([]);
    s.pc().setConnectionState('connected');
    expect(s.session.state).toBe('connected');
    s.session.end();
    expectReleased(s.session);
  });

  it('a provisional answer with no offer waiting is dropped as stale, like a late answer', async () => {
    const s = solo({ polite: true });
    await driveTo(s, 'connecting');
    const provisional = { ...remoteSdp('answer'), type: 'pranswer' as const };
    s.signaling.message({ type: 'description', description: provisional });
    await settle();
    expect(s.pc().remoteDescriptions).toEqual([]);
    expect(s.log.errors).toEqual([]);
    s.session.end();
    expectReleased(s.session);
  });
});
