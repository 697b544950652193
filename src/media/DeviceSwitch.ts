import { MediaAcquisitionError } from '../errors/MediaAcquisitionError.js';
import { acquireTrack, type MediaHost } from './mediaHost.js';
import type { ScreenShare } from './ScreenShare.js';
import { sendTrack, swapStreamTrack, trackOf } from './senders.js';

/** What `switchDevice` accepts: a `deviceId` (matched exactly) or track constraints. */
export type DeviceRequest = string | MediaTrackConstraints;

/**
 * Device switching for one session. The new track is acquired through the session's media owner (so one
 * still in flight at teardown is stopped on arrival), swapped into `localStream` (same object), put on
 * the sender with `replaceTrack`, and only then is the old track stopped. Overlapping switches of the same
 * kind resolve to the last one: an earlier switch whose track arrives after a later one started stops its
 * own track and resolves without changing anything.
 */
export class DeviceSwitch {
  readonly #ctx: MediaHost;
  readonly #screen: ScreenShare;
  readonly #latest = { audio: 0, video: 0 };

  constructor(context: MediaHost, screen: ScreenShare) {
    this.#ctx = context;
    this.#screen = screen;
  }

  async switch(kind: 'audio' | 'video', request: DeviceRequest): Promise<void> {
    const ctx = this.#ctx;
    const ended = ctx.endedError();
    if (ended) throw ended;
    const constraints = toConstraints(request);
    if (!ctx.peerConnection())
      throw new TypeError('switchDevice() needs a started call whose media is ready');
    const generation = ++this.#latest[kind];
    const { track, stream } = await acquireTrack(ctx, kind, `the ${kind} device`, () =>
      ctx.runtime.getUserMedia({ [kind]: constraints }),
    );
    if (generation !== this.#latest[kind]) {
      // A later switch of the same kind is under way: it wins.
      ctx.owner.retire(track);
      return;
    }
    // The contract: a switch the end overtook rejects, whichever await it was on (the owner stopped the track).
    const endedMeanwhile = ctx.endedError();
    if (endedMeanwhile) throw endedMeanwhile;
    track.enabled = !ctx.isMuted(kind);
    if (kind === 'video' && this.#screen.active) {
      // The screen is on the sender; the new camera waits until sharing stops.
      const previous = this.#screen.replaceCamera(track);
      if (previous) ctx.owner.retire(previous);
      return;
    }
    await this.#apply(kind, track, stream);
  }

  async #apply(kind: 'audio' | 'video', track: MediaStreamTrack, acquired: MediaStream): Promise<void> {
    const ctx = this.#ctx;
    const local = ctx.localStream();
    const previous = trackOf(local, kind);
    const shown = local ?? acquired;
    if (local) swapStreamTrack(local, previous, track);
    ctx.publishLocalStream(shown);
    const pc = ctx.peerConnection();
    try {
      if (pc) await sendTrack(pc, kind, track, shown);
    } catch (error) {
      const ended = ctx.endedError();
      if (ended) throw ended;
      // Put the old track back where it was, unless a later switch already moved on.
      if (local && trackOf(local, kind) === track) {
        swapStreamTrack(local, track, previous);
        ctx.publishLocalStream(local);
      }
      ctx.owner.retire(track);
      // The contract promises one error type for every failed switch; the sender's error is the cause.
      throw new MediaAcquisitionError(`the ${kind} device (replaceTrack failed)`, error);
    }
    // The call ended while the sender took the track (a runtime that resolves at close): teardown stopped
    // both tracks; the switch did not happen as far as the caller is concerned.
    const ended = ctx.endedError();
    if (ended) throw ended;
    // Retired only once the sender carries the new track, so the peer sees no gap of an ended track.
    // `retire` stops only tracks the session owns: an app's stream (`stopProvidedStream: false`) stays live.
    if (previous) ctx.owner.retire(previous);
  }
}

function toConstraints(request: DeviceRequest): MediaTrackConstraints {
  if (typeof request === 'string' && request !== '') return { deviceId: { exact: request } };
  if (typeof request === 'object' && request !== null) return request;
  throw new TypeError('switchDevice needs a deviceId string or MediaTrackConstraints');
}
