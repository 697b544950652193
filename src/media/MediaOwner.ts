/**
 * Owns the local media of one session: the tracks it must stop, and the acquisitions still in flight.
 * After {@link MediaOwner.release}, an acquisition that arrives late has its tracks stopped at once and is
 * never handed to the session: this is what keeps a camera from staying on when `getUserMedia` resolves
 * after the call ended.
 */
export class MediaOwner {
  readonly #owned = new Set<MediaStreamTrack>();
  #pending = 0;
  #released = false;

  /**
   * Runs an acquisition. Resolves with the stream, its tracks owned, or with `undefined` when the owner was
   * released before it arrived (its tracks are already stopped). Rejects with the acquisition's own error.
   */
  async acquire(request: () => Promise<MediaStream>): Promise<MediaStream | undefined> {
    if (this.#released) return undefined;
    this.#pending++;
    let stream: MediaStream;
    try {
      stream = await request();
    } catch (error) {
      if (!this.#released) this.#pending--;
      throw error;
    }
    if (this.#released) {
      stopQuietly(stream.getTracks());
      return undefined;
    }
    this.#pending--;
    for (const track of stream.getTracks()) this.#owned.add(track);
    return stream;
  }

  /** Takes ownership of tracks the session will stop at release. */
  own(tracks: Iterable<MediaStreamTrack>): void {
    if (this.#released) {
      stopQuietly(tracks);
      return;
    }
    for (const track of tracks) this.#owned.add(track);
  }

  /**
   * Stops a track the session owns and forgets it (a device switch retiring the old track). A track the app
   * kept (`stopProvidedStream: false`) is left running. Returns whether it was stopped.
   */
  retire(track: MediaStreamTrack): boolean {
    if (!this.#owned.delete(track)) return false;
    track.stop();
    return true;
  }

  /** Whether the owner has been released. */
  get released(): boolean {
    return this.#released;
  }

  /** How many owned tracks are held. */
  get trackCount(): number {
    return this.#owned.size;
  }

  /** Acquisitions in flight (not counted any more once released: they are stopped on arrival). */
  get pendingCount(): number {
    return this.#pending;
  }

  /**
   * Stops every owned track and drops every reference. Idempotent. Returns what `stop()` threw, so the
   * caller can report it without one failure keeping the other tracks running.
   */
  release(): unknown[] {
    if (this.#released) return [];
    this.#released = true;
    this.#pending = 0;
    const failures: unknown[] = [];
    for (const track of this.#owned) {
      try {
        track.stop();
      } catch (error) {
        failures.push(error);
      }
    }
    this.#owned.clear();
    return failures;
  }
}

function stopQuietly(tracks: Iterable<MediaStreamTrack>): void {
  for (const track of tracks) {
    try {
      track.stop();
    } catch {
      // Nobody is left to tell: the session already ended. Stopping the others matters more.
    }
  }
}
