/**
 * Machine-readable codes carried by every {@link HangupError}.
 *
 * - `CALL_ENDED` the call is over ({@link CallEndedError})
 * - `INVALID_SIGNAL` inbound signaling data failed validation ({@link InvalidSignalError})
 * - `MEDIA_ACQUISITION` `getUserMedia` / `getDisplayMedia` failed ({@link MediaAcquisitionError})
 * - `CANDIDATE_FAILED` `addIceCandidate` rejected a remote candidate (non-fatal)
 * - `CANDIDATE_QUEUE_FULL` more remote candidates arrived before the remote description than `maxQueuedCandidates`
 * - `CANDIDATE_LIMIT` the peer sent more candidates than `maxRemoteCandidates` in one ICE generation (or twice that
 *   in the call); reported once per generation, the extra ones are dropped
 * - `SEND_FAILED` the signaling adapter's `send` threw or rejected
 * - `NEGOTIATION_FAILED` creating or applying a description failed
 * - `ICE_FAILED` the network path failed and could not be recovered (the cause of an `'ice-failed'` end)
 * - `CONNECTION_CLOSED` the peer connection closed without the session closing it
 * - `SIGNALING_CLOSED` the signaling channel closed while the call stayed healthy
 * - `TEARDOWN_STEP_FAILED` a teardown step threw (a failing `stop()` / `close()` / unsubscribe)
 * - `DATA_CHANNEL` the session's data channel could not take the message
 */
export type HangupErrorCode =
  | 'CALL_ENDED'
  | 'INVALID_SIGNAL'
  | 'MEDIA_ACQUISITION'
  | 'CANDIDATE_FAILED'
  | 'CANDIDATE_QUEUE_FULL'
  | 'CANDIDATE_LIMIT'
  | 'CONTROL_RATE_LIMIT'
  | 'SEND_FAILED'
  | 'NEGOTIATION_FAILED'
  | 'ICE_FAILED'
  | 'CONNECTION_CLOSED'
  | 'SIGNALING_CLOSED'
  | 'TEARDOWN_STEP_FAILED'
  | 'DATA_CHANNEL';

/**
 * Base class of every error hangup creates. `code` says what happened; `cause` carries the underlying error.
 * Use the `isXxxError` guards rather than `instanceof`: they compare `name`, so they work across realms.
 */
export class HangupError extends Error {
  override name = 'HangupError';
  /** What happened, as a stable string. */
  readonly code: HangupErrorCode;

  constructor(code: HangupErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** `addIceCandidate` rejected a remote candidate. The call goes on. */
  static candidateFailed(cause: unknown): HangupError {
    return new HangupError('CANDIDATE_FAILED', 'a remote ICE candidate could not be added', { cause });
  }

  /** The candidate queue is at its cap; the candidate was dropped. */
  static candidateQueueFull(cap: number): HangupError {
    return new HangupError(
      'CANDIDATE_QUEUE_FULL',
      `more than ${cap} remote candidates arrived before the remote description; extra ones are dropped (raise maxQueuedCandidates if this is legitimate)`,
    );
  }

  /**
   * The peer's candidates went over `maxRemoteCandidates` in one ICE generation, or over twice that in
   * the whole call; this and later extra ones are dropped.
   */
  static candidateLimit(limit: number): HangupError {
    return new HangupError(
      'CANDIDATE_LIMIT',
      `the peer sent more ICE candidates than a call accepts (${limit} per ICE generation, ${limit * 2} per call); extra ones are dropped (raise maxRemoteCandidates if this is legitimate)`,
    );
  }

  /**
   * The peer sent more control-channel messages (mute, bye, junk) than a call accepts; this and the later
   * extra ones of the burst are dropped.
   */
  static controlRateLimit(perSecond: number): HangupError {
    return new HangupError(
      'CONTROL_RATE_LIMIT',
      `the peer sent over ${perSecond} control messages/s on the data channel; extra ones are dropped`,
    );
  }

  /** The signaling adapter's `send` threw or rejected. */
  static sendFailed(messageType: string, cause: unknown): HangupError {
    return new HangupError('SEND_FAILED', `signaling send of a '${messageType}' message failed`, { cause });
  }

  /** Creating or applying a session description failed. */
  static negotiationFailed(step: string, cause: unknown): HangupError {
    return new HangupError('NEGOTIATION_FAILED', `negotiation step '${step}' failed`, { cause });
  }

  /** The network path failed for good: the cause of an `'ice-failed'` end. */
  static iceFailed(detail: string): HangupError {
    return new HangupError('ICE_FAILED', `ICE failed: ${detail}`);
  }

  /** The peer connection closed without the session closing it (the runtime closed it). */
  static connectionClosed(): HangupError {
    return new HangupError('CONNECTION_CLOSED', 'the peer connection closed unexpectedly');
  }

  /** The signaling channel closed while the call was healthy. */
  static signalingClosed(cause?: unknown): HangupError {
    return new HangupError(
      'SIGNALING_CLOSED',
      'the signaling channel closed; the call goes on but cannot restart ICE or renegotiate',
      { cause },
    );
  }

  /** A teardown step threw; the other steps still ran. */
  static teardownStepFailed(step: string, cause: unknown): HangupError {
    return new HangupError(
      'TEARDOWN_STEP_FAILED',
      `teardown step '${step}' threw; the other steps still ran`,
      {
        cause,
      },
    );
  }
}

/**
 * Whether `value` carries the given error `name`. Compares the name rather than using `instanceof`, which
 * fails for errors from another realm (an iframe, a worker, a second copy of the bundle).
 */
export function hasErrorName(value: unknown, name: string): boolean {
  return typeof value === 'object' && value !== null && (value as { name?: unknown }).name === name;
}

const HANGUP_ERROR_NAMES = ['HangupError', 'CallEndedError', 'InvalidSignalError', 'MediaAcquisitionError'];

/** Whether `value` is a {@link HangupError} (or a subclass), from any realm. */
export function isHangupError(value: unknown): value is HangupError {
  return (
    HANGUP_ERROR_NAMES.some((name) => hasErrorName(value, name)) &&
    typeof (value as { code?: unknown }).code === 'string'
  );
}
