import type { WebSocket } from 'ws';
import type { Clock } from '../clock.js';
import { RELAY_PROTOCOL_VERSION, RelayCloseCode, type RelayServerFrame } from '../signaling/relayProtocol.js';

/** Sends one frame, ignoring sockets that are already going away. */
export function sendFrame(socket: WebSocket, frame: RelayServerFrame): void {
  if (socket.readyState !== socket.OPEN) return;
  socket.send(JSON.stringify(frame));
}

/** Limits a room applies to what the first member sends while waiting for the second. */
export interface RelayRoomLimits {
  /** Most frames held for a peer that has not joined yet. */
  maxPendingFrames: number;
  /** Most bytes held for a peer that has not joined yet. */
  maxPendingBytes: number;
}

/**
 * One room of at most two sockets. Frames sent while alone are held (bounded) for the second member, so an offer
 * sent before the peer arrives is not lost; the call-length timer runs while it has two members (the server keeps
 * the room's deadline across leaving and rejoining, see `RoomDeadlines`).
 *
 * @internal
 */
export class RelayRoom {
  readonly name: string;
  readonly #members: WebSocket[] = [];
  readonly #pending: string[] = [];
  readonly #limits: RelayRoomLimits;
  #pendingBytes = 0;
  #limitTimer: { clock: Clock; handle: unknown } | undefined;
  #finalized = false;

  constructor(name: string, limits: RelayRoomLimits) {
    this.name = name;
    this.#limits = limits;
  }

  /** How many sockets are in the room. */
  get size(): number {
    return this.#members.length;
  }

  /**
   * Adds `socket` if there is room. When it is the second member, the other one gets `peer-joined`, the held
   * frames are delivered to the newcomer, and `onPair` is called (to start the call-length timer).
   */
  join(socket: WebSocket): boolean {
    if (this.#members.length >= 2 || this.#finalized) return false;
    this.#members.push(socket);
    sendFrame(socket, {
      t: 'joined',
      room: this.name,
      peers: this.#members.length - 1,
      v: RELAY_PROTOCOL_VERSION,
    });
    const other = this.#other(socket);
    if (other) {
      sendFrame(other, { t: 'peer-joined' });
      for (const frame of this.#pending.splice(0)) {
        if (socket.readyState === socket.OPEN) socket.send(frame);
      }
      this.#pendingBytes = 0;
    }
    return true;
  }

  /** Starts the call-length limit; `onExpire` runs once after `ms` unless a member leaves first. */
  startLimit(clock: Clock, ms: number, onExpire: () => void): void {
    this.#clearLimit();
    this.#limitTimer = { clock, handle: clock.setTimeout(onExpire, ms) };
  }

  /**
   * Relays `data` from `from` to the other member, or holds it while `from` is alone.
   * Returns `'queue-full'` when it had to be dropped.
   */
  relay(from: WebSocket, data: unknown): 'ok' | 'queue-full' {
    const frame = JSON.stringify({ t: 'signal', data } satisfies RelayServerFrame);
    const other = this.#other(from);
    if (other) {
      if (other.readyState === other.OPEN) other.send(frame);
      return 'ok';
    }
    const bytes = Buffer.byteLength(frame);
    if (
      this.#pending.length >= this.#limits.maxPendingFrames ||
      this.#pendingBytes + bytes > this.#limits.maxPendingBytes
    ) {
      return 'queue-full';
    }
    this.#pending.push(frame);
    this.#pendingBytes += bytes;
    return 'ok';
  }

  /** Removes `socket`; the remaining member gets `peer-left`. Held frames are discarded (their sender left). */
  leave(socket: WebSocket): void {
    const index = this.#members.indexOf(socket);
    if (index === -1) return;
    this.#members.splice(index, 1);
    this.#pending.length = 0;
    this.#pendingBytes = 0;
    this.#clearLimit();
    for (const member of this.#members) sendFrame(member, { t: 'peer-left' });
  }

  /** Sends `finalize` to both members, then closes them (code 4000). Relays nothing afterwards. */
  finalize(info: unknown): void {
    if (this.#finalized) return;
    this.#finalized = true;
    this.#clearLimit();
    const members = this.#members.splice(0);
    for (const member of members) {
      sendFrame(member, info === undefined ? { t: 'finalize' } : { t: 'finalize', info });
      // The close frame follows the finalize frame on the same connection, so the client reads finalize first.
      member.close(RelayCloseCode.finalized, 'finalized');
    }
  }

  /** Stops the timer and forgets every member (server shutdown). */
  dispose(): void {
    this.#clearLimit();
    this.#members.length = 0;
    this.#pending.length = 0;
  }

  #other(socket: WebSocket): WebSocket | undefined {
    return this.#members.find((member) => member !== socket);
  }

  #clearLimit(): void {
    const timer = this.#limitTimer;
    this.#limitTimer = undefined;
    timer?.clock.clearTimeout(timer.handle);
  }
}
