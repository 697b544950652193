import type { WebSocket } from 'ws';
import type { Clock } from '../clock.js';

/**
 * Sockets whose member is alone in its room, oldest-alone first, so that when the relay is full a newcomer can
 * take the place of one that has been alone longer than `aloneTimeoutMs`: otherwise `maxConnections` sockets each
 * joining a room of their own would keep every legitimate pair out (issue #11). A member whose partner is present
 * is never here.
 *
 * Fed with the frames the relay sends each socket (`joined`/`resumed` with `peers`, `peer-joined`, `peer-left`),
 * which both the single-process and the cluster room logic send, so the rule is the same in both modes. A member
 * whose partner dropped into its resume grace is told nothing until the grace ends, so it counts as alone from
 * then (`peer-left`): at most `resumeGraceMs` later.
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

  /** Notes what a frame sent to `socket` says about its partner. Cheap for the frames that do not matter. */
  observe(socket: WebSocket, frame: string): void {
    if (frame.startsWith('{"t":"peer-joined"')) {
      this.#since.delete(socket);
    } else if (frame.startsWith('{"t":"peer-left"')) {
      this.#alone(socket);
    } else if (frame.startsWith('{"t":"joined"') || frame.startsWith('{"t":"resumed"')) {
      const peers = (JSON.parse(frame) as { peers?: unknown }).peers;
      if (peers === 0) this.#alone(socket);
      else this.#since.delete(socket);
    }
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

  #alone(socket: WebSocket): void {
    this.#since.delete(socket);
    this.#since.set(socket, this.#clock.now());
  }
}
