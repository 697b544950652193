import { describe, expect, it } from 'vitest';
import { MUTE_RESYNC_INTERVAL_MS } from '../../../src/media/MuteSync.js';
import { connect, driveTo, expectReleased, record, remoteSdp, solo } from '../../helpers/fakeCall.js';
import { hangUpAndExpectReleased, lossyCall, pcOf } from './mediaCall.js';

const remoteMutes = (events: string[]) => events.filter((e) => e.startsWith('remoteMute'));

describe('mute travels to the peer', () => {
  it('emits remoteMute on the peer, once per change', async () => {
    const call = lossyCall();
    const logB = record(call.b);
    await connect(call);
    call.a.setMuted('audio', true);
    call.a.setMuted('audio', true);
    call.a.setMuted('video', false);
    await call.clock.advanceAsync(1);
    expect(remoteMutes(logB.events)).toEqual(['remoteMute:audio:true']);
    await hangUpAndExpectReleased(call);
  });

  it('announces a mute set before the call connected', async () => {
    const call = lossyCall();
    const logB = record(call.b);
    call.a.setMuted('video', true);
    await connect(call);
    await call.clock.advanceAsync(1);
    expect(remoteMutes(logB.events)).toEqual(['remoteMute:video:true']);
    await hangUpAndExpectReleased(call);
  });

  it('re-sends the full state after ICE recovery, so a lost change cannot drift', async () => {
    const call = lossyCall();
    const logB = record(call.b);
    await connect(call);
    call.a.setMuted('audio', true);
    await call.clock.advanceAsync(1);
    call.dropA.add('mute');
    call.a.setMuted('audio', false); // lost
    await call.clock.advanceAsync(1);
    expect(remoteMutes(logB.events)).toEqual(['remoteMute:audio:true']);
    call.dropA.delete('mute');

    const pc = pcOf(call, call.a);
    pc.setConnectionState('disconnected');
    pc.setConnectionState('connected');
    await call.clock.advanceAsync(1);

    expect(remoteMutes(logB.events)).toEqual(['remoteMute:audio:true', 'remoteMute:audio:false']);
    await hangUpAndExpectReleased(call);
  });

  it('re-sends the full state after a renegotiation', async () => {
    const call = lossyCall();
    const logB = record(call.b);
    await connect(call);
    call.dropA.add('mute');
    call.a.setMuted('video', true); // lost
    await call.clock.advanceAsync(1);
    call.dropA.delete('mute');

    pcOf(call, call.a).fireNegotiationNeeded();
    for (let i = 0; i < 5; i++) await call.clock.advanceAsync(1);

    expect(remoteMutes(logB.events)).toEqual(['remoteMute:video:true']);
    expect(call.a.state).toBe('connected');
    await hangUpAndExpectReleased(call);
  });
});

describe('no mute frames when nothing was ever muted', () => {
  it('applied renegotiations and an ICE recovery of a never-muted call send no mute frame', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    for (let i = 0; i < 3; i++) {
      s.signaling.message({ type: 'description', description: remoteSdp('offer', 'R1', 10 + i) });
      await s.clock.advanceAsync(2 * MUTE_RESYNC_INTERVAL_MS);
    }
    const answers = s.signaling
      .sentOfType('description')
      .filter((message) => message.description.type === 'answer').length;
    expect(answers).toBe(3); // the offers were really applied while connected
    s.pc().setConnectionState('disconnected');
    s.pc().setConnectionState('connected');
    await s.clock.advanceAsync(2 * MUTE_RESYNC_INTERVAL_MS);
    expect(s.signaling.sentOfType('mute')).toEqual([]);
    // Once muted, the same events re-send the state again (the existing tests cover the convergence).
    s.session.setMuted('audio', true);
    s.session.setMuted('audio', false);
    const afterMute = s.signaling.sentOfType('mute').length;
    s.signaling.message({ type: 'description', description: remoteSdp('offer', 'R1', 20) });
    await s.clock.advanceAsync(2 * MUTE_RESYNC_INTERVAL_MS);
    expect(s.signaling.sentOfType('mute').length).toBeGreaterThan(afterMute);
    s.session.end();
    expectReleased(s.session);
  });
});
