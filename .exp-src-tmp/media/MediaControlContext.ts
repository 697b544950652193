import type { CallEndedError } from '../errors/CallEndedError.js';
import type { HangupError } from '../errors/HangupError.js';
import type { Logger } from '../logger.js';
import type { MediaOwner } from '../resources/MediaOwner.js';
import type { RtcRuntime } from '../runtime.js';

/** What the media controls need from their session; the session builds it over its private state. */
export interface MediaControlContext {
  /** Owns every track a control acquires; stops late arrivals after teardown. */
  readonly owner: MediaOwner;
  readonly runtime: RtcRuntime;
  readonly logger: Logger;
  /** The live peer connection; `undefined` before it exists and after the end. */
  peerConnection(): RTCPeerConnection | undefined;
  /** The current local stream, if any. */
  localStream(): MediaStream | undefined;
  /** Makes `stream` the local stream (it may be the same object with a track swapped) and emits `localStream`. */
  publishLocalStream(stream: MediaStream): void;
  /** Whether the app muted this kind (a new track starts with `enabled = !muted`). */
  isMuted(kind: 'audio' | 'video'): boolean;
  /** The error a control must fail with once the call is over; `undefined` while it lives. */
  endedError(): CallEndedError | undefined;
  /** Reports a non-fatal problem as an `error` event. */
  report(error: HangupError): void;
}

/**
 * The session's {@link CallEndedError}, for a control that found the call over (or its media owner released,
 * which only teardown does). A live call here is an internal bug, so it asserts rather than invent another error.
 */
export function endedErrorOf(context: MediaControlContext): CallEndedError {
  const ended = context.endedError();
  if (!ended) throw new Error('hangup internal error: media owner released while the call is live');
  return ended;
}
