import { HangupError } from '../errors/HangupError.js';
import type { EndReason, EndSummary } from '../model/endReason.js';

/** The summary of a call ending at `endedAt`: the connected time is counted from `connectedAt`, if any. */
export function endSummary(
  reason: EndReason,
  error: unknown,
  startedAt: number | undefined,
  connectedAt: number | undefined,
  endedAt: number,
): EndSummary {
  return {
    reason,
    ...(error !== undefined && { error }),
    ...(startedAt !== undefined && { startedAt }),
    ...(connectedAt !== undefined && { connectedAt }),
    endedAt,
    durationMs: connectedAt === undefined ? 0 : Math.max(0, endedAt - connectedAt),
  };
}

/**
 * Runs one teardown step so that nothing it does can stop the others: each failure it returns (one per
 * track, say), or the one it throws, joins `problems` as a `TEARDOWN_STEP_FAILED` error naming the step.
 */
export function attemptStep(problems: HangupError[], step: string, work: () => unknown): void {
  let failures: unknown;
  try {
    failures = work();
  } catch (failure) {
    failures = [failure];
  }
  if (!Array.isArray(failures)) return;
  for (const failure of failures) problems.push(HangupError.teardownStepFailed(step, failure));
}
