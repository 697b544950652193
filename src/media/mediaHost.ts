import type { CallEndedError } from '../errors/CallEndedError.js';
import type { HangupError } from '../errors/HangupError.js';
import { MediaAcquisitionError } from '../errors/MediaAcquisitionError.js';
import type { Logger } from '../logger.js';
import type { RtcRuntime } from '../runtime.js';
import type { MediaOwner } from './MediaOwner.js';

/** What the media controls (device switch, screen share) need from their host (the session). */
export interface MediaHost {
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
function endedErrorOf(context: MediaHost): CallEndedError {
  const ended = context.endedError();
  if (!ended) throw new Error('hangup internal error: media owner released while the call is live');
  return ended;
}

/**
 * Acquires media for a control through the session's media owner and keeps one video or audio track of it:
 * the others are stopped at once. An acquisition that arrives after the end was already stopped by the
 * owner; the control then fails with the session's {@link CallEndedError}.
 * @throws MediaAcquisitionError (`what` names the device) when the runtime fails or returns no such track.
 */
export async function acquireTrack(
  context: MediaHost,
  kind: 'audio' | 'video',
  what: string,
  request: () => Promise<MediaStream>,
): Promise<{ readonly track: MediaStreamTrack; readonly stream: MediaStream }> {
  let stream: MediaStream | undefined;
  try {
    stream = await context.owner.acquire(request);
  } catch (error) {
    throw new MediaAcquisitionError(what, error);
  }
  // No stream means the owner was released, which only teardown does.
  if (!stream || context.endedError()) throw endedErrorOf(context);
  const track = (kind === 'audio' ? stream.getAudioTracks() : stream.getVideoTracks())[0];
  for (const other of stream.getTracks()) if (other !== track) context.owner.retire(other);
  if (!track) throw new MediaAcquisitionError(what, new Error(`no ${kind} track returned`));
  return { track, stream };
}
