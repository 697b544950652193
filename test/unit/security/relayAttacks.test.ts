import { afterEach, describe, expect, it } from 'vitest';
import {
  type AttackResult,
  idleSocketsAttack,
  nonReaderAttack,
  pingFloodAttack,
  type RoundTrips,
  startLegitPair,
} from '../../helpers/relayAttacks.js';
import { RelayProcess, type RelayReport } from '../../helpers/relayProcess.js';

// Issue #11, relay half: the attacks that exhausted the relay, run against the real relay in a child process
// whose RSS is sampled every 10 ms, while a legitimate pair keeps relaying round trips. Each runs a couple of
// seconds here; `npm run fuzz` runs them longer (HANGUP_ATTACK_SECONDS). Loopback only.

const SECONDS = Number(process.env.HANGUP_ATTACK_SECONDS ?? 2);
// Room for setting up on a loaded machine (the idle sockets may take up to 10 s to open) and tearing down.
const TIMEOUT_MS = SECONDS * 1_000 + 30_000;
const MiB = 1024 * 1024;

let relay: RelayProcess | undefined;
afterEach(async () => {
  await relay?.stop();
  relay = undefined;
});

/** Growth over the baseline: peak RSS, and RSS and live memory (heap + external) after GC at the attack's end. */
interface Growth {
  peakRss: number;
  rss: number;
  live: number;
  /** The relay's longest event-loop delay during the attack. */
  loopDelayMs: number;
}

function growth(baseline: RelayReport, end: RelayReport, last: RelayReport): Growth {
  return {
    peakRss: last.peakRss - baseline.rss,
    rss: end.rss - baseline.rss,
    live: end.live - baseline.live,
    loopDelayMs: last.maxLoopDelayMs,
  };
}

const mib = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`;

/** One line per attack with the figures docs/security.md quotes. */
function record(name: string, grown: Growth, attack: AttackResult, legit: RoundTrips, extra = ''): void {
  console.log(
    `[relay attack] ${name}: ${SECONDS} s, relay growth: peak RSS ${mib(grown.peakRss)}; at the end, after GC, ` +
      `RSS ${mib(grown.rss)}, heap + external ${mib(grown.live)}; relay event loop delayed ` +
      `${grown.loopDelayMs.toFixed(0)} ms at most; ` +
      `attacker sent ${attack.framesSent} frames (${(attack.bytesSent / MiB).toFixed(1)} MiB), cut off ` +
      `${attack.cutOff}×, close codes ${JSON.stringify(attack.closeCodes)}; legitimate pair ${legit.count} round ` +
      `trips, median ${legit.medianMs.toFixed(1)} ms, max ${legit.maxMs.toFixed(1)} ms${extra}`,
  );
}

describe('the relay under attack (child process, RSS measured)', () => {
  it(
    'a member that never reads is closed once its buffer is full; its partner gets peer-left; RSS stays bounded',
    async () => {
      relay = await RelayProcess.start();
      const process = relay;
      const legit = await startLegitPair(relay.url, 'legit');
      const baseline = await relay.mark();
      let end: RelayReport | undefined;
      const attack = await nonReaderAttack(relay.url, SECONDS * 1_000, async () => {
        end = await process.retained();
      });
      const grown = growth(baseline, end!, await relay.report());
      const trips = await legit.stop();
      record('non-reader', grown, attack, trips);
      // Each non-reader is cut off within a fraction of a second (1 MiB buffered at 42 MiB/s)…
      expect(attack.cutOff).toBeGreaterThanOrEqual(1);
      // …so the relay holds at most maxBufferedBytes (1 MiB) per socket: the current non-reader, the ones cut off
      // within the last second (terminated after the close grace) and the 1 MiB held for the next one. What it keeps
      // stays flat however long the attack (the code before the cap held 86 MiB after 2 s, and growing). The peak
      // includes the garbage of parsing 42 MiB/s of frames, which V8 collects in its own time.
      expect(grown.live).toBeLessThan(40 * MiB);
      expect(grown.peakRss).toBeLessThan(160 * MiB);
      expect(trips.count).toBeGreaterThan(0);
    },
    TIMEOUT_MS,
  );

  it(
    'many members that never read at once: the relay holds at most the per-socket bound for each',
    async () => {
      // Smaller frames than the defaults, so the pairs stay within what a shared CI core can relay; 10 pairs in
      // `npm test`, 20 in the long run.
      const options = { maxFrameBytes: 64 * 1024, maxBufferedBytes: 128 * 1024 };
      relay = await RelayProcess.start(options);
      const process = relay;
      const pairs = SECONDS >= 10 ? 20 : 10;
      const legit = await startLegitPair(relay.url, 'legit');
      const baseline = await relay.mark();
      // Measured once, while every pair is still attacking.
      let end: RelayReport | undefined;
      let arrived = 0;
      let release = (): void => {};
      const measured = new Promise<void>((resolve) => {
        release = resolve;
      });
      const results = await Promise.all(
        Array.from({ length: pairs }, (_, i) =>
          nonReaderAttack(
            process.url,
            SECONDS * 1_000,
            async () => {
              arrived++;
              if (arrived === pairs) {
                end = await process.retained();
                release();
              }
              await measured;
            },
            { room: `non-reader-${i}`, frameBytes: options.maxFrameBytes },
          ),
        ),
      );
      const attack = results.reduce(
        (sum, one) => ({
          cutOff: sum.cutOff + one.cutOff,
          framesSent: sum.framesSent + one.framesSent,
          bytesSent: sum.bytesSent + one.bytesSent,
          closeCodes: {},
        }),
        { cutOff: 0, framesSent: 0, bytesSent: 0, closeCodes: {} } as AttackResult,
      );
      const grown = growth(baseline, end!, await relay.report());
      const trips = await legit.stop();
      // Per socket: maxBufferedBytes waiting for it, a frame being handled, the frames held while alone in a room.
      const perSocket = options.maxBufferedBytes + options.maxFrameBytes + options.maxBufferedBytes;
      record(
        `${pairs} non-readers at once`,
        grown,
        attack,
        trips,
        `; bound for the ${2 * pairs} attacking sockets ${mib(2 * pairs * perSocket)}`,
      );
      // In 2 s on a loaded machine the kernel's socket buffers (several MiB per paused socket) may absorb all
      // that was sent, so whether anyone was cut off yet is not asserted here; what the relay holds is. The
      // sockets cut off within the last second (close grace) are still counted: twice the sockets, plus slack for
      // the relay's own transient state.
      expect(grown.live).toBeLessThan(2 * (2 * pairs * perSocket) + 8 * MiB);
      expect(trips.count).toBeGreaterThan(0);
    },
    TIMEOUT_MS,
  );

  it(
    'pings count against the rate limit and their pongs against the buffer cap: a ping flood is cut off',
    async () => {
      relay = await RelayProcess.start();
      const process = relay;
      const legit = await startLegitPair(relay.url, 'legit');
      const baseline = await relay.mark();
      let end: RelayReport | undefined;
      const attack = await pingFloodAttack(relay.url, SECONDS * 1_000, async () => {
        end = await process.retained();
      });
      const last = await relay.report();
      end ??= await relay.retained();
      const grown = growth(baseline, end, last);
      const trips = await legit.stop();
      record('ping flood', grown, attack, trips);
      expect(attack.cutOff).toBeGreaterThanOrEqual(1);
      expect(grown.live).toBeLessThan(16 * MiB);
      expect(grown.peakRss).toBeLessThan(64 * MiB);
      expect(trips.count).toBeGreaterThan(0);
    },
    TIMEOUT_MS,
  );

  it(
    '1 000 sockets that never join cannot keep a legitimate pair out; they are closed at the join deadline',
    async () => {
      relay = await RelayProcess.start({ joinTimeoutMs: 1_000 });
      const { url } = relay;
      const process = relay;
      const baseline = await relay.mark();
      let legit: Awaited<ReturnType<typeof startLegitPair>> | undefined;
      let full: RelayReport | undefined;
      // The pair arrives once the relay is full of idle sockets.
      const attack = await idleSocketsAttack(url, SECONDS * 1_000, 1_000, async () => {
        full = await process.retained();
        legit = await startLegitPair(url, 'legit');
      });
      const grown = growth(baseline, await relay.retained(), await relay.report());
      const trips = await legit!.stop();
      record(
        'idle sockets',
        grown,
        attack,
        trips,
        `; fresh pairs admitted ${attack.joinsAdmitted}/${attack.joinsTried}; with the 1 000 sockets open, RSS ` +
          `${((full!.rss - baseline.rss) / 1_000 / 1024).toFixed(0)} KiB per socket`,
      );
      expect(attack.joinsAdmitted).toBe(attack.joinsTried);
      expect(attack.joinsTried).toBeGreaterThan(0);
      expect(grown.peakRss).toBeLessThan(96 * MiB);
      expect(trips.count).toBeGreaterThan(0);
    },
    TIMEOUT_MS,
  );

  it(
    '1 000 sockets that each join a room of their own cannot keep a legitimate pair out once alone for aloneTimeoutMs',
    async () => {
      relay = await RelayProcess.start({ joinTimeoutMs: 1_000, aloneTimeoutMs: 1_000 });
      const { url } = relay;
      const baseline = await relay.mark();
      let legit: Awaited<ReturnType<typeof startLegitPair>> | undefined;
      // The squatters are displaced (1013) and come back at once, joining again: the pair must still get in.
      const attack = await idleSocketsAttack(
        url,
        SECONDS * 1_000,
        1_000,
        async () => {
          legit = await startLegitPair(url, 'legit');
        },
        1_100,
      );
      const grown = growth(baseline, await relay.retained(), await relay.report());
      const trips = await legit!.stop();
      record(
        'squatting sockets',
        grown,
        attack,
        trips,
        `; fresh pairs admitted ${attack.joinsAdmitted}/${attack.joinsTried}`,
      );
      expect(trips.count).toBeGreaterThan(0);
      // Displaced squatters come straight back and compete for the next aged place: fresh pairs get in, not every
      // one (18/18 and 14/20 in two runs); how many depends on how fast the attacker reconnects.
      expect(attack.joinsAdmitted).toBeGreaterThan(0);
      expect(grown.peakRss).toBeLessThan(96 * MiB);
    },
    TIMEOUT_MS,
  );
});
