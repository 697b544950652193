import { describe, expect, it } from 'vitest';
import { HEARTBEAT } from '../../../src/peer/heartbeat.js';
import { CONTROL_MESSAGES, INVALID_CONTROL_REPORTS } from '../../../src/signaling/SignalingLink.js';
import type { FakeRTCDataChannel } from '../../../src/testing/index.js';
import { connect, expectReleased, type FakeCall, fakeCall, record } from '../../helpers/fakeCall.js';
import { pcOf } from '../media/mediaCall.js';

/** b's end of the control channel: what the peer (a) sends on it arrives here. */
function controlOfB(call: FakeCall): FakeRTCDataChannel {
  const control = pcOf(call, call.b).dataChannels.find((channel) => channel.label === 'hangup-control');
  if (!control) throw new Error('no control channel');
  return control;
}

async function connectedCall() {
  const call = fakeCall();
  const log = record(call.b);
  let notifications = 0;
  call.b.subscribe(() => notifications++);
  await connect(call);
  await call.clock.advanceAsync(1);
  const before = notifications;
  return { call, log, control: controlOfB(call), notified: () => notifications - before };
}

const errorsOf = (events: string[]) => events.filter((e) => e.startsWith('error'));

describe('a peer flooding the control data channel', () => {
  it('10 000 alternating mute messages: one burst gets through, the rest are dropped with one CONTROL_RATE_LIMIT', async () => {
    const { call, log, control, notified } = await connectedCall();
    for (let n = 0; n < 10_000; n++) {
      control.simulateMessage(JSON.stringify({ type: 'mute', kind: 'audio', muted: n % 2 === 0 }));
    }
    const mutes = log.events.filter((e) => e.startsWith('remoteMute'));
    expect(mutes).toHaveLength(CONTROL_MESSAGES.burst);
    expect(notified()).toBeLessThanOrEqual(CONTROL_MESSAGES.burst);
    expect(errorsOf(log.events)).toEqual(['error:CONTROL_RATE_LIMIT']);
    // A sustained flood stays at that one report: tokens refill at the steady rate and are spent at once.
    for (let second = 0; second < 3; second++) {
      await call.clock.advanceAsync(1_000);
      for (let n = 0; n < 1_000; n++) {
        control.simulateMessage(JSON.stringify({ type: 'mute', kind: 'video', muted: n % 2 === 0 }));
      }
    }
    expect(log.events.filter((e) => e.startsWith('remoteMute'))).toHaveLength(
      CONTROL_MESSAGES.burst + 3 * CONTROL_MESSAGES.perSecond,
    );
    expect(errorsOf(log.events)).toEqual(['error:CONTROL_RATE_LIMIT']);
    // Once the peer went quiet long enough to refill the bucket, a new burst is a new report.
    await call.clock.advanceAsync((CONTROL_MESSAGES.burst / CONTROL_MESSAGES.perSecond) * 1_000);
    for (let n = 0; n < 100; n++) {
      control.simulateMessage(JSON.stringify({ type: 'mute', kind: 'audio', muted: n % 2 === 0 }));
    }
    expect(errorsOf(log.events)).toEqual(['error:CONTROL_RATE_LIMIT', 'error:CONTROL_RATE_LIMIT']);
    expect([call.a.state, call.b.state]).toEqual(['connected', 'connected']);
    call.a.end();
    call.b.end();
    await call.clock.advanceAsync(10);
    expectReleased(call.a, call.b);
  });

  it('10 000 junk messages: a few INVALID_SIGNAL reports, one saying the rest go unreported, one CONTROL_RATE_LIMIT', async () => {
    const { call, log, control } = await connectedCall();
    for (let n = 0; n < 10_000; n++) control.simulateMessage(`{junk ${n}`);
    expect(errorsOf(log.events)).toEqual([
      ...Array.from({ length: INVALID_CONTROL_REPORTS.burst }, () => 'error:INVALID_SIGNAL'),
      'error:INVALID_SIGNAL',
      'error:CONTROL_RATE_LIMIT',
    ]);
    expect(log.errors[INVALID_CONTROL_REPORTS.burst]?.message).toContain('dropped unreported');
    // A 'description' on the control channel is invalid there: bounded the same way.
    await call.clock.advanceAsync(60_000);
    const description = { type: 'description', description: { type: 'offer', sdp: 'v=0\r\n' } };
    for (let n = 0; n < 20; n++) control.simulateMessage(JSON.stringify(description));
    expect(errorsOf(log.events)).toHaveLength(INVALID_CONTROL_REPORTS.burst * 2 + 2 + 1);
    expect([call.a.state, call.b.state]).toEqual(['connected', 'connected']);
    call.a.end();
    call.b.end();
    await call.clock.advanceAsync(10);
    expectReleased(call.a, call.b);
  });

  it('heartbeats spend no allowance: after 1 000 of them a mute still gets through, and a bye still ends the call', async () => {
    const { call, log, control } = await connectedCall();
    for (let n = 0; n < 1_000; n++) control.simulateMessage(JSON.stringify(HEARTBEAT));
    control.simulateMessage(JSON.stringify({ type: 'mute', kind: 'audio', muted: true }));
    expect(log.events.filter((e) => e.startsWith('remoteMute'))).toEqual(['remoteMute:audio:true']);
    expect(errorsOf(log.events)).toEqual([]);
    control.simulateMessage(JSON.stringify({ type: 'bye', reason: 'hangup' }));
    expect(call.b.endReason).toBe('remote-hangup');
    call.a.end();
    await call.clock.advanceAsync(10);
    expectReleased(call.a, call.b);
  });
});
