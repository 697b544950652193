import { describe, expect, it } from 'vitest';
import { SILENCE_SAMPLE_MS, SILENCE_WINDOW_MS } from '../../../src/session/SilentPathWatch.js';
import { createFakeMediaStream, type FakeRTCPeerConnection, settle } from '../../../src/testing/index.js';
import { connect, driveTo, expectReleased, fakeCall, record, solo } from '../../helpers/fakeCall.js';

// #14 item 2: after an ICE restart, Firefox (polite) can stop receiving anything from Chromium while both stay
// `connected`. A call where nothing arrives from a peer that should be sending is a broken path: the session
// now says so (an error event), restarts ICE, and ends with 'ice-failed' when that brings nothing back.
describe('connected, yet nothing arrives', () => {
  function silence(call: ReturnType<typeof fakeCall>, silent: boolean): void {
    for (const pc of call.runtime.peerConnections as FakeRTCPeerConnection[]) {
      for (const channel of pc.dataChannels) channel.dropOutgoing = silent;
    }
  }

  it('the path goes silent for good: error events, an ICE restart, then the end with ice-failed', async () => {
    const call = fakeCall({ maxIceRestarts: 2 });
    const logs = [record(call.a), record(call.b)];
    await connect(call);
    // Heartbeats flow: the call stays healthy well past the window.
    await call.clock.advanceAsync(3 * SILENCE_WINDOW_MS);
    expect([call.a.state, call.b.state]).toEqual(['connected', 'connected']);
    expect(logs.flatMap((log) => log.errors)).toEqual([]);
    silence(call, true);
    await call.clock.advanceAsync(SILENCE_WINDOW_MS + 2 * SILENCE_SAMPLE_MS);
    for (const log of logs) {
      expect(log.events).toContain('error:ICE_FAILED');
      expect(log.states).toContain('reconnecting');
    }
    expect(
      call.runtime.peerConnections.every((pc) => (pc as FakeRTCPeerConnection).restartIceCalls > 0),
    ).toBe(true);
    await call.clock.advanceAsync(60_000);
    expect([call.a.endReason, call.b.endReason]).toEqual(['ice-failed', 'ice-failed']);
    for (const log of logs)
      expect(log.errors.every((error) => (error as { code?: string }).code === 'ICE_FAILED')).toBe(true);
    expectReleased(call.a, call.b);
  });

  it('the path comes back after the restart: connected again, nothing ended', async () => {
    const call = fakeCall();
    const logs = [record(call.a), record(call.b)];
    await connect(call);
    silence(call, true);
    await call.clock.advanceAsync(SILENCE_WINDOW_MS + 2 * SILENCE_SAMPLE_MS);
    expect(logs[0]?.states).toContain('reconnecting');
    silence(call, false);
    await call.clock.advanceAsync(3 * SILENCE_SAMPLE_MS);
    expect([call.a.state, call.b.state]).toEqual(['connected', 'connected']);
    expect(logs[0]?.states.slice(-2)).toEqual(['reconnecting', 'connected']);
    // And it stays so.
    await call.clock.advanceAsync(30_000);
    expect([call.a.state, call.b.state]).toEqual(['connected', 'connected']);
    call.a.end();
    await call.clock.advanceAsync(10);
    expectReleased(call.a, call.b);
  });
});

describe("silent path, at the session: the peer's mute state decides what is expected", () => {
  it('an unmuted peer whose media never arrives (and who sends no heartbeat) is a broken path', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    const remote = createFakeMediaStream();
    for (const track of remote.getTracks()) s.pc().emitTrack(track, [remote]);
    await s.clock.advanceAsync(SILENCE_WINDOW_MS + 2 * SILENCE_SAMPLE_MS);
    expect(s.log.events).toContain('error:ICE_FAILED');
    s.session.end();
    expectReleased(s.session);
  });

  it('a peer that muted both kinds raises no alarm while nothing arrives', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    const remote = createFakeMediaStream();
    for (const track of remote.getTracks()) s.pc().emitTrack(track, [remote]);
    s.signaling.message({ type: 'mute', kind: 'audio', muted: true });
    s.signaling.message({ type: 'mute', kind: 'video', muted: true });
    await settle();
    expect(s.log.events).toEqual(expect.arrayContaining(['remoteMute:audio:true', 'remoteMute:video:true']));
    await s.clock.advanceAsync(3 * SILENCE_WINDOW_MS);
    expect(s.log.errors).toEqual([]);
    expect(s.session.state).toBe('connected');
    // Unmuting one kind makes it expected again: its silence is trouble.
    s.signaling.message({ type: 'mute', kind: 'audio', muted: false });
    await settle();
    await s.clock.advanceAsync(SILENCE_WINDOW_MS + 2 * SILENCE_SAMPLE_MS);
    expect(s.log.events).toContain('error:ICE_FAILED');
    s.session.end();
    expectReleased(s.session);
  });

  it('a peer whose tracks ended raises no alarm while nothing arrives (an ended track sends nothing by design)', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    const remote = createFakeMediaStream();
    for (const track of remote.getTracks()) s.pc().emitTrack(track, [remote]);
    for (const track of remote.getTracks()) track.stop();
    await settle();
    await s.clock.advanceAsync(3 * SILENCE_WINDOW_MS);
    expect(s.log.errors).toEqual([]);
    expect(s.pc().restartIceCalls).toBe(0);
    expect(s.session.state).toBe('connected');
    s.session.end();
    expectReleased(s.session);
  });
});
