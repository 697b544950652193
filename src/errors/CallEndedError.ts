import type { EndReason, EndSummary } from '../model/endReason.js';
import { HangupError, hasErrorName } from './HangupError.js';

/**
 * The call is over. `start()` rejects with it when the call ends before connecting, and methods that need a
 * live call throw it after the end.
 */
export class CallEndedError extends HangupError {
  override name = 'CallEndedError';
  /** Why the call ended. */
  readonly reason: EndReason;
  /** The summary of the ended call. */
  readonly summary: EndSummary;

  constructor(summary: EndSummary) {
    super('CALL_ENDED', `the call ended (${summary.reason}) before this could complete`, {
      cause: summary.error,
    });
    this.reason = summary.reason;
    this.summary = summary;
  }
}

/** Whether `value` is a {@link CallEndedError}, from any realm. */
export function isCallEndedError(value: unknown): value is CallEndedError {
  return hasErrorName(value, 'CallEndedError');
}
