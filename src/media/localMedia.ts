import type { Logger } from '../logger.js';
import type { RtcRuntime } from '../runtime.js';
import { acquireWithAudioFallback } from './audioFallback.js';
import type { MediaOwner } from './MediaOwner.js';

/** What {@link obtainLocalMedia} reads. */
export interface LocalMediaOptions {
  readonly media: MediaStreamConstraints | MediaStream | false;
  readonly stopProvidedStream: boolean;
  readonly fallbackToAudioOnly: boolean;
  readonly runtime: RtcRuntime;
  readonly logger: Logger;
}

/**
 * The call's local media: nothing (`media: false`), the stream handed in (a copy of the session's own when
 * the app keeps its stream), or a new acquisition through the media owner, falling back to audio only when
 * allowed. `videoError` is the camera failure that fallback survived.
 */
export async function obtainLocalMedia(
  options: LocalMediaOptions,
  owner: MediaOwner,
): Promise<{ stream: MediaStream | undefined; videoError?: unknown }> {
  const { media, runtime } = options;
  if (media === false) return { stream: undefined };
  if (isMediaStream(media)) return { stream: options.stopProvidedStream ? media : ownCopyOf(media) };
  return acquireWithAudioFallback(
    owner,
    (constraints) => runtime.getUserMedia(constraints),
    media,
    options.fallbackToAudioOnly,
    options.logger,
  );
}

/** Whether the `media` option is a stream rather than constraints. */
export function isMediaStream(media: MediaStreamConstraints | MediaStream): media is MediaStream {
  return typeof (media as MediaStream).getTracks === 'function';
}

/**
 * A stream of the session's own holding the app's tracks. With `stopProvidedStream: false` the app keeps its
 * stream, so a device switch or screen share must swap tracks in a copy, never in the app's object (or the
 * app would lose the reference to a camera track it must stop itself). Built with the stream's own class, so
 * it works for browser, @roamhq/wrtc and fake streams alike; where that fails, the app's stream is used.
 */
function ownCopyOf(stream: MediaStream): MediaStream {
  try {
    const StreamClass = stream.constructor as new (tracks: MediaStreamTrack[]) => MediaStream;
    const copy = new StreamClass(stream.getTracks());
    if (copy.getTracks().length === stream.getTracks().length) return copy;
  } catch {
    // Fall through: a runtime whose streams cannot be built from tracks.
  }
  return stream;
}
