import type { WebSocket } from 'ws';
import type { Clock } from '../clock.js';

/**
 * Sockets whose member is alone in its room, oldest-alone first, so that when the relay is full a newcomer can
 * take the place of one that has been alone longer than `aloneTimeoutMs`: otherwise `maxConnections` sockets each
 * joining a room of their own would keep every legitimate pair out (issue #11). A member whose partner is present
 * is never here.
 *
 * Told by the room backends (single-process and cluster alike, through `RelayConnection.partnered`) whenever a
 * member joins or resumes (alone or not), gets a partner or loses it, so the rule is the same in both modes. A
 * member whose partner dropped into its resume grace still has a partner until the grace ends (its `peer-left`):
 * it counts as alone from then, at most `resumeGraceMs` later.
 *
 * @internal
 */
export class LoneMembers {
  /** Insertion order is the order members became alone (re-inserted when alone again). */
  readonly #since = new Map<WebSocket, number>();
  readonly #clock: Clock;
  readonly #aloneTimeoutMs: number;

  constructor(clock: Clock, aloneTimeoutMs: number) {
    this.#clock = clock;
    this.#aloneTimeoutMs = aloneTimeoutMs;
  }

  /** The member on `socket` has a partner from now (never displaceable), or is alone from now. */
  partnered(socket: WebSocket, present: boolean): void {
    this.#since.delete(socket);
    // Re-inserted, so the order stays the order in which members became alone.
    if (!present) this.#since.set(socket, this.#clock.now());
  }

  /** The socket is gone (or no longer a member). Idempotent. */
  forget(socket: WebSocket): void {
    this.#since.delete(socket);
  }

  /** The socket alone longest, if it has been alone for at least `aloneTimeoutMs`. */
  displaceable(): WebSocket | undefined {
    for (const [socket, since] of this.#since) {
      return this.#clock.now() - since >= this.#aloneTimeoutMs ? socket : undefined;
    }
    return undefined;
  }

  /** Forgets everything (server shutdown). */
  clear(): void {
    this.#since.clear();
  }
}
