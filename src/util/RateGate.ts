/** What {@link RateGate.take} decided: `'first-drop'` is the first refusal of a burst (report it), `'drop'` the later ones. */
export type GateVerdict = 'pass' | 'first-drop' | 'drop';

/**
 * A token bucket on an injected clock: `burst` at once, then `perSecond`. It exists so that a peer (or a relay client)
 * cannot turn a stream of messages into an unbounded stream of work and events. A refusal is reported once
 * per burst: the report is re-armed only once the bucket has refilled completely (the sender went quiet for
 * `burst / perSecond` seconds), so a sustained flood costs one report, not one per refilled token.
 */
export class RateGate {
  readonly #now: () => number;
  readonly #perMs: number;
  readonly #burst: number;
  #tokens: number;
  #last: number;
  #reported = false;

  constructor(now: () => number, perSecond: number, burst: number) {
    this.#now = now;
    this.#perMs = perSecond / 1000;
    this.#burst = burst;
    this.#tokens = burst;
    this.#last = now();
  }

  /** Takes one token if there is one. */
  take(): GateVerdict {
    const now = this.#now();
    // A clock that went backwards (it should not) refills nothing rather than draining.
    this.#tokens = Math.min(this.#burst, this.#tokens + Math.max(0, now - this.#last) * this.#perMs);
    this.#last = now;
    if (this.#tokens >= this.#burst) this.#reported = false;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 'pass';
    }
    if (this.#reported) return 'drop';
    this.#reported = true;
    return 'first-drop';
  }
}
