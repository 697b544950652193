import type { Clock } from '../clock.js';
import { tellPeerJoined } from './connectionFrames.js';
import type { RelayConnection } from './RoomBackend.js';
import type { Outbox } from './resume/Outbox.js';
import { PEER_LEFT_FRAME, type SignalPayload, type SizedFrame, signalFrame } from './signalFrame.js';

/** Limits a room applies to what the first member sends while waiting for the second. */
export interface RelayRoomLimits {
  /** Most frames held for a peer that has not joined yet. */
  maxPendingFrames: number;
  /** Most bytes held for a peer that has not joined yet. */
  maxPendingBytes: number;
}

/**
 * One member's place in a room. It outlives its socket for the grace period when it is resumable: frames for it
 * are numbered and held in its `outbox` until acknowledged, and `inSeq` remembers the last frame it sent, so a
 * resent frame is recognised and dropped.
 *
 * @internal
 */
export class RoomMember {
  readonly room: RelayRoom;
  /** Frames for this member not acknowledged yet; `undefined` for a client that did not ask to resume. */
  readonly outbox: Outbox | undefined;
  conn: RelayConnection | undefined;
  /** The token the client is known to hold (issued at join, or confirmed by an `ack` after a resume). */
  token: string | undefined;
  /**
   * The token sent with the last `resumed`, until the client confirms it has it (its first `ack` after the resume).
   * Until then both work, because that `resumed` may have been lost with the connection.
   */
  pendingToken: string | undefined;
  inSeq = 0;
  graceTimer: unknown;

  constructor(room: RelayRoom, conn: RelayConnection, outbox: Outbox | undefined) {
    this.room = room;
    this.conn = conn;
    this.outbox = outbox;
  }

  /** Sends (and, when resumable, holds) `payload` for this member. `false` when its outbox overflowed. */
  deliver(payload: SignalPayload): boolean {
    return this.#send(this.outbox ? this.outbox.push(payload) : signalFrame(payload));
  }

  /**
   * Tells this member its partner left. A resumable member gets it numbered and held like a signal, whether its
   * socket looks open or not: a socket can be dead without the relay knowing yet (half-open), and the member's
   * resume then shows, by number, whether the `peer-left` arrived. `false` when its outbox overflowed.
   */
  partnerLeft(): boolean {
    const sent = this.#send(this.outbox ? this.outbox.pushPeerLeft() : PEER_LEFT_FRAME);
    this.conn?.partnered(false);
    return sent;
  }

  #send(frame: SizedFrame | undefined): boolean {
    if (frame === undefined) return false;
    if (this.conn?.open) this.conn.send(frame.text, frame.bytes);
    return true;
  }
}

/**
 * One room of at most two members. Frames sent while alone are held (bounded) for the second member, so an offer
 * sent before the peer arrives is not lost; the call-length timer runs while it has two members (the server keeps
 * the room's deadline across leaving and rejoining, see `RoomDeadlines`).
 *
 * @internal
 */
export class RelayRoom {
  readonly name: string;
  readonly members: RoomMember[] = [];
  readonly #pending: SignalPayload[] = [];
  readonly #limits: RelayRoomLimits;
  #pendingBytes = 0;
  #limitTimer: { clock: Clock; handle: unknown } | undefined;
  finalized = false;

  constructor(name: string, limits: RelayRoomLimits) {
    this.name = name;
    this.#limits = limits;
  }

  /** How many members (present or within their grace period) the room has. */
  get size(): number {
    return this.members.length;
  }

  /** The other member of `member`'s room, if any. */
  other(member: RoomMember): RoomMember | undefined {
    return this.members.find((candidate) => candidate !== member);
  }

  /** Adds `member` if there is room; the caller sends `joined`, then calls {@link RelayRoom.paired}. */
  add(member: RoomMember): boolean {
    if (this.members.length >= 2 || this.finalized) return false;
    this.members.push(member);
    return true;
  }

  /**
   * After the second member's `joined`: the first gets `peer-joined` and the held frames go to the newcomer.
   * Returns `false` when they overflowed the newcomer's outbox.
   */
  paired(newcomer: RoomMember): boolean {
    const other = this.other(newcomer);
    if (!other) return true;
    tellPeerJoined(other.conn);
    const held = this.#pending.splice(0);
    this.#pendingBytes = 0;
    return held.every((payload) => newcomer.deliver(payload));
  }

  /** Starts the call-length limit; `onExpire` runs once after `ms` unless a member leaves first. */
  startLimit(clock: Clock, ms: number, onExpire: () => void): void {
    this.#clearLimit();
    this.#limitTimer = { clock, handle: clock.setTimeout(onExpire, ms) };
  }

  /**
   * Relays `payload` from `from` to the other member, or holds it while `from` is alone (counted at the size of
   * the frame that will carry it). Returns `'queue-full'` when it had to be dropped, `'peer-lost'` when the other
   * member's outbox overflowed.
   */
  relay(from: RoomMember, payload: SignalPayload): 'ok' | 'queue-full' | 'peer-lost' {
    const other = this.other(from);
    if (other) return other.deliver(payload) ? 'ok' : 'peer-lost';
    // Concatenating the frame's text costs no copy (V8 joins the strings lazily); it is never sent from here.
    const { bytes } = signalFrame(payload);
    if (
      this.#pending.length >= this.#limits.maxPendingFrames ||
      this.#pendingBytes + bytes > this.#limits.maxPendingBytes
    ) {
      return 'queue-full';
    }
    this.#pending.push(payload);
    this.#pendingBytes += bytes;
    return 'ok';
  }

  /**
   * Removes `member`; the remaining member gets `peer-left`. Held frames are discarded (their sender left).
   * Returns the remaining member when its outbox overflowed with that `peer-left` (it must lose its place).
   */
  remove(member: RoomMember): RoomMember | undefined {
    const index = this.members.indexOf(member);
    if (index === -1) return undefined;
    this.members.splice(index, 1);
    this.#pending.length = 0;
    this.#pendingBytes = 0;
    this.#clearLimit();
    return this.members.find((remaining) => !remaining.partnerLeft());
  }

  /** Marks the room finalized and returns its members; relays nothing afterwards. */
  finalize(): RoomMember[] {
    this.finalized = true;
    this.#clearLimit();
    this.#pending.length = 0;
    return this.members.splice(0);
  }

  /** Stops the timer and forgets every member (server shutdown). */
  dispose(): void {
    this.#clearLimit();
    this.members.length = 0;
    this.#pending.length = 0;
  }

  #clearLimit(): void {
    const timer = this.#limitTimer;
    this.#limitTimer = undefined;
    timer?.clock.clearTimeout(timer.handle);
  }
}
