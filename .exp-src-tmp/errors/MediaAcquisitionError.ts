import { HangupError, hasErrorName } from './HangupError.js';

/**
 * Media could not be acquired. `cause` is the runtime's error (usually a `DOMException` such as
 * `NotAllowedError` or `NotFoundError`).
 */
export class MediaAcquisitionError extends HangupError {
  override name = 'MediaAcquisitionError';

  constructor(what: string, cause: unknown) {
    const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super('MEDIA_ACQUISITION', `could not acquire ${what} (${detail})`, { cause });
  }
}

/** Whether `value` is a {@link MediaAcquisitionError}, from any realm. */
export function isMediaAcquisitionError(value: unknown): value is MediaAcquisitionError {
  return hasErrorName(value, 'MediaAcquisitionError');
}
