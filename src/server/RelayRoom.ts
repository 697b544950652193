import type { WebSocket } from 'ws';
import type { Clock } from '../clock.js';
import { RELAY_PROTOCOL_VERSION, RelayCloseCode, type RelayServerFrame } from '../signaling/relayProtocol.js';
import type { SendFrame } from './OutboundCap.js';

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
  readonly #send: SendFrame;
  #pendingBytes = 0;
  #limitTimer: { clock: Clock; handle: unknown } | undefined;
  #finalized = false;

  /**
   * `send` delivers every frame the room sends (the relay's per-socket outbound cap: a member over it is closed,
   * which may happen inside any call here).
   */
  constructor(name: string, limits: RelayRoomLimits, send: SendFrame) {
    this.name = name;
    this.#limits = limits;
    this.#send = send;
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
    this.#send(socket, {
      t: 'joined',
      room: this.name,
      peers: this.#members.length - 1,
      v: RELAY_PROTOCOL_VERSION,
    });
    // Closed for being over its outbound cap by that very frame: it has left again, nothing more to do.
    if (!this.#members.includes(socket)) return true;
    const other = this.#other(socket);
    if (other) {
      this.#send(other, { t: 'peer-joined' });
      for (const frame of this.#pending.splice(0)) this.#send(socket, frame);
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
      this.#send(other, frame);
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
    for (const member of this.#members) this.#send(member, { t: 'peer-left' });
  }

  /** Sends `finalize` to both members, then closes them (code 4000). Relays nothing afterwards. */
  finalize(info: unknown): void {
    if (this.#finalized) return;
    this.#finalized = true;
    this.#clearLimit();
    const members = this.#members.splice(0);
    for (const member of members) {
      this.#send(member, info === undefined ? { t: 'finalize' } : { t: 'finalize', info });
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
