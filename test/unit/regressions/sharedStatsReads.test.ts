import { describe, expect, it } from 'vitest';
import type { CallStats } from '../../../src/index.js';
import { StatsSampler } from '../../../src/media/StatsSampler.js';
import { SILENCE_SAMPLE_MS, SILENCE_WINDOW_MS } from '../../../src/session/SilentPathWatch.js';
import { createFakeMediaStream, ManualClock } from '../../../src/testing/index.js';
import { driveTo, expectReleased, solo } from '../../helpers/fakeCall.js';

// Review of #11/#14: with `statsIntervalMs` set, the silent-path watch and the `quality` interval each called
// `getStats()` every second. A read started within a reader's period now serves the other one too.

/** A report with the inbound and outbound RTP counters the watch and the quality summary read. */
function rtpReport(timestamp: number, bytes: number): RTCStatsReport {
  const entries = [
    { id: 'I', type: 'inbound-rtp', kind: 'video', timestamp, bytesReceived: bytes, packetsReceived: 1 },
    { id: 'O', type: 'outbound-rtp', kind: 'video', timestamp, bytesSent: bytes },
  ];
  return new Map(entries.map((entry) => [entry.id, entry])) as RTCStatsReport;
}

/** A connected solo session whose peer sends audio and video, with a counting getStats(). */
async function connectedWithStats(statsIntervalMs: number) {
  const s = solo({ statsIntervalMs });
  const quality: CallStats[] = [];
  s.session.on('quality', (stats) => quality.push(stats));
  await driveTo(s, 'connected');
  const remote = createFakeMediaStream();
  for (const track of remote.getTracks()) s.pc().emitTrack(track, [remote]);
  const stats = { calls: 0, bytes: 0, flowing: true };
  s.pc().getStats = () => {
    stats.calls++;
    if (stats.flowing) stats.bytes += 10_000;
    return Promise.resolve(rtpReport(s.clock.now(), stats.bytes));
  };
  const seconds = async (n: number) => {
    for (let i = 0; i < n; i++) await s.clock.advanceAsync(SILENCE_SAMPLE_MS);
  };
  return { s, quality, stats, seconds };
}

describe('the silent-path watch and the quality interval share their getStats() reads', () => {
  it('statsIntervalMs equal to the watch period: one getStats() a period; the alarm still tells traffic from silence', async () => {
    const { s, quality, stats, seconds } = await connectedWithStats(SILENCE_SAMPLE_MS);
    await seconds(20);
    expect(stats.calls).toBe(20);
    expect(quality).toHaveLength(20);
    // The reports showed traffic: no alarm.
    expect(s.log.errors).toEqual([]);
    expect(s.session.state).toBe('connected');
    // Each quality sample got a report of its own: every one after the first has bitrates.
    expect(quality.slice(1).every((sample) => sample.incomingBitrate === 80_000)).toBe(true);
    // Silence (the counters stop): the watch still raises the alarm on the shared reads.
    stats.flowing = false;
    const before = stats.calls;
    await seconds(SILENCE_WINDOW_MS / SILENCE_SAMPLE_MS + 2);
    expect(s.log.events).toContain('error:ICE_FAILED');
    expect(s.log.states).toContain('reconnecting');
    expect(stats.calls - before).toBe(SILENCE_WINDOW_MS / SILENCE_SAMPLE_MS + 2);
    s.session.end();
    expectReleased(s.session);
  });

  it('a longer quality interval rides on the watch: still one read a second', async () => {
    const { s, quality, stats, seconds } = await connectedWithStats(5 * SILENCE_SAMPLE_MS);
    await seconds(20);
    expect(stats.calls).toBe(20);
    expect(quality).toHaveLength(4);
    expect(quality.slice(1).every((sample) => sample.incomingBitrate === 80_000)).toBe(true);
    expect(s.log.errors).toEqual([]);
    s.session.end();
    expectReleased(s.session);
  });

  it('a shorter quality interval never reuses a read of its own: bitrates in every sample', async () => {
    const { s, quality, stats, seconds } = await connectedWithStats(SILENCE_SAMPLE_MS / 4);
    await seconds(10);
    // Four quality reads a second; the watch's falls on one of them.
    expect(stats.calls).toBe(40);
    expect(quality).toHaveLength(40);
    expect(quality.slice(1).every((sample) => (sample.incomingBitrate ?? 0) > 0)).toBe(true);
    expect(s.log.errors).toEqual([]);
    s.session.end();
    expectReleased(s.session);
  });

  it("the app's getStats() is a read of its own", async () => {
    const { s, stats, seconds } = await connectedWithStats(SILENCE_SAMPLE_MS);
    await seconds(1);
    const calls = stats.calls;
    await s.session.getStats();
    await s.session.getStats();
    expect(stats.calls).toBe(calls + 2);
    s.session.end();
    expectReleased(s.session);
  });
});

// Found by review: `getStats()` and the `quality` event shared one bitrate baseline, and the quality reader may
// take the watch's read from up to a period ago. An app read in between became the newer baseline, so the
// next `quality` event had no bitrates and moved the baseline back in time.
describe('the app and the quality interval each keep their own bitrate baseline', () => {
  it("an app getStats() between two quality events leaves the next event's bitrates whole", async () => {
    const { s, quality } = await connectedWithStats(5_000);
    await s.clock.advanceAsync(5_000);
    await s.clock.advanceAsync(4_500);
    const app = await s.session.getStats();
    await s.clock.advanceAsync(500);
    await s.clock.advanceAsync(5_000);
    expect(quality.length).toBeGreaterThanOrEqual(3);
    // Every event after the first has bitrates: its window is its own, whatever the app read meanwhile.
    for (const stats of quality.slice(1)) {
      expect(stats.incomingBitrate).toBeGreaterThan(0);
      expect(stats.outgoingBitrate).toBeGreaterThan(0);
    }
    // The app's first summary has no previous one of its own: no bitrates yet; its second one does.
    expect(app.incomingBitrate).toBeUndefined();
    const second = await s.session.getStats();
    expect(second.incomingBitrate).toBeGreaterThan(0);
    s.session.end();
    expectReleased(s.session);
  });
});

describe('StatsSampler with a report no newer than its baseline', () => {
  it('gives no bitrates for it and keeps the baseline (a shared read seen twice, or one taken earlier)', () => {
    const sampler = new StatsSampler();
    sampler.summarize(rtpReport(1_000, 10_000));
    expect(sampler.summarize(rtpReport(1_000, 10_000)).incomingBitrate).toBeUndefined();
    expect(sampler.summarize(rtpReport(500, 5_000)).incomingBitrate).toBeUndefined();
    // 10 000 bytes more over the 1 s since the baseline at 1 000 ms: 80 000 bit/s.
    expect(sampler.summarize(rtpReport(2_000, 20_000)).incomingBitrate).toBe(80_000);
  });
});

/** Fires every timer of a second or more 1 ms early, as Node can against `performance.now()` (whole-ms timers). */
class EarlyClock extends ManualClock {
  override setTimeout(fn: () => void, ms: number): unknown {
    return super.setTimeout(fn, ms >= 1_000 ? ms - 1 : ms);
  }
}

describe('a periodic reader never gets back its own read', () => {
  it('the silent-path watch, firing 1 ms early, reads afresh every tick instead of every other one', async () => {
    const clock = new EarlyClock();
    const s = solo({ clock });
    await driveTo(s, 'connected');
    const remote = createFakeMediaStream();
    for (const track of remote.getTracks()) s.pc().emitTrack(track, [remote]);
    let calls = 0;
    let bytes = 0;
    s.pc().getStats = () => {
      calls++;
      bytes += 10_000;
      return Promise.resolve(rtpReport(clock.now(), bytes));
    };
    for (let i = 0; i < 20; i++) await clock.advanceAsync(SILENCE_SAMPLE_MS - 1);
    // One read a tick: a watch handed its own previous read would see no progress on every other tick.
    expect(calls).toBe(20);
    expect(s.session.state).toBe('connected');
    s.session.end();
    expectReleased(s.session);
  });
});
