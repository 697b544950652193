import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { RELAY_PROTOCOL_VERSION } from '../signaling/relayProtocol.js';
import { finalizeConnection, refuse, sendTo, welcome, welcomeBack } from './connectionFrames.js';
import { RelayRoom, type RelayRoomLimits, RoomMember } from './RelayRoom.js';
import type { Outcome, RelayConnection, RoomBackend } from './RoomBackend.js';
import { RoomDeadlines } from './RoomDeadlines.js';
import { Outbox, type OutboxLimits } from './resume/Outbox.js';
import { newResumeToken } from './resume/resumeToken.js';
import { signalPayload } from './signalFrame.js';

/** Settings of {@link LocalRooms}, resolved by `createRelayServer`. */
export interface LocalRoomsOptions {
  clock: Clock;
  logger: Logger;
  roomLimits: RelayRoomLimits;
  outboxLimits: OutboxLimits;
  resumeGraceMs: number;
  maxDurationMs: number | undefined;
  maxRememberedRooms: number;
  /** What the relay may hold for one socket: a resume's replay must fit in it. */
  maxBufferedBytes: number;
}

/**
 * The rooms of a single relay process: membership, the room-of-two rule, relaying, resume tokens and grace
 * periods, and the call limit.
 *
 * @internal
 */
export class LocalRooms implements RoomBackend {
  readonly #rooms = new Map<string, RelayRoom>();
  readonly #members = new Map<RelayConnection, RoomMember>();
  readonly #tokens = new Map<string, RoomMember>();
  /** Tokens of members that were away when their room was finalized: a resume gets the `finalize`. */
  readonly #finalizedTokens = new Map<string, { info: unknown; handle: unknown }>();
  readonly #ackDue = new Set<RoomMember>();
  readonly #options: LocalRoomsOptions;
  readonly #deadlines: RoomDeadlines | undefined;

  constructor(options: LocalRoomsOptions) {
    this.#options = options;
    this.#deadlines =
      options.maxDurationMs === undefined
        ? undefined
        : new RoomDeadlines(options.maxDurationMs, options.maxRememberedRooms, options.clock);
  }

  /** Rooms currently held (tests and load figures). */
  get roomCount(): number {
    return this.#rooms.size;
  }

  roomOf(conn: RelayConnection): string | undefined {
    return this.#members.get(conn)?.room.name;
  }

  join(conn: RelayConnection, name: string, resumable: boolean): Outcome {
    const refusal = this.#deadlines?.refusal(name);
    if (refusal) {
      const waiting = this.#rooms.get(name);
      if (waiting) this.#finalizeRoom(waiting, refusal.info);
      finalizeConnection(conn, refusal.info);
      return undefined;
    }
    let room = this.#rooms.get(name);
    if (!room) {
      room = new RelayRoom(name, this.#options.roomLimits);
      this.#rooms.set(name, room);
    }
    const member = new RoomMember(room, conn, resumable ? new Outbox(this.#options.outboxLimits) : undefined);
    if (!room.add(member)) {
      refuse(conn, 'room-full', name);
      return undefined;
    }
    this.#members.set(conn, member);
    const peers = room.size - 1;
    if (resumable) member.token = this.#issueToken(member);
    const resume = resumable ? { token: member.token, graceMs: this.#options.resumeGraceMs } : {};
    welcome(conn, { t: 'joined', room: name, peers, v: RELAY_PROTOCOL_VERSION, ...resume });
    if (room.size === 2) {
      if (!room.paired(member)) this.#loseSlot(member);
      else this.#startLimit(room);
    }
    return undefined;
  }

  resume(conn: RelayConnection, name: string, token: string, received: number): Outcome {
    const finalized = this.#finalizedTokens.get(token);
    if (finalized) {
      this.#finalizedTokens.delete(token);
      this.#options.clock.clearTimeout(finalized.handle);
      finalizeConnection(conn, finalized.info);
      return undefined;
    }
    const member = this.#tokens.get(token);
    if (!member || member.room.name !== name || !member.outbox || !member.outbox.ack(received)) {
      refuse(conn, 'resume-failed', name);
      return undefined;
    }
    // The client holds `token`. Any other token it was given is spent: the unconfirmed one it never got, or the
    // older one it has just proved it replaced. A new one goes out with `resumed`.
    const spent = token === member.pendingToken ? member.token : member.pendingToken;
    if (spent !== undefined) this.#tokens.delete(spent);
    member.token = token;
    member.pendingToken = this.#issueToken(member);
    this.#options.clock.clearTimeout(member.graceTimer);
    member.graceTimer = undefined;
    const stale = member.conn;
    if (stale) {
      // The old socket is half-open (the client saw it die first): it must not end the membership when it goes.
      this.#members.delete(stale);
      stale.terminate();
    }
    member.conn = conn;
    this.#members.set(conn, member);
    const resumed = {
      t: 'resumed',
      room: name,
      peers: member.room.size - 1,
      token: member.pendingToken,
      n: member.inSeq,
      graceMs: this.#options.resumeGraceMs,
    } as const;
    if (!welcomeBack(conn, resumed, member.outbox.frames(), this.#options.maxBufferedBytes)) {
      this.#loseSlot(member);
    }
    return undefined;
  }

  signal(conn: RelayConnection, data: unknown, n: number | undefined): Outcome {
    const member = this.#members.get(conn);
    if (!member) return ['not-joined', 'join a room before sending signals'];
    if (member.outbox) {
      // The relay checked that `n`, when present, is a count (isCount); a numbered member's starts at 1.
      if (n === undefined || n < 1) {
        return ['bad-frame', 'a resumable member numbers its signals: "n" must be a positive integer'];
      }
      // Already relayed: a frame the client sent again after a resume because our ack did not reach it.
      if (n <= member.inSeq) return this.#ackLater(member);
      if (n !== member.inSeq + 1) return ['bad-frame', `signal ${n} skips ${member.inSeq + 1}`];
      member.inSeq = n;
      this.#ackLater(member);
    }
    const result = member.room.relay(member, signalPayload(data));
    if (result === 'queue-full') {
      return ['queue-full', 'too much data is waiting for the peer to join; message dropped'];
    }
    if (result === 'peer-lost') {
      const other = member.room.other(member);
      if (other) this.#loseSlot(other);
    }
    return undefined;
  }

  ack(conn: RelayConnection, n: number): Outcome {
    const member = this.#members.get(conn);
    if (!member?.outbox) return ['not-joined', 'ack is for resumable members'];
    if (!member.outbox.ack(n)) return ['bad-frame', 'ack of a frame that was never sent'];
    // Acks are only sent after `resumed` arrived: the client has the new token, the old one is spent.
    if (member.pendingToken !== undefined) {
      if (member.token !== undefined) this.#tokens.delete(member.token);
      member.token = member.pendingToken;
      member.pendingToken = undefined;
    }
    return undefined;
  }

  disconnect(conn: RelayConnection, final: boolean): void {
    const member = this.#members.get(conn);
    if (!member) return;
    this.#members.delete(conn);
    member.conn = undefined;
    const graceMs = this.#options.resumeGraceMs;
    if (final || !member.outbox || graceMs === 0) {
      this.#leave(member);
      return;
    }
    this.#options.logger.debug('relay: a resumable member dropped; holding its place');
    member.graceTimer = this.#options.clock.setTimeout(() => {
      member.graceTimer = undefined;
      this.#leave(member);
    }, graceMs);
  }

  finalize(name: string, info: unknown): boolean {
    const room = this.#rooms.get(name);
    if (!room) return false;
    this.#finalizeRoom(room, info);
    return true;
  }

  async close(): Promise<void> {
    for (const room of this.#rooms.values()) {
      for (const member of room.members) this.#options.clock.clearTimeout(member.graceTimer);
      room.dispose();
    }
    for (const { handle } of this.#finalizedTokens.values()) this.#options.clock.clearTimeout(handle);
    this.#finalizedTokens.clear();
    this.#rooms.clear();
    this.#members.clear();
    this.#tokens.clear();
    this.#ackDue.clear();
    this.#deadlines?.clear();
  }

  #issueToken(member: RoomMember): string {
    const token = newResumeToken();
    this.#tokens.set(token, member);
    return token;
  }

  /** The member's tokens stop working; returns them. */
  #forgetTokens(member: RoomMember): string[] {
    const tokens = [member.token, member.pendingToken].filter((token) => token !== undefined);
    for (const token of tokens) this.#tokens.delete(token);
    return tokens;
  }

  /** Acknowledges a member's frames once per burst (frames parsed from one chunk arrive in one task). */
  #ackLater(member: RoomMember): undefined {
    if (this.#ackDue.has(member)) return undefined;
    this.#ackDue.add(member);
    queueMicrotask(() => {
      this.#ackDue.delete(member);
      sendTo(member.conn, { t: 'ack', n: member.inSeq });
    });
    return undefined;
  }

  #startLimit(room: RelayRoom): void {
    const deadlines = this.#deadlines;
    if (!deadlines) return;
    const { clock, maxDurationMs } = this.#options;
    // The room's own deadline, kept across leaving and rejoining, so a rejoin cannot extend the call.
    const remainingMs = Math.max(0, deadlines.deadline(room.name) - clock.now());
    room.startLimit(clock, remainingMs, () =>
      this.#finalizeRoom(room, { reason: 'max-duration', maxDurationMs }),
    );
  }

  /** The member's place ends now: its peer gets `peer-left`, its token stops working. */
  #leave(member: RoomMember): void {
    this.#options.clock.clearTimeout(member.graceTimer);
    member.graceTimer = undefined;
    this.#forgetTokens(member);
    member.outbox?.clear();
    const room = member.room;
    const overflowed = room.remove(member);
    if (room.size === 0 && this.#rooms.get(room.name) === room) this.#rooms.delete(room.name);
    if (overflowed) this.#loseSlot(overflowed);
  }

  /** Too much waited for `member`: it loses its place (and its socket), its peer gets `peer-left`. */
  #loseSlot(member: RoomMember): void {
    this.#options.logger.info('relay: a member fell too far behind; giving up its place');
    const conn = member.conn;
    if (conn) {
      this.#members.delete(conn);
      refuse(conn, 'slot-lost', member.room.name);
    }
    member.conn = undefined;
    this.#leave(member);
  }

  #finalizeRoom(room: RelayRoom, info: unknown): void {
    if (this.#rooms.get(room.name) === room) this.#rooms.delete(room.name);
    this.#deadlines?.finalized(room.name, info);
    for (const member of room.finalize()) {
      const { clock, resumeGraceMs } = this.#options;
      clock.clearTimeout(member.graceTimer);
      const tokens = this.#forgetTokens(member);
      const conn = member.conn;
      if (conn) {
        this.#members.delete(conn);
        finalizeConnection(conn, info);
      } else {
        for (const token of tokens) {
          const handle = clock.setTimeout(() => this.#finalizedTokens.delete(token), resumeGraceMs);
          this.#finalizedTokens.set(token, { info, handle });
        }
      }
    }
  }
}
