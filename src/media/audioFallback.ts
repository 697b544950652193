import type { Logger } from '../logger.js';
import type { MediaOwner } from './MediaOwner.js';

/** Result of {@link acquireWithAudioFallback}. */
export interface FallbackResult {
  readonly stream: MediaStream | undefined;
  /** Why video was given up, when it was. */
  readonly videoError?: unknown;
}

/**
 * Acquires `constraints`; when that fails, `fallback` is on and video was asked for together with audio,
 * tries audio alone. If audio alone fails too, the original error is thrown (it says why the call failed).
 * Both attempts go through the media owner, so either one arriving after teardown is stopped on arrival.
 */
export async function acquireWithAudioFallback(
  owner: MediaOwner,
  getUserMedia: (constraints: MediaStreamConstraints) => Promise<MediaStream>,
  constraints: MediaStreamConstraints,
  fallback: boolean,
  logger: Logger,
): Promise<FallbackResult> {
  try {
    return { stream: await owner.acquire(() => getUserMedia(constraints)) };
  } catch (error) {
    if (!fallback || !constraints.video || !constraints.audio || owner.released) throw error;
    logger.warn('audio and video could not be acquired; trying audio only', error);
    try {
      const stream = await owner.acquire(() => getUserMedia({ audio: constraints.audio }));
      return { stream, videoError: error };
    } catch {
      throw error;
    }
  }
}
