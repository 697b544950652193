import { describe, expect, it } from 'vitest';
import * as root from '../../../src/index.js';
import { isCallEndedError, isHangupError, isMediaAcquisitionError } from '../../../src/index.js';
import { settle } from '../../../src/testing/index.js';
import { connect, driveTo, expectReleased, fakeCall, solo } from '../../helpers/fakeCall.js';
import { pcOf } from '../media/mediaCall.js';

describe('subscribe and getSnapshot are bound', () => {
  it('work destructured from the session (as useSyncExternalStore passes them)', async () => {
    const s = solo();
    const { subscribe, getSnapshot } = s.session;
    let changes = 0;
    const unsubscribe = subscribe(() => changes++);
    expect(getSnapshot().state).toBe('idle');
    await driveTo(s, 'connected');
    expect(getSnapshot().state).toBe('connected');
    expect(changes).toBeGreaterThan(0);
    unsubscribe();
    s.session.end();
    expect(getSnapshot().state).toBe('ended');
    expectReleased(s.session);
  });
});

describe('the snapshot carries mute and screen-share state', () => {
  it('muted follows setMuted, and subscribers hear of it', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    const before = s.session.getSnapshot();
    expect(before.muted).toEqual({ audio: false, video: false });
    let changes = 0;
    s.session.subscribe(() => changes++);
    s.session.setMuted('audio', true);
    const after = s.session.getSnapshot();
    expect(after).not.toBe(before);
    expect(after.muted).toEqual({ audio: true, video: false });
    expect(changes).toBe(1);
    expect(Object.isFrozen(after.muted)).toBe(true);
    s.session.end();
    expectReleased(s.session);
  });

  it('remoteMuted follows the peer, screenSharing follows the screen share', async () => {
    const call = fakeCall();
    await connect(call);
    expect(call.b.getSnapshot().remoteMuted).toEqual({ audio: false, video: false });
    call.a.setMuted('video', true);
    await call.clock.advanceAsync(1);
    expect(call.b.getSnapshot().remoteMuted).toEqual({ audio: false, video: true });

    expect(call.a.getSnapshot().screenSharing).toBe(false);
    await call.a.startScreenShare();
    expect(call.a.getSnapshot().screenSharing).toBe(true);
    await call.a.stopScreenShare();
    expect(call.a.getSnapshot().screenSharing).toBe(false);
    call.a.end();
    await call.clock.advanceAsync(10);
    expectReleased(call.a, call.b);
  });
});

describe('the snapshot follows the peer mute state', () => {
  it('a peer mute change makes a new snapshot and notifies; a repeated announcement changes nothing', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    const before = s.session.getSnapshot();
    let changes = 0;
    s.session.subscribe(() => changes++);
    s.signaling.message({ type: 'mute', kind: 'video', muted: true });
    await settle();
    const after = s.session.getSnapshot();
    expect(after).not.toBe(before);
    expect(after.remoteMuted).toEqual({ audio: false, video: true });
    expect(before.remoteMuted).toEqual({ audio: false, video: false });
    expect(changes).toBeGreaterThan(0);
    changes = 0;
    s.signaling.message({ type: 'mute', kind: 'video', muted: true });
    await settle();
    expect(s.session.getSnapshot()).toBe(after);
    expect(changes).toBe(0);
    s.session.end();
    expectReleased(s.session);
  });
});

describe('root exports', () => {
  it('export no constant that no option changes, and attachStream once', () => {
    const names = Object.keys(root);
    for (const internal of [
      'PEER_CLOSE_GRACE_MS',
      'MAX_QUEUED_DATA_BYTES',
      'MAX_QUEUED_DATA_MESSAGES',
      'LOCALLY_CAUSED_END_REASONS',
    ]) {
      expect(names, internal).not.toContain(internal);
    }
    expect(names.filter((name) => name === 'attachStream')).toHaveLength(1);
  });
});

describe('error codes say what happened', () => {
  it('ICE failing before the first connect ends ice-failed with ICE_FAILED', async () => {
    const s = solo();
    await driveTo(s, 'connecting');
    s.pc().setConnectionState('failed');
    const summary = await s.session.ended;
    expect(summary.reason).toBe('ice-failed');
    expect(isHangupError(summary.error) && summary.error.code).toBe('ICE_FAILED');
    expectReleased(s.session);
  });

  it('running out of ICE restarts ends ice-failed WITH an ICE_FAILED error', async () => {
    const s = solo({ maxIceRestarts: 1, disconnectGraceMs: 100, iceRestartTimeoutMs: 100 });
    await driveTo(s, 'reconnecting');
    await s.clock.advanceAsync(100); // grace over: restart 1
    await s.clock.advanceAsync(100); // restart 1 timed out: out of restarts
    const summary = await s.session.ended;
    expect(summary.reason).toBe('ice-failed');
    expect(isHangupError(summary.error) && summary.error.code).toBe('ICE_FAILED');
    expectReleased(s.session);
  });

  it('a connection closed by the runtime ends error with CONNECTION_CLOSED, not NEGOTIATION_FAILED', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    s.pc().setConnectionState('closed');
    const summary = await s.session.ended;
    expect(summary.reason).toBe('error');
    expect(isHangupError(summary.error) && summary.error.code).toBe('CONNECTION_CLOSED');
    expectReleased(s.session);
  });

  it('a refused replaceTrack is a MediaAcquisitionError in screen share, as in a device switch', async () => {
    const call = fakeCall();
    await connect(call);
    const pc = pcOf(call, call.a);
    const camera = call.a.localStream!.getVideoTracks()[0]!;
    const sender = pc.getSenders().find((candidate) => candidate.track === camera)!;
    const refusal = new Error('replaceTrack refused');
    const original = sender.replaceTrack.bind(sender);
    sender.replaceTrack = (track) => (track === camera ? original(track) : Promise.reject(refusal));

    const shareError = await call.a.startScreenShare().catch((e: unknown) => e);
    const switchError = await call.a.switchDevice('video', 'camera-2').catch((e: unknown) => e);

    expect(isMediaAcquisitionError(shareError)).toBe(true);
    expect((shareError as Error).cause).toBe(refusal);
    expect(isMediaAcquisitionError(switchError)).toBe(true);
    expect((switchError as Error).cause).toBe(refusal);
    expect(call.a.isScreenSharing).toBe(false);
    call.a.end();
    await call.clock.advanceAsync(10);
    expectReleased(call.a, call.b);
  });
});

describe('switchDevice when the call ends while it is in flight', () => {
  it('rejects with CallEndedError (not resolves) and the new track is stopped', async () => {
    const call = fakeCall();
    await connect(call);
    const pc = pcOf(call, call.a);
    const camera = call.a.localStream!.getVideoTracks()[0]!;
    const sender = pc.getSenders().find((candidate) => candidate.track === camera)!;
    let finishReplace: (() => void) | undefined;
    sender.replaceTrack = (track) =>
      new Promise<void>((resolve) => {
        finishReplace = () => {
          sender.track = track;
          resolve();
        };
      });

    const switching = call.a.switchDevice('video', 'camera-2').catch((e: unknown) => e);
    await settle();
    expect(finishReplace).toBeDefined();
    const newTrack = call.runtime.tracks.at(-1)!;
    call.a.end();
    // A runtime that settles a pending replaceTrack after close (as @roamhq/wrtc does with its operations).
    finishReplace?.();
    const outcome = await switching;

    expect(isCallEndedError(outcome)).toBe(true);
    expect(newTrack.readyState).toBe('ended');
    await call.clock.advanceAsync(10);
    expectReleased(call.a, call.b);
  });
});
