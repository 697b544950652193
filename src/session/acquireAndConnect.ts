import { MediaAcquisitionError } from '../errors/MediaAcquisitionError.js';
import { isMediaStream, type LocalMediaOptions, obtainLocalMedia } from '../media/localMedia.js';
import type { MediaOwner } from '../media/MediaOwner.js';
import type { MuteSync } from '../media/MuteSync.js';
import type { EndReason } from '../model/endReason.js';
import type { CallState } from '../model/states.js';
import type { PeerLink } from '../peer/PeerLink.js';
import type { SignalingLink } from '../signaling/SignalingLink.js';

/** What {@link acquireAndConnect} needs from its session: its exit, its events and the parts it drives. */
export interface AcquireAndConnectHost {
  /** What to acquire (`media`), whether to fall back to audio only, the runtime and logger to use. */
  readonly options: LocalMediaOptions;
  /** Owns the acquisition: what arrives after teardown is stopped on arrival. */
  readonly owner: MediaOwner;
  /** Whether the call has ended (checked after every `await`). */
  ended(): boolean;
  /** Ends the call (`teardown`). */
  end(reason: EndReason, error?: unknown): void;
  /** Reports the camera failure the audio-only fallback survived. */
  emit(event: 'error', error: MediaAcquisitionError): void;
  /** Makes `stream` the local stream and announces it (the `localStream` event, a new snapshot). */
  publishLocalStream(stream: MediaStream): void;
  /** Moves along the transition table; false when refused or the call ended meanwhile. */
  transition(to: CallState): boolean;
  /** Builds the peer connection (`open`), then takes the tracks (`addMedia`). */
  peer(): Pick<PeerLink, 'open' | 'addMedia'>;
  /** Lets the messages held since `subscribe()` through once the connection exists. */
  signaling(): Pick<SignalingLink, 'release'>;
  /** Aligns the new stream's tracks with a mute set before `start()`. */
  mute(): Pick<MuteSync, 'alignNewStream'>;
}

/**
 * The call's way from `starting` to `connecting`: the local media (with the audio-only fallback, whose
 * camera failure is reported, not fatal), the peer connection, then the tracks handed to the peer link.
 * Ends the call with `'media-error'` when there is no media, `'error'` when the connection cannot be built.
 */
export async function acquireAndConnect(host: AcquireAndConnectHost): Promise<void> {
  // The acquisition is asked for first and the peer connection built while it runs: constructing one is
  // a blocking call of a millisecond or so in @roamhq/wrtc, which then overlaps the camera's start
  // instead of following it. The negotiation built with it waits until the tracks are in.
  const acquisition = obtainLocalMedia(host.options, host.owner);
  acquisition.catch(() => {});
  try {
    host.peer().open();
    // Messages an adapter delivered from inside subscribe() can go to the negotiation's line now.
    host.signaling().release();
  } catch (error) {
    // What the acquisition still brings is stopped on arrival: the media owner is released by teardown.
    host.end('error', error);
    return;
  }
  let stream: MediaStream | undefined;
  try {
    const acquired = await acquisition;
    stream = acquired.stream;
    if (acquired.videoError !== undefined && !host.ended()) {
      host.emit('error', new MediaAcquisitionError('the camera (going on audio-only)', acquired.videoError));
    }
  } catch (error) {
    host.end('media-error', new MediaAcquisitionError('local media', error));
    return;
  }
  // Ended while acquiring: the media owner has already stopped whatever arrived.
  if (host.ended()) return;
  try {
    if (stream) {
      // Aligned with the mute state before anyone sees it (a handed-in stream may carry disabled tracks).
      const { media } = host.options;
      host.mute().alignNewStream(stream, media !== false && isMediaStream(media));
      host.publishLocalStream(stream);
    }
    if (!host.transition('connecting')) return;
    host.peer().addMedia(stream);
  } catch (error) {
    host.end('error', error);
  }
}
