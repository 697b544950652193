import { RateGate } from '../util/RateGate.js';

/**
 * A socket's allowance of inbound frames: the shared token bucket ({@link RateGate}) refilled at `perSecond`
 * tokens a second, holding at most `perSecond` (the burst). Every frame costs one token, data and control (ping,
 * pong) alike: a control frame costs the relay as much work as a data frame, and a ping costs it a pong.
 *
 * @internal
 */
export class FrameBudget {
  readonly #gate: RateGate;

  constructor(perSecond: number, now: () => number = Date.now) {
    this.#gate = new RateGate(now, perSecond, perSecond);
  }

  /** Spends one token; `false` when none is left (the socket is over its rate). */
  take(): boolean {
    return this.#gate.take() === 'pass';
  }
}
