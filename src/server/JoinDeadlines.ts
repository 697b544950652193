import type { WebSocket } from 'ws';
import type { Clock } from '../clock.js';

/**
 * Sockets that have connected but not joined a room yet, oldest first, each with its join deadline. A socket
 * that has not joined within `timeoutMs` is handed to `onExpire` (the relay closes it), so idle sockets cannot
 * hold the relay's connection slots; and when the relay is full, the oldest of them ({@link JoinDeadlines.oldest})
 * makes way for a newcomer, so idle sockets cannot keep legitimate joins out either.
 *
 * @internal
 */
export class JoinDeadlines {
  /** Insertion order is connection order: the first entry is the oldest socket still waiting. */
  readonly #timers = new Map<WebSocket, unknown>();
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #onExpire: (socket: WebSocket) => void;

  constructor(clock: Clock, timeoutMs: number, onExpire: (socket: WebSocket) => void) {
    this.#clock = clock;
    this.#timeoutMs = timeoutMs;
    this.#onExpire = onExpire;
  }

  /** How many sockets have not joined yet. */
  get size(): number {
    return this.#timers.size;
  }

  /** Starts `socket`'s countdown (it just connected). */
  start(socket: WebSocket): void {
    const handle = this.#clock.setTimeout(() => {
      this.#timers.delete(socket);
      this.#onExpire(socket);
    }, this.#timeoutMs);
    this.#timers.set(socket, handle);
  }

  /** `socket` joined a room, or is going away: it no longer has a deadline. Idempotent. */
  settle(socket: WebSocket): void {
    if (!this.#timers.has(socket)) return;
    this.#clock.clearTimeout(this.#timers.get(socket));
    this.#timers.delete(socket);
  }

  /** The socket that has waited longest without joining, if any. */
  oldest(): WebSocket | undefined {
    for (const socket of this.#timers.keys()) return socket;
    return undefined;
  }

  /** Clears every countdown (server shutdown). */
  clear(): void {
    for (const handle of this.#timers.values()) this.#clock.clearTimeout(handle);
    this.#timers.clear();
  }
}
