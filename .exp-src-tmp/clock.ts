/**
 * The time source for every timer a session starts. Inject a `ManualClock` from `hangup/testing` to drive
 * timers deterministically in tests.
 */
export interface Clock {
  /** Milliseconds on a monotonic-enough scale; only differences are used. */
  now(): number;
  /** Schedules `fn` once after `ms`; returns a handle for {@link Clock.clearTimeout}. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a handle returned by {@link Clock.setTimeout}; unknown or spent handles are ignored. */
  clearTimeout(handle: unknown): void;
}

/**
 * The real clock. Globals are read at call time, not import time, so fake timers installed later still
 * apply (the same reason TanStack's timeout manager reads them lazily).
 */
export const realClock: Clock = {
  now: () => (typeof performance !== 'undefined' ? performance.now() : Date.now()),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};
