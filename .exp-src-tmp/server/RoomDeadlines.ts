import type { Clock } from '../clock.js';

interface Entry {
  /** When the room's call limit runs out (`clock.now()` scale). */
  deadline: number;
  /** When the entry may be forgotten: `limitMs` after the deadline or the finalize. */
  forgetAt: number;
  /** What the room's members were finalized with, sent again to whoever joins while it is remembered. */
  info: unknown;
}

/**
 * The relay's memory of call limits, which outlives the rooms themselves. Without it, leaving and joining again
 * would restart a room's countdown from zero, and a finalized room could be resumed at once by rejoining.
 * A room's deadline is fixed when it first has two members; it is kept (and a finalized room refused) until
 * `limitMs` after the deadline or the finalize. At most `capacity` rooms are remembered: when full, expired
 * entries go first, then the oldest, so memory stays bounded whatever clients do.
 *
 * @internal
 */
export class RoomDeadlines {
  readonly #entries = new Map<string, Entry>();
  readonly #limitMs: number;
  readonly #capacity: number;
  readonly #clock: Clock;
  readonly #expiryInfo: unknown;

  constructor(limitMs: number, capacity: number, clock: Clock) {
    this.#limitMs = limitMs;
    this.#capacity = capacity;
    this.#clock = clock;
    this.#expiryInfo = { reason: 'max-duration', maxDurationMs: limitMs };
  }

  /** How many rooms are remembered. */
  get size(): number {
    return this.#entries.size;
  }

  /** The `finalize` info for a room that may not be joined now (limit reached or finalized), else `undefined`. */
  refusal(room: string): { info: unknown } | undefined {
    const entry = this.#get(room);
    if (!entry || this.#clock.now() < entry.deadline) return undefined;
    return { info: entry.info };
  }

  /** The room's deadline: the one it already has, or one starting now. */
  deadline(room: string): number {
    const existing = this.#get(room);
    if (existing) return existing.deadline;
    const deadline = this.#clock.now() + this.#limitMs;
    this.#set(room, { deadline, forgetAt: deadline + this.#limitMs, info: this.#expiryInfo });
    return deadline;
  }

  /** Records that `room` was finalized now, with `info` (limit expiry or the operator). */
  finalized(room: string, info: unknown): void {
    const now = this.#clock.now();
    this.#entries.delete(room);
    this.#set(room, { deadline: now, forgetAt: now + this.#limitMs, info });
  }

  /** Forgets everything (server shutdown). */
  clear(): void {
    this.#entries.clear();
  }

  #get(room: string): Entry | undefined {
    const entry = this.#entries.get(room);
    if (entry && this.#clock.now() >= entry.forgetAt) {
      this.#entries.delete(room);
      return undefined;
    }
    return entry;
  }

  #set(room: string, entry: Entry): void {
    if (this.#entries.size >= this.#capacity) this.#makeRoom();
    if (this.#capacity > 0) this.#entries.set(room, entry);
  }

  #makeRoom(): void {
    const now = this.#clock.now();
    for (const [room, entry] of this.#entries) if (now >= entry.forgetAt) this.#entries.delete(room);
    // Still full: forget the oldest (Map order is insertion order).
    for (const room of this.#entries.keys()) {
      if (this.#entries.size < this.#capacity) break;
      this.#entries.delete(room);
    }
  }
}
