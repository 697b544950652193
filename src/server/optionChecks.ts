import { MAX_TIMER_DELAY_MS } from '../util/TimerSet.js';

/**
 * Validation of `createRelayServer` options: every problem is a `TypeError` naming the option, the accepted
 * range and the value received, thrown before anything listens.
 */

function fail(name: string, requirement: string, value: unknown): never {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  throw new TypeError(`createRelayServer: ${name} must be ${requirement}; got ${shown}`);
}

/** A count or port: a finite number ≥ 0. */
export function checkNonNegative(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    fail(name, 'a finite, non-negative number', value);
  }
}

/** A size or rate: a finite number > 0. */
export function checkPositive(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    fail(name, 'a finite, positive number', value);
  }
}

/**
 * A timer delay: 0 … 2**31-1 ms (from 1 ms when `positive`). `hint` says what to do instead of a longer value.
 */
export function checkTimerMs(name: string, value: unknown, positive = false, hint?: string): void {
  const low = positive ? 1 : 0;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < low || value > MAX_TIMER_DELAY_MS) {
    fail(
      name,
      `a number of milliseconds from ${low} to ${MAX_TIMER_DELAY_MS} (2**31-1, about 24.8 days: Node runs a longer ` +
        `timer after 1 ms)${hint ? `; ${hint}` : ''}`,
      value,
    );
  }
}
