import {
  type NumberedFrame,
  peerLeftFrame,
  type SignalPayload,
  type SizedFrame,
  signalFrame,
} from '../signalFrame.js';

/** Bounds of an {@link Outbox}. */
export interface OutboxLimits {
  /** Most frames held unacknowledged. */
  maxFrames: number;
  /** Most bytes held unacknowledged. */
  maxBytes: number;
}

/**
 * What the relay sent (or will send) one resumable member and the member has not acknowledged yet, numbered
 * from 1. After a dropped socket the member resumes with the last number it received; everything after it is
 * sent again, so nothing is lost or duplicated. Bounded in frames and bytes: a member that stops acknowledging
 * (or stays away) cannot make the relay hold an unbounded backlog; over the bound `push` refuses and the relay
 * gives up the member's place.
 *
 * @internal
 */
export class Outbox {
  readonly #entries: NumberedFrame[] = [];
  readonly #limits: OutboxLimits;
  #bytes = 0;
  #last = 0;

  constructor(limits: OutboxLimits) {
    this.#limits = limits;
  }

  /** The number of the last frame pushed (0 before the first). */
  get last(): number {
    return this.#last;
  }

  /** Frames held. */
  get size(): number {
    return this.#entries.length;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Numbers `payload` as the next frame and holds it; returns the frame to send (with its size), or `undefined`
   * when holding it would pass a bound (nothing is held then).
   */
  push(payload: SignalPayload): SizedFrame | undefined {
    return this.#hold((n) => signalFrame(payload, n));
  }

  /**
   * Numbers a `peer-left` as the next frame and holds it like a signal, within the same bounds: the member
   * acknowledges it, so a resume can tell whether it arrived (an unnumbered one, sent into a socket nobody knew
   * was dead, could be lost without anyone knowing).
   */
  pushPeerLeft(): SizedFrame | undefined {
    return this.#hold(peerLeftFrame);
  }

  /**
   * Forgets every frame up to and including `n` (cumulative acknowledgement). Returns `false` for a number
   * that was never sent (a broken or hostile client); nothing changes then.
   */
  ack(n: number): boolean {
    if (!Number.isSafeInteger(n) || n < 0 || n > this.#last) return false;
    let drop = 0;
    while (drop < this.#entries.length && this.#entries[drop]!.n <= n) {
      this.#bytes -= this.#entries[drop]!.bytes;
      drop++;
    }
    this.#entries.splice(0, drop);
    return true;
  }

  #hold(frameNumbered: (n: number) => SizedFrame): SizedFrame | undefined {
    const n = this.#last + 1;
    const frame = frameNumbered(n);
    if (this.#entries.length >= this.#limits.maxFrames || this.#bytes + frame.bytes > this.#limits.maxBytes) {
      return undefined;
    }
    this.#last = n;
    this.#entries.push({ ...frame, n });
    this.#bytes += frame.bytes;
    return frame;
  }

  /** The frames still held, oldest first, with their sizes and numbers (to send again after a resume). */
  frames(): readonly NumberedFrame[] {
    return this.#entries;
  }

  /** Forgets everything. */
  clear(): void {
    this.#entries.length = 0;
    this.#bytes = 0;
  }
}
