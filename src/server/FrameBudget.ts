/**
 * A socket's allowance of inbound frames: a token bucket refilled at `perSecond` tokens a second, holding at most
 * `perSecond` (the burst). Every frame costs one token, data and control (ping, pong) alike: a control frame costs
 * the relay as much work as a data frame, and a ping costs it a pong.
 *
 * @internal
 */
export class FrameBudget {
  readonly #perSecond: number;
  readonly #now: () => number;
  #tokens: number;
  #refilledAt: number;

  constructor(perSecond: number, now: () => number = Date.now) {
    this.#perSecond = perSecond;
    this.#now = now;
    this.#tokens = perSecond;
    this.#refilledAt = now();
  }

  /** Spends one token; `false` when none is left (the socket is over its rate). */
  take(): boolean {
    const now = this.#now();
    this.#tokens = Math.min(
      this.#perSecond,
      this.#tokens + ((now - this.#refilledAt) / 1000) * this.#perSecond,
    );
    this.#refilledAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
