import { describe, expect, it } from 'vitest';
import { isCallEndedError } from '../../../src/index.js';
import { connect, expectReleased, fakeCall } from '../../helpers/fakeCall.js';
import { hangUpAndExpectReleased, pcOf } from './mediaCall.js';

function report(t: number, sent: number, received: number, lost: number): RTCStatsReport {
  const entries = [
    { id: 'T', type: 'transport', selectedCandidatePairId: 'P' },
    {
      id: 'P',
      type: 'candidate-pair',
      localCandidateId: 'L',
      currentRoundTripTime: 0.042,
      state: 'succeeded',
    },
    { id: 'X', type: 'candidate-pair', localCandidateId: 'R', currentRoundTripTime: 0.5, state: 'waiting' },
    { id: 'L', type: 'local-candidate', candidateType: 'srflx' },
    { id: 'R', type: 'local-candidate', candidateType: 'relay' },
    { id: 'O1', type: 'outbound-rtp', timestamp: t, bytesSent: sent },
    { id: 'O2', type: 'outbound-rtp', timestamp: t, bytesSent: sent },
    {
      id: 'I1',
      type: 'inbound-rtp',
      timestamp: t,
      bytesReceived: received,
      packetsReceived: 90,
      packetsLost: lost,
    },
  ];
  const report: RTCStatsReport = new Map(entries.map((e) => [e.id, e]));
  return report;
}

describe('getStats and quality', () => {
  it('summarises the selected pair, RTP bitrates from deltas, and loss', async () => {
    const call = fakeCall();
    await connect(call);
    const pc = pcOf(call, call.a);
    const reports = [report(1_000, 1_000, 500, 10), report(3_000, 251_000, 50_500, 10)];
    pc.getStats = () => Promise.resolve(reports.shift()!);

    expect(await call.a.getStats()).toEqual({ rttMs: 42, candidateType: 'srflx', packetsLostRatio: 0.1 });
    // Two outbound streams of 250 kB each over 2 s: 2 Mbit/s out; 50 kB in: 200 kbit/s.
    expect(await call.a.getStats()).toEqual({
      rttMs: 42,
      candidateType: 'srflx',
      packetsLostRatio: 0.1,
      outgoingBitrate: 2_000_000,
      incomingBitrate: 200_000,
    });
    call.a.end();
    await expect(call.a.getStats()).rejects.toSatisfy(isCallEndedError);
    await call.clock.advanceAsync(10);
    expectReleased(call.a, call.b);
  });

  it('a quality sample pending at teardown does not re-arm the stats timer when it settles', async () => {
    const call = fakeCall({ statsIntervalMs: 1_000 });
    await connect(call);
    const pc = pcOf(call, call.a);
    // Every getStats() hangs: the quality sample's and the silent-path watch's alike.
    const pending: ((report: RTCStatsReport) => void)[] = [];
    pc.getStats = () => new Promise<RTCStatsReport>((resolve) => pending.push(resolve));
    await call.clock.advanceAsync(1_000);
    expect(pending.length).toBeGreaterThan(0);
    call.a.end();
    call.b.end();
    expect(call.a.liveResources().timers).toBe(0);
    for (const resolve of pending) resolve(report(call.clock.now(), 0, 0, 0));
    await call.clock.advanceAsync(5_000);
    expect(call.a.liveResources().timers).toBe(0);
    expectReleased(call.a, call.b);
  });

  it('emits quality every statsIntervalMs while connected; teardown clears the timer', async () => {
    const call = fakeCall({ statsIntervalMs: 2_000 });
    const samples: unknown[] = [];
    call.a.on('quality', (stats) => samples.push(stats));
    await connect(call);
    const pc = pcOf(call, call.a);
    pc.getStats = () => Promise.resolve(report(call.clock.now(), 0, 0, 0));
    await call.clock.advanceAsync(2_000);
    expect(samples).toHaveLength(1);
    await call.clock.advanceAsync(4_000);
    expect(samples).toHaveLength(3);

    pc.setConnectionState('disconnected');
    await call.clock.advanceAsync(2_000);
    expect(samples).toHaveLength(3);
    pc.setConnectionState('connected');

    call.a.end();
    expect(call.a.liveResources().timers).toBe(0);
    await call.clock.advanceAsync(10_000);
    expect(samples).toHaveLength(3);
    expectReleased(call.a, call.b);
  });

  it('a getStats() pending at teardown rejects with CallEndedError, even when the runtime rejects it', async () => {
    const call = fakeCall();
    await connect(call);
    const pc = pcOf(call, call.a);
    let rejectStats!: (error: unknown) => void;
    pc.getStats = () =>
      new Promise<RTCStatsReport>((_, reject) => {
        rejectStats = reject;
      });
    const pending = call.a.getStats().catch((error: unknown) => error);
    call.a.end();
    rejectStats(new DOMException('the connection is closed', 'InvalidStateError'));
    const error = await pending;
    expect(isCallEndedError(error)).toBe(true);
    await call.clock.advanceAsync(1);
    expectReleased(call.a, call.b);
  });

  it('a getStats() pending at teardown rejects with CallEndedError when the runtime resolves it afterwards', async () => {
    const call = fakeCall();
    await connect(call);
    const pc = pcOf(call, call.a);
    let resolveStats!: (report: RTCStatsReport) => void;
    pc.getStats = () =>
      new Promise<RTCStatsReport>((resolve) => {
        resolveStats = resolve;
      });
    const pending = call.a.getStats().catch((error: unknown) => error);
    call.a.end();
    resolveStats(new Map() as RTCStatsReport);
    const error = await pending;
    expect(isCallEndedError(error)).toBe(true);
    await call.clock.advanceAsync(1);
    expectReleased(call.a, call.b);
  });

  it('emits no quality event by default', async () => {
    const call = fakeCall();
    const samples: unknown[] = [];
    call.a.on('quality', (stats) => samples.push(stats));
    await connect(call);
    await call.clock.advanceAsync(60_000);
    expect(samples).toEqual([]);
    await hangUpAndExpectReleased(call);
  });
});
