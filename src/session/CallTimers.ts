import type { EndReason } from '../model/endReason.js';
import type { CallStats } from '../model/events.js';
import type { CallState } from '../model/states.js';
import type { TimerSet } from '../util/TimerSet.js';
import type { ResolvedOptions } from './options.js';

/** What {@link CallTimers} needs from its session. */
export interface CallTimersHost {
  /** The session's state (`'ended'` from the first moment of teardown). */
  state(): CallState;
  end(reason: EndReason): void;
  /** Emits `tick`. */
  tick(): void;
  /** Emits `expiring`. */
  expiring(): void;
  /** One `quality` summary (its own bitrate baseline), over a read it may share with the silent-path watch. */
  getStats(): Promise<CallStats>;
  /** Emits `quality`. */
  quality(stats: CallStats): void;
}

/** The options {@link CallTimers} reads. */
export type CallTimersOptions = Pick<
  ResolvedOptions,
  'clock' | 'logger' | 'connectTimeoutMs' | 'tickMs' | 'maxDurationMs' | 'expiryWarningMs' | 'statsIntervalMs'
>;

/**
 * The clock of a call: the connect timeout, then from the first `connected` the tick, the expiry and its
 * warning, and the stats interval. Its timers live in the session's {@link TimerSet}, so teardown clears
 * them with all the others.
 */
export class CallTimers {
  readonly #timers: TimerSet;
  readonly #options: CallTimersOptions;
  readonly #host: CallTimersHost;
  #ticks = 0;
  /** The first `connected`: ticks are counted from it. */
  #connectedAt = 0;

  constructor(timers: TimerSet, options: CallTimersOptions, host: CallTimersHost) {
    this.#timers = timers;
    this.#options = options;
    this.#host = host;
  }

  /** At `start()`: a call that does not connect in `connectTimeoutMs` ends. */
  armConnect(): void {
    const { connectTimeoutMs } = this.#options;
    if (connectTimeoutMs > 0)
      this.#timers.set('connect', connectTimeoutMs, () => this.#host.end('connect-timeout'));
  }

  /** At the first `connected`, before the state changes. */
  disarmConnect(): void {
    this.#timers.clear('connect');
  }

  /** Once connected (at `connectedAt`, on the session's clock): tick, stats, expiry and its warning. */
  startCall(connectedAt: number): void {
    const { maxDurationMs, expiryWarningMs } = this.#options;
    this.#connectedAt = connectedAt;
    this.#scheduleTick();
    this.#scheduleStats();
    if (maxDurationMs === undefined) return;
    this.#timers.set('expiry', maxDurationMs, () => this.#host.end('expired'));
    if (expiryWarningMs > 0) {
      this.#timers.set('expiry-warning', Math.max(0, maxDurationMs - expiryWarningMs), () =>
        this.#host.expiring(),
      );
    }
  }

  #scheduleTick(): void {
    const { tickMs, clock } = this.#options;
    // Counted from the connect time, not from when the last tick ran: a timer that fires a little early or
    // late neither drifts nor ticks twice in one period.
    // After a throttled or late timer (a background tab), skip to the next boundary instead of firing the
    // missed ticks back to back.
    const elapsedMs = Math.max(0, clock.now() - this.#connectedAt);
    this.#ticks = Math.max(this.#ticks + 1, Math.floor(elapsedMs / tickMs) + 1);
    const due = this.#connectedAt + this.#ticks * tickMs;
    this.#timers.set('tick', Math.max(0, due - clock.now()), () => {
      this.#host.tick();
      if (this.#host.state() !== 'ended') this.#scheduleTick();
    });
  }

  #scheduleStats(): void {
    const { statsIntervalMs } = this.#options;
    if (statsIntervalMs <= 0) return;
    // Re-armed only after a sample completes, so slow getStats() calls never pile up.
    this.#timers.set('stats', statsIntervalMs, () => void this.#sampleQuality());
  }

  async #sampleQuality(): Promise<void> {
    try {
      this.#host.quality(await this.#host.getStats());
    } catch (error) {
      if (this.#host.state() !== 'ended') this.#options.logger.debug('stats sample failed', error);
    }
    if (this.#host.state() !== 'ended') this.#scheduleStats();
  }
}
