import { isHangupError } from '../errors/HangupError.js';
import { MediaAcquisitionError } from '../errors/MediaAcquisitionError.js';
import { acquireTrack, type MediaHost } from './mediaHost.js';
import { sendTrack, swapStreamTrack, trackOf } from './senders.js';

/**
 * Screen sharing for one session. The screen track replaces the outgoing video (and the video track of
 * `localStream`); the camera track keeps running meanwhile so it comes back at once when sharing stops,
 * whether through {@link ScreenShare.stop} or the browser's own "Stop sharing" control (the track's
 * `ended` event). The screen track is owned by the session's {@link MediaOwner}, so teardown stops it.
 */
export class ScreenShare {
  readonly #ctx: MediaHost;
  #screen: MediaStreamTrack | undefined;
  /** The camera track to return to (`undefined` for a call that sent no video). */
  #camera: MediaStreamTrack | undefined;
  #removeEndedListener: (() => void) | undefined;
  #starting: Promise<void> | undefined;
  /** Bumped by every stop, so a start still waiting for `getDisplayMedia` knows it was cancelled. */
  #generation = 0;

  constructor(context: MediaHost) {
    this.#ctx = context;
  }

  /** Whether the screen is being sent. */
  get active(): boolean {
    return this.#screen !== undefined;
  }

  /**
   * While sharing, a device switch changes the camera to return to instead of the outgoing video.
   * Returns the camera track it replaced, for the caller to retire.
   */
  replaceCamera(track: MediaStreamTrack): MediaStreamTrack | undefined {
    const previous = this.#camera;
    this.#camera = track;
    return previous;
  }

  /** Starts sharing; a second call while one is starting returns the same promise. */
  start(options?: DisplayMediaStreamOptions): Promise<void> {
    const ended = this.#ctx.endedError();
    if (ended) return Promise.reject(ended);
    const { runtime } = this.#ctx;
    if (typeof runtime.getDisplayMedia !== 'function') {
      return Promise.reject(
        new TypeError(
          'screen sharing needs getDisplayMedia: unavailable in this runtime (pass options.runtime.getDisplayMedia, or use a browser that supports it)',
        ),
      );
    }
    if (!this.#ctx.peerConnection()) {
      return Promise.reject(new TypeError('startScreenShare() needs a started call whose media is ready'));
    }
    if (this.active) return Promise.resolve();
    this.#starting ??= this.#start(options).finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  async #start(options: DisplayMediaStreamOptions | undefined): Promise<void> {
    const ctx = this.#ctx;
    const generation = this.#generation;
    const getDisplayMedia = ctx.runtime.getDisplayMedia!.bind(ctx.runtime);
    // Shared system audio is not sent (the microphone keeps its sender): only the video track is kept.
    const { track: screen, stream } = await acquireTrack(ctx, 'video', 'the screen', () =>
      getDisplayMedia(options ?? { video: true }),
    );
    if (generation !== this.#generation) {
      // stopScreenShare() ran while the picker was open.
      ctx.owner.retire(screen);
      return;
    }
    screen.enabled = !ctx.isMuted('video');
    const local = ctx.localStream();
    this.#camera = trackOf(local, 'video');
    this.#screen = screen;
    this.#listenForBrowserStop(screen);
    const shown = local ?? stream;
    if (local) swapStreamTrack(local, this.#camera, screen);
    ctx.publishLocalStream(shown);
    const pc = ctx.peerConnection();
    if (!pc) return;
    try {
      await sendTrack(pc, 'video', screen, shown);
    } catch (error) {
      const ended = ctx.endedError();
      if (ended) throw ended;
      // The sender refused the screen, so it still carries the camera: undone here, without a replaceTrack
      // (a stop() would ask the sender for the camera again and, refused too, resume a share never sent).
      if (this.#screen === screen) {
        this.#generation++;
        const camera = this.#forget();
        if (local && trackOf(local, 'video') === screen) {
          swapStreamTrack(local, screen, camera);
          ctx.publishLocalStream(local);
        }
      }
      ctx.owner.retire(screen);
      // The same failure in a device switch is a MediaAcquisitionError: one error type for both controls.
      throw new MediaAcquisitionError('the screen (replaceTrack failed)', error);
    }
    // The call may have ended while the sender took the track (a runtime that resolves at close).
    const ended = ctx.endedError();
    if (ended) throw ended;
  }

  /**
   * Stops sharing and sends the camera again. Resolves when the camera is back on the sender.
   * @throws MediaAcquisitionError when the sender refused the camera (`replaceTrack`): the screen stays on
   * the sender and sharing stays on (`active`), so a later stop can try again.
   */
  async stop(): Promise<void> {
    const generation = ++this.#generation;
    const screen = this.#screen;
    if (!screen) return;
    const ctx = this.#ctx;
    const camera = this.#forget();
    if (ctx.endedError()) return;
    if (camera) camera.enabled = !ctx.isMuted('video');
    const local = ctx.localStream();
    if (local) {
      swapStreamTrack(local, screen, camera);
      ctx.publishLocalStream(local);
    }
    const pc = ctx.peerConnection();
    try {
      if (pc) await sendTrack(pc, 'video', camera ?? null, local);
    } catch (error) {
      const ended = ctx.endedError();
      if (ended) throw ended;
      this.#resume(generation, screen, camera, local);
      // The same failure in a device switch is a MediaAcquisitionError: one error type for both controls.
      throw new MediaAcquisitionError('the camera (replaceTrack failed)', error);
    }
    // Retired only after the sender moved on, so the peer never receives frames of an ended track.
    ctx.owner.retire(screen);
  }

  /**
   * The sender refused the camera and still carries the screen: sharing is on again, as the sender says.
   * Unless something moved on meanwhile (a new share, the end): then the screen is retired.
   */
  #resume(
    generation: number,
    screen: MediaStreamTrack,
    camera: MediaStreamTrack | undefined,
    local: MediaStream | undefined,
  ): void {
    const ctx = this.#ctx;
    if (generation !== this.#generation || this.#screen !== undefined) {
      ctx.owner.retire(screen);
      return;
    }
    this.#screen = screen;
    this.#camera = camera;
    if (local && trackOf(local, 'video') === camera) {
      swapStreamTrack(local, camera, screen);
      ctx.publishLocalStream(local);
    }
    // A screen the browser already stopped stays on the sender until a stop succeeds; it will not end twice.
    if (screen.readyState !== 'ended') this.#listenForBrowserStop(screen);
  }

  /** Teardown: removes the `ended` listener and forgets the tracks (the media owner stops them). */
  release(): void {
    this.#generation++;
    this.#forget();
  }

  /** No share any more: the `ended` listener goes and both tracks are let go of; returns the camera. */
  #forget(): MediaStreamTrack | undefined {
    const camera = this.#camera;
    this.#detach();
    this.#screen = undefined;
    this.#camera = undefined;
    return camera;
  }

  #listenForBrowserStop(screen: MediaStreamTrack): void {
    const onEnded = (): void => {
      this.#ctx.logger.info('screen sharing stopped from the browser');
      // Reported with the type stopScreenShare() rejects with (MediaAcquisitionError).
      this.stop().catch((error: unknown) => {
        if (this.#ctx.endedError()) return;
        this.#ctx.report(
          isHangupError(error) ? error : new MediaAcquisitionError('the camera (restoring it failed)', error),
        );
      });
    };
    screen.addEventListener('ended', onEnded);
    this.#removeEndedListener = () => screen.removeEventListener('ended', onEnded);
  }

  #detach(): void {
    const remove = this.#removeEndedListener;
    this.#removeEndedListener = undefined;
    remove?.();
  }
}
