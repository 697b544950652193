import type { CallStats } from '../model/events.js';

/** Byte counters of one sample, for bitrates from the difference to the next. */
interface Counters {
  readonly timestamp: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
}

type Stat = Record<string, unknown> & { type?: string; id?: string };

const CANDIDATE_TYPES = new Set(['host', 'srflx', 'prflx', 'relay']);

/**
 * Turns `getStats()` reports into {@link CallStats}. Bitrates need two samples: the first call reports
 * none, later ones the average since the previous call on the same sampler. Each reader of bitrates (the
 * app's `getStats()`, the `quality` interval) has a sampler of its own, so neither moves the other's window.
 */
export class StatsSampler {
  #previous: Counters | undefined;

  /**
   * One summary of a `getStats()` read; `{}` without one (no connection). `endedError` says whether the
   * call is over: then it is thrown instead (also when the end came while the runtime was collecting).
   */
  async sample(
    read: Promise<RTCStatsReport> | undefined,
    endedError: () => Error | undefined,
  ): Promise<CallStats> {
    const before = endedError();
    if (before) throw before;
    if (!read) return {};
    let report: RTCStatsReport;
    try {
      report = await read;
    } catch (error) {
      // A runtime may reject a pending getStats() when teardown closes the connection: that is the end.
      throw endedError() ?? error;
    }
    const after = endedError();
    if (after) throw after;
    return this.summarize(report);
  }

  /** Summarises one report (a `Map`-like `RTCStatsReport`). */
  summarize(report: RTCStatsReport): CallStats {
    const stats: Stat[] = [];
    report.forEach((value: unknown) => {
      stats.push(value as Stat);
    });
    const byId = new Map(stats.map((stat) => [stat.id, stat]));
    const result: { -readonly [K in keyof CallStats]: CallStats[K] } = {};

    const pair = selectedPair(stats, byId);
    if (pair) {
      const rtt = number(pair.currentRoundTripTime);
      if (rtt !== undefined) result.rttMs = rtt * 1000;
      const local = byId.get(pair.localCandidateId as string);
      const type = local?.candidateType;
      if (typeof type === 'string' && CANDIDATE_TYPES.has(type))
        result.candidateType = type as CallStats['candidateType'];
    }

    let bytesSent = 0;
    let bytesReceived = 0;
    let packetsLost = 0;
    let packetsReceived = 0;
    let timestamp = 0;
    let rtp = false;
    for (const stat of stats) {
      if (stat.type === 'outbound-rtp') {
        rtp = true;
        bytesSent += number(stat.bytesSent) ?? 0;
      } else if (stat.type === 'inbound-rtp') {
        rtp = true;
        bytesReceived += number(stat.bytesReceived) ?? 0;
        packetsLost += Math.max(0, number(stat.packetsLost) ?? 0);
        packetsReceived += number(stat.packetsReceived) ?? 0;
      } else {
        continue;
      }
      timestamp = Math.max(timestamp, number(stat.timestamp) ?? 0);
    }
    if (packetsLost + packetsReceived > 0)
      result.packetsLostRatio = packetsLost / (packetsLost + packetsReceived);
    // A report no newer than the baseline (a read shared with another reader, taken before this sampler's
    // last one) would give bitrates over a negative or empty window: none, and the baseline stays.
    if (rtp && !(this.#previous && timestamp <= this.#previous.timestamp)) {
      const previous = this.#previous;
      this.#previous = { timestamp, bytesSent, bytesReceived };
      const seconds = previous ? (timestamp - previous.timestamp) / 1000 : 0;
      if (previous && seconds > 0) {
        result.outgoingBitrate = Math.max(0, ((bytesSent - previous.bytesSent) * 8) / seconds);
        result.incomingBitrate = Math.max(0, ((bytesReceived - previous.bytesReceived) * 8) / seconds);
      }
    }
    return result;
  }
}

/** The selected pair: the transport's `selectedCandidatePairId`, else a nominated succeeded pair. */
function selectedPair(stats: Stat[], byId: Map<unknown, Stat>): Stat | undefined {
  for (const stat of stats) {
    if (stat.type === 'transport' && typeof stat.selectedCandidatePairId === 'string') {
      const pair = byId.get(stat.selectedCandidatePairId);
      if (pair) return pair;
    }
  }
  return stats.find(
    (stat) =>
      stat.type === 'candidate-pair' &&
      (stat.selected === true || (stat.nominated === true && stat.state === 'succeeded')),
  );
}

function number(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
