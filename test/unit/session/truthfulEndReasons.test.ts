import { describe, expect, it } from 'vitest';
import { isHangupError } from '../../../src/index.js';
import { PEER_CLOSE_GRACE_MS } from '../../../src/session/sessionHosts.js';
import { connect, expectReleased, type FakeCall, fakeCall } from '../../helpers/fakeCall.js';
import { pcOf } from '../media/mediaCall.js';

/** Closes one control channel as the peer's side going away would; returns the session that sees it. */
function closeControlChannelOfOneSide(call: FakeCall) {
  const control = call.runtime.peerConnections
    .flatMap((pc) => pc.dataChannels)
    .find((channel) => channel.label === 'hangup-control');
  control!.peer!.simulateRemoteClose();
}

/** Sessions whose peer-close timer or end shows they saw the channel close. */
const sawClose = (call: FakeCall) =>
  [call.a, call.b].filter((s) => s.state === 'ended' || s.liveResources().timers > 1);

describe('end reasons stay truthful when the path dies', () => {
  it('the control channel closing while reconnecting ends ice-failed (with ICE_FAILED), not peer-left', async () => {
    const call = fakeCall({ disconnectGraceMs: 10_000 });
    await connect(call);
    await call.clock.advanceAsync(1);
    for (const session of [call.a, call.b]) pcOf(call, session).setConnectionState('disconnected');
    expect([call.a.state, call.b.state]).toEqual(['reconnecting', 'reconnecting']);

    closeControlChannelOfOneSide(call);

    const ended = [call.a, call.b].filter((s) => s.state === 'ended');
    expect(ended).toHaveLength(1);
    const summary = await ended[0]!.ended;
    expect(summary.reason).toBe('ice-failed');
    expect(isHangupError(summary.error) && summary.error.code).toBe('ICE_FAILED');
    for (const session of [call.a, call.b]) session.end();
    await call.clock.advanceAsync(10);
    expectReleased(call.a, call.b);
  });

  it('the channel closing and the path dying within the grace is ice-failed too', async () => {
    const call = fakeCall({ disconnectGraceMs: 10_000 });
    await connect(call);
    await call.clock.advanceAsync(1);
    const timersBefore = { a: call.a.liveResources().timers, b: call.b.liveResources().timers };
    closeControlChannelOfOneSide(call);
    // The side that saw the close waits PEER_CLOSE_GRACE_MS for a bye; its path goes down meanwhile.
    const side = call.a.liveResources().timers > timersBefore.a ? call.a : call.b;
    expect(side.liveResources().timers).toBeGreaterThan(side === call.a ? timersBefore.a : timersBefore.b);
    pcOf(call, side).setConnectionState('disconnected');
    await call.clock.advanceAsync(PEER_CLOSE_GRACE_MS);
    expect(side.endReason).toBe('ice-failed');
    for (const session of [call.a, call.b]) session.end();
    await call.clock.advanceAsync(10);
    expectReleased(call.a, call.b);
  });

  it('with the path up, the peer closing its channel is still peer-left', async () => {
    const call = fakeCall();
    await connect(call);
    await call.clock.advanceAsync(1);
    closeControlChannelOfOneSide(call);
    await call.clock.advanceAsync(PEER_CLOSE_GRACE_MS);
    const ended = sawClose(call).filter((s) => s.state === 'ended');
    expect(ended.map((s) => s.endReason)).toEqual(['peer-left']);
    for (const session of [call.a, call.b]) session.end();
    await call.clock.advanceAsync(10);
    expectReleased(call.a, call.b);
  });
});
