import { randomBytes } from 'node:crypto';
import type { Logger } from '../../logger.js';
import { finalizeConnection, refuse } from '../connectionFrames.js';
import type { RelayConnection } from '../RoomBackend.js';

/** A message for a member held by this process, published by a cluster script. */
export interface Delivery {
  m: string;
  f?: string[];
  n?: number;
  /** The member's partner is now present (1) or gone (0): `peer-joined` / `peer-left` is among the frames. */
  p?: 0 | 1;
  /** The room was finalized, with this info (JSON text, or '' for none): `finalize`, then close. */
  fin?: string;
  /** Too much waited for the member: it lost its place (`slot-lost`, then close). */
  lost?: 1;
  terminate?: number;
}

/** A member whose socket is on this process. */
export interface LocalMember {
  id: string;
  room: string;
  conn: RelayConnection;
  resumable: boolean;
  /** Random per join or resume: tells this socket's attachment from an older one of the same member. */
  attachment: string;
  /** Number of the last numbered frame sent on this socket. */
  sentUpTo: number;
  /** Deliveries that arrived before the join or resume finished here; sent right after it. */
  early: Delivery[] | undefined;
}

/** Most deliveries held for a member whose join or resume is still in flight. */
const MAX_EARLY = 1_024;

/**
 * The members whose sockets are on this process, and the delivery of what the cluster publishes to them: in
 * order by frame number, held while their join or resume is in flight, and refilled from their outbox in Redis
 * when a publish was missed.
 *
 * @internal
 */
export class LocalMembers {
  readonly #byId = new Map<string, LocalMember>();
  readonly #byConn = new Map<RelayConnection, LocalMember>();
  readonly #fetchOutbox: (id: string) => Promise<string[]>;
  readonly #logger: Logger;

  /** `fetchOutbox` reads a member's outbox entries (`<n>:<frame>`) from Redis. */
  constructor(fetchOutbox: (id: string) => Promise<string[]>, logger: Logger) {
    this.#fetchOutbox = fetchOutbox;
    this.#logger = logger;
  }

  get size(): number {
    return this.#byConn.size;
  }

  byConn(conn: RelayConnection): LocalMember | undefined {
    return this.#byConn.get(conn);
  }

  byId(id: string): LocalMember | undefined {
    return this.#byId.get(id);
  }

  /** Registers `conn` as member `id` before its join or resume runs, so early deliveries are kept for it. */
  adopt(conn: RelayConnection, id: string, room: string, resumable: boolean, sentUpTo: number): LocalMember {
    const attachment = randomBytes(9).toString('base64url');
    const local: LocalMember = { id, room, conn, resumable, attachment, sentUpTo, early: [] };
    this.#byId.set(id, local);
    this.#byConn.set(conn, local);
    return local;
  }

  forget(local: LocalMember): undefined {
    if (this.#byId.get(local.id) === local) this.#byId.delete(local.id);
    if (this.#byConn.get(local.conn) === local) this.#byConn.delete(local.conn);
    return undefined;
  }

  /** A failed resume: the member's previous socket here (if still registered) gets its deliveries back. */
  restore(previous: LocalMember | undefined): void {
    if (previous && this.#byConn.get(previous.conn) === previous) this.#byId.set(previous.id, previous);
  }

  /** Forgets a socket that is being dropped (a stale one after a resume). */
  drop(conn: RelayConnection): void {
    this.#byConn.delete(conn);
  }

  /** Forgets everyone; returns their sockets. */
  clear(): RelayConnection[] {
    const conns = [...this.#byConn.keys()];
    this.#byId.clear();
    this.#byConn.clear();
    return conns;
  }

  /** The join or resume is done: deliveries that overtook its reply are sent now, in order. */
  release(local: LocalMember): void {
    const early = local.early ?? [];
    local.early = undefined;
    for (const delivery of early) this.#deliver(local, delivery);
  }

  /** A message from this process's channel. */
  onDelivery(message: string): void {
    let delivery: Delivery;
    try {
      delivery = JSON.parse(message) as Delivery;
    } catch {
      return;
    }
    const local = this.#byId.get(delivery.m);
    if (!local) return;
    if (local.early) {
      if (local.early.length < MAX_EARLY) local.early.push(delivery);
      return;
    }
    this.#deliver(local, delivery);
  }

  /** Refills every resumable member (after the subscriber reconnected: publishes may have been missed). */
  refillAll(): void {
    for (const local of this.#byConn.values()) if (local.resumable) void this.refill(local);
  }

  /** Sends what the member's outbox holds beyond what this socket got (after a missed publish). */
  async refill(local: LocalMember): Promise<void> {
    if (local.early) return;
    local.early = [];
    try {
      for (const entry of await this.#fetchOutbox(local.id)) {
        const frame = entry.slice(entry.indexOf(':') + 1);
        const n = frameNumber(frame);
        if (n !== undefined && n > local.sentUpTo) {
          local.conn.send(frame);
          local.sentUpTo = n;
        }
      }
    } catch (error) {
      this.#logger.warn('relay: could not refill a member from redis', (error as Error).message);
    }
    this.release(local);
  }

  #deliver(local: LocalMember, delivery: Delivery): void {
    const { conn } = local;
    if (delivery.terminate) {
      // The member resumed on another process: this socket is stale and must not end the membership.
      this.forget(local);
      conn.terminate();
      return;
    }
    if (delivery.n !== undefined) {
      // Already sent with a join or resume reply, or a gap (a lost publish): the outbox has it, fetch from there.
      if (delivery.n <= local.sentUpTo) return;
      if (delivery.n > local.sentUpTo + 1) {
        void this.refill(local);
        return;
      }
      local.sentUpTo = delivery.n;
    }
    for (const frame of delivery.f ?? []) conn.send(frame);
    if (delivery.p !== undefined) conn.partnered(delivery.p === 1);
    // The membership has ended: the same frames and close as in single-process mode.
    if (delivery.lost || delivery.fin !== undefined) {
      this.forget(local);
      if (delivery.lost) refuse(conn, 'slot-lost', local.room);
      else finalizeConnection(conn, parseInfo(delivery.fin));
    }
  }
}

/** Finalize info as the cluster scripts keep it: JSON text, or '' for none. */
export function parseInfo(raw: string | undefined): unknown {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** The `n` of a numbered frame (a signal or a `peer-left`) as the cluster scripts write it. */
export function frameNumber(frame: string): number | undefined {
  const match = /^\{"t":"(?:signal|peer-left)","n":(\d+)[,}]/.exec(frame);
  return match ? Number(match[1]) : undefined;
}
