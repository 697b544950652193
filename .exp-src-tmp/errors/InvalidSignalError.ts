import { HangupError, hasErrorName } from './HangupError.js';

/**
 * Inbound signaling data failed validation. Thrown by `parseSignalMessage`; a session reports it as an
 * `error` event and drops the message.
 */
export class InvalidSignalError extends HangupError {
  override name = 'InvalidSignalError';

  constructor(reason: string, options?: { cause?: unknown }) {
    super('INVALID_SIGNAL', `invalid signal message: ${reason}`, options);
  }
}

/** Whether `value` is an {@link InvalidSignalError}, from any realm. */
export function isInvalidSignalError(value: unknown): value is InvalidSignalError {
  return hasErrorName(value, 'InvalidSignalError');
}
