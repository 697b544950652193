import { randomBytes } from 'node:crypto';
import type { Logger } from '../../logger.js';
import { RELAY_PROTOCOL_VERSION } from '../../signaling/relayProtocol.js';
import { finalizeConnection, refuse, sendTo, welcome, welcomeBack } from '../connectionFrames.js';
import type { Problem, RelayConnection, RoomBackend } from '../RoomBackend.js';
import type { OutboxLimits } from '../resume/Outbox.js';
import { newResumeToken } from '../resume/resumeToken.js';
import { frameNumber, LocalMembers, parseInfo } from './LocalMembers.js';
import { connectRedis, type RedisClientOption, type RedisPair, runScript } from './redisConnection.js';

/** Settings of {@link ClusterRooms}, resolved by `createRelayServer`. */
export interface ClusterRoomsOptions {
  redis: string | RedisClientOption;
  logger: Logger;
  /** Bounds of what a lone member may leave for the second one. */
  roomLimits: { maxPendingFrames: number; maxPendingBytes: number };
  outboxLimits: OutboxLimits;
  resumeGraceMs: number;
  maxDurationMs: number | undefined;
  /** Prefix of every Redis key and channel, so several relays can share one Redis. */
  keyPrefix: string;
  /** How often this process renews its presence; it counts as dead after three missed renewals. */
  heartbeatMs: number;
  /** How often this process ends expired graces and calls, and looks for dead processes. */
  reapMs: number;
  /** What the relay may hold for one socket: a resume's replay must fit in it. */
  maxBufferedBytes: number;
}

/**
 * Rooms shared by every relay process connected to the same Redis: membership (the room-of-two rule in one
 * script), frames forwarded through a channel per process to whichever process holds the other member, resume
 * tokens, grace periods and call limits kept in Redis, so a member can resume on any process and a dead process's
 * members are found through its expired heartbeat. See `docs/scaling.md`.
 *
 * @internal
 */
export class ClusterRooms implements RoomBackend {
  /** This process's id in the cluster (random per start). */
  readonly processId = randomBytes(9).toString('base64url');
  readonly #options: ClusterRoomsOptions;
  readonly #members: LocalMembers;
  #redis!: RedisPair;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #reaper: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  /** Whether a heartbeat has been recorded (the first one finds no presence key, as expected). */
  #beaten = false;
  /** Kept to be removed at close: an app's own client outlives the relay. */
  readonly #onCommandsClosed = (): void => this.#onStorageLost();

  private constructor(options: ClusterRoomsOptions) {
    this.#options = options;
    this.#members = new LocalMembers(
      (id) => this.#redis.commands.lrange(`${options.keyPrefix}ob:${id}`, 0, -1),
      options.logger,
    );
  }

  /** Connects to Redis, subscribes to this process's channel and starts the heartbeat. */
  static async start(options: ClusterRoomsOptions): Promise<ClusterRooms> {
    const rooms = new ClusterRooms(options);
    rooms.#redis = await connectRedis(options.redis, (error) =>
      options.logger.warn('relay: redis connection problem', error.message),
    );
    try {
      rooms.#redis.subscriber.on('message', (_channel, message) => rooms.#members.onDelivery(message));
      await rooms.#redis.subscriber.subscribe(rooms.#channel);
      await rooms.#beat();
    } catch (error) {
      await rooms.#redis.close();
      throw error;
    }
    rooms.#redis.commands.on('close', rooms.#onCommandsClosed);
    // The subscriber re-subscribes by itself after a reconnect, but what was published meanwhile is gone: send
    // every local member what its outbox holds beyond what it got.
    rooms.#redis.subscriber.on('ready', () => {
      if (!rooms.#closed) rooms.#members.refillAll();
      // Once more after the re-subscription has surely taken effect, for what was published in between.
      const later = setTimeout(() => !rooms.#closed && rooms.#members.refillAll(), options.reapMs);
      later.unref();
    });
    rooms.#heartbeat = setInterval(() => void rooms.#beat().catch(() => {}), options.heartbeatMs);
    rooms.#reaper = setInterval(() => void rooms.#reap(), options.reapMs);
    return rooms;
  }

  /**
   * The command connection to Redis closed. Whether Redis comes back with its data (persistence, failover) or
   * without (a restart of an in-memory Redis) cannot be known here, so every client is asked to resume (1012):
   * with the data, they get their places back; without it, resume fails and they end `closed`. Either way no client
   * is left believing it is in a room Redis has forgotten.
   */
  #onStorageLost(): void {
    this.#sendAllAway('relay storage lost');
  }

  /** Asks every client of this process to resume (1012, not final): their places are kept in Redis. */
  #sendAllAway(reason: string): void {
    if (this.#closed || this.#members.size === 0) return;
    this.#options.logger.warn(`relay: ${reason}; asking every client to resume`);
    for (const conn of this.#members.clear()) conn.close(1012, reason);
  }

  get #channel(): string {
    return `${this.#options.keyPrefix}to:${this.processId}`;
  }

  roomOf(conn: RelayConnection): string | undefined {
    return this.#members.byConn(conn)?.room;
  }

  async join(conn: RelayConnection, room: string, resumable: boolean): Promise<undefined> {
    const { outboxLimits, maxDurationMs, resumeGraceMs } = this.#options;
    const token = resumable ? newResumeToken() : '';
    const local = this.#members.adopt(conn, randomBytes(12).toString('base64url'), room, resumable, 0);
    const reply = await this.#run(conn, 'join', [
      room,
      local.id,
      this.processId,
      resumable ? '1' : '0',
      token,
      maxDurationMs ?? 0,
      outboxLimits.maxFrames,
      outboxLimits.maxBytes,
      resumeGraceMs,
      local.attachment,
    ]);
    if (!reply) return this.#members.forget(local);
    const [status, ...rest] = reply;
    if (status !== 'ok') {
      this.#members.forget(local);
      if (status === 'finalized') finalizeConnection(conn, parseInfo(rest[0]));
      else refuse(conn, status === 'full' ? 'room-full' : 'slot-lost', room);
      return undefined;
    }
    const peers = Number(rest[0]);
    const resume = resumable ? { token, graceMs: resumeGraceMs } : {};
    welcome(conn, { t: 'joined', room, peers, v: RELAY_PROTOCOL_VERSION, ...resume });
    const held = rest.slice(1);
    for (const frame of held) conn.send(frame);
    if (resumable) local.sentUpTo = held.length;
    this.#members.release(local);
    return undefined;
  }

  async resume(conn: RelayConnection, room: string, token: string, received: number): Promise<undefined> {
    // The member id is needed before the script runs, so deliveries published right after it are not dropped.
    const id = await this.#ask(conn, 'lookup', () =>
      this.#redis.commands.get(`${this.#options.keyPrefix}tok:${token}`),
    );
    if (id === undefined) return undefined;
    const newToken = newResumeToken();
    // The member's current socket, if it is on this process (half-open): it keeps its deliveries unless this works.
    const previous = id === null ? undefined : this.#members.byId(id);
    const local = id === null ? undefined : this.#members.adopt(conn, id, room, true, received);
    const failed = (): void => {
      if (!local) return;
      this.#members.forget(local);
      this.#members.restore(previous);
    };
    const reply = await this.#run(conn, 'resume', [
      room,
      token,
      received,
      this.processId,
      newToken,
      local?.attachment ?? '',
    ]);
    if (!reply) {
      failed();
      return undefined;
    }
    const [status, ...rest] = reply;
    if (status !== 'ok' || !local || rest[0] !== local.id) {
      failed();
      if (status === 'finalized') finalizeConnection(conn, parseInfo(rest[0]));
      else refuse(conn, 'resume-failed', room);
      return undefined;
    }
    const [, peers, inSeq, , ...frames] = rest as [string, string, string, string, ...string[]];
    if (previous && previous.conn !== conn) {
      // The old socket is half-open: it must not end the membership when it goes (Redis ignores its departure,
      // which carries the old attachment id), and it gets nothing more.
      this.#members.drop(previous.conn);
      previous.conn.terminate();
    }
    const resumed = {
      t: 'resumed',
      room,
      peers: Number(peers),
      token: newToken,
      n: Number(inSeq),
      graceMs: this.#options.resumeGraceMs,
    } as const;
    const replay = frames.map((text) => ({
      text,
      bytes: Buffer.byteLength(text),
      n: frameNumber(text) ?? 0,
    }));
    if (!welcomeBack(conn, resumed, replay, this.#options.maxBufferedBytes)) {
      // Too much waited to send it again within the socket's cap: the place is given up, as in one process.
      this.#options.logger.info('relay: a member fell too far behind; giving up its place');
      await this.disconnect(conn, true);
      refuse(conn, 'slot-lost', room);
      return undefined;
    }
    for (const { n } of replay) local.sentUpTo = n || local.sentUpTo;
    this.#members.release(local);
    return undefined;
  }

  async signal(conn: RelayConnection, data: unknown, n: number | undefined): Promise<Problem | undefined> {
    const local = this.#members.byConn(conn);
    if (!local) return ['not-joined', 'join a room before sending signals'];
    if (local.resumable && (n === undefined || n < 1)) {
      return ['bad-frame', 'a resumable member numbers its signals: "n" must be a positive integer'];
    }
    const { outboxLimits, roomLimits } = this.#options;
    const reply = await this.#run(conn, 'forward', [
      local.id,
      local.resumable ? String(n) : '',
      JSON.stringify(data),
      outboxLimits.maxFrames,
      outboxLimits.maxBytes,
      roomLimits.maxPendingFrames,
      roomLimits.maxPendingBytes,
    ]);
    if (!reply) return undefined;
    const [status, inSeq] = reply;
    if (status === 'gone') return ['not-joined', 'this membership has ended'];
    if (status === 'gap') return ['bad-frame', `signal ${n} skips ${Number(inSeq) + 1}`];
    if (local.resumable) sendTo(conn, { t: 'ack', n: Number(inSeq) });
    if (status === 'queue-full') {
      return ['queue-full', 'too much data is waiting for the peer to join; message dropped'];
    }
    return undefined;
  }

  async ack(conn: RelayConnection, n: number): Promise<Problem | undefined> {
    const local = this.#members.byConn(conn);
    if (!local?.resumable) return ['not-joined', 'ack is for resumable members'];
    const reply = await this.#run(conn, 'ack', [local.id, n]);
    if (reply?.[0] === 'bad') return ['bad-frame', 'ack of a frame that was never sent'];
    return undefined;
  }

  async disconnect(conn: RelayConnection, final: boolean): Promise<void> {
    const local = this.#members.byConn(conn);
    if (!local) return;
    this.#members.forget(local);
    try {
      await runScript(this.#redis.commands, 'detach', [
        this.#options.keyPrefix,
        local.id,
        this.processId,
        local.attachment,
        final ? '1' : '0',
        this.#options.resumeGraceMs,
      ]);
    } catch (error) {
      // Redis is unreachable: the heartbeat lapses too, so the member is handled as a dead process's member.
      this.#options.logger.warn('relay: could not record a departure in redis', (error as Error).message);
    }
  }

  async finalize(room: string, info: unknown): Promise<boolean> {
    const { keyPrefix, maxDurationMs, resumeGraceMs } = this.#options;
    const reply = await runScript(this.#redis.commands, 'finalize', [
      keyPrefix,
      room,
      info === undefined ? '' : JSON.stringify(info),
      maxDurationMs ?? 0,
      resumeGraceMs,
    ]);
    return Number(reply) === 1;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    clearInterval(this.#reaper);
    this.#members.clear();
    this.#redis.commands.off('close', this.#onCommandsClosed);
    await this.#redis.close();
  }

  /** Runs a script for `conn`, its reply as strings; `undefined` after a Redis failure (see {@link #ask}). */
  #run(conn: RelayConnection, name: 'join' | 'resume' | 'forward' | 'ack', args: (string | number)[]) {
    return this.#ask(conn, name, async () => {
      const reply = await runScript(this.#redis.commands, name, [this.#options.keyPrefix, ...args]);
      return (Array.isArray(reply) ? reply : [reply]).map(String);
    });
  }

  /** Sends one request to Redis for `conn`; on failure asks the client to resume later (1011), gives `undefined`. */
  async #ask<T>(conn: RelayConnection, what: string, request: () => Promise<T>): Promise<T | undefined> {
    try {
      return await request();
    } catch (error) {
      this.#options.logger.warn(
        `relay: redis ${what} failed; asking the client to resume`,
        (error as Error).message,
      );
      const local = this.#members.byConn(conn);
      if (local) this.#members.forget(local);
      // Not final: a resumable client comes back and resumes once Redis answers again (if it kept the state).
      conn.close(1011, 'relay storage unavailable');
      return undefined;
    }
  }

  async #beat(): Promise<void> {
    const { keyPrefix, heartbeatMs } = this.#options;
    const existed = await runScript(this.#redis.commands, 'heartbeat', [
      keyPrefix,
      this.processId,
      heartbeatMs * 3,
    ]);
    // Our presence had expired (the event loop or the network stalled for three beats): the cluster may have
    // handed our members to their grace period, so deliveries no longer come here. Their clients resume, which
    // attaches them to a process again (this one or another) before the grace runs out.
    if (Number(existed) === 0 && this.#beaten) this.#sendAllAway('relay presence lapsed');
    this.#beaten = true;
  }

  async #reap(): Promise<void> {
    const { keyPrefix, resumeGraceMs, maxDurationMs } = this.#options;
    try {
      await runScript(this.#redis.commands, 'reap', [keyPrefix, resumeGraceMs, maxDurationMs ?? 0]);
    } catch (error) {
      this.#options.logger.debug('relay: reaping failed', (error as Error).message);
    }
  }
}
