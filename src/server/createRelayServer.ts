import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { type Clock, realClock } from '../clock.js';
import { type Logger, silentLogger } from '../logger.js';
import {
  isCount,
  isResumableCloseCode,
  MAX_RESUME_TOKEN_LENGTH,
  MAX_ROOM_NAME_LENGTH,
  RelayCloseCode,
} from '../signaling/relayProtocol.js';
import { closeWithin } from './closeWithin.js';
import type { RedisClientOption } from './cluster/redisConnection.js';
import { FrameBudget } from './FrameBudget.js';
import { JoinDeadlines } from './JoinDeadlines.js';
import { LocalRooms } from './LocalRooms.js';
import { LoneMembers } from './LoneMembers.js';
import { OutboundCap } from './OutboundCap.js';
import { checkNonNegative, checkPositive, checkTimerMs } from './optionChecks.js';
import type { Problem, RelayConnection, RoomBackend } from './RoomBackend.js';

/** Options of {@link createRelayServer}. */
export interface RelayServerOptions {
  /**
   * Port to listen on; `0` picks a free one (read it from the returned `port`). Ignored with `server`.
   * @default 0
   */
  port?: number;
  /**
   * Interface to bind. The default keeps the relay private to this machine; pass `'0.0.0.0'` deliberately.
   * Ignored with `server`.
   * @default '127.0.0.1'
   */
  host?: string;
  /** An existing, already listening HTTP(S) server to attach to (upgrade requests). `close()` leaves it running. */
  server?: Server;
  /**
   * Call-length limit, counted from the moment a room first has two members; on expiry both get `finalize` with
   * `info = { reason: 'max-duration', maxDurationMs }` and are disconnected. Leaving and joining again does not
   * restart the count, and a finalized room is refused (with the same `finalize`) for `maxDurationMs` after its
   * end. No limit when absent. At most 2**31-1 ms (about 24.8 days, the longest Node timer): for longer calls,
   * end them yourself with {@link RelayServer.finalize}.
   * @default undefined
   */
  maxDurationMs?: number;
  /**
   * Most rooms whose deadline the relay remembers (see `maxDurationMs`); beyond it the oldest are forgotten,
   * so the memory stays bounded.
   * @default 10000
   */
  maxRememberedRooms?: number;
  /**
   * Time source of the call limit, room deadlines and the join deadline (tests pass `ManualClock` from
   * `hangup/testing`). Pings, the rate limit and close grace periods use real time.
   * @default the real clock
   */
  clock?: Clock;
  /**
   * Largest frame accepted, in bytes (`ws`'s `maxPayload`). A larger one closes that socket with code 1009.
   * Leave room for a 256 KiB SDP plus JSON escaping.
   * @default 524288
   */
  maxFrameBytes?: number;
  /**
   * Frames a socket may send per second (token bucket; bursts up to this many). Control frames count too: a ping
   * costs a token like a data frame (the relay answers pings itself, within this budget and `maxBufferedBytes`).
   * Excess: an `error` frame `rate-limited`, then that socket is closed (code 4002) and its peer gets `peer-left`.
   * @default 100
   */
  maxMessagesPerSecond?: number;
  /**
   * Most bytes the relay holds for one socket that does not read fast enough (what its TCP window cannot take:
   * `ws`'s `bufferedAmount`). A frame or pong that would go over it is not sent; that socket is closed instead
   * (code 4010, terminated if it does not complete the close within a second) and its peer gets `peer-left`. So a
   * member that never reads cannot make the relay buffer what its partner sends. At least `maxFrameBytes`; the
   * frames held for a peer that has not joined are capped at this too, so they always fit.
   * @default 2 × `maxFrameBytes` (1 MiB)
   */
  maxBufferedBytes?: number;
  /**
   * Time a socket has to join a room after connecting. One that has not joined by then is closed (code 4011).
   * Together with the rule that a newcomer takes the place of the socket that has waited longest without joining
   * when `maxConnections` is reached, sockets that never join cannot keep legitimate clients out. Counted on
   * `clock`. 1 … 2**31-1 ms.
   * @default 5000
   */
  joinTimeoutMs?: number;
  /**
   * How often sockets are pinged. A socket that has not answered the previous ping is terminated, and its peer gets
   * `peer-left`. `0` disables pinging; at most 2**31-1 ms.
   * @default 30000
   */
  pingIntervalMs?: number;
  /**
   * How long a member may be alone in its room before, when the relay is full (`maxConnections`), a newcomer may
   * take its place (it is closed with 1013, oldest-alone first, before any socket that has not joined, so a squatter
   * coming back cannot displace a newcomer still on its way to its join). So sockets that each join a room of their
   * own cannot keep legitimate pairs out. A member whose partner is present
   * is never displaced. Counted on `clock`. 1 … 2**31-1 ms.
   * @default 30000
   */
  aloneTimeoutMs?: number;
  /**
   * Most sockets connected at once. When it is reached, a newcomer takes the place of the member alone in its room
   * for longest once that is at least `aloneTimeoutMs`, or else of the socket that has waited longest without
   * joining a room (that one is closed with code 1013, "try again later"); otherwise the newcomer is closed with
   * 1013. Together with `maxBufferedBytes` and the per-room buffer this bounds the relay's memory (see
   * `docs/security.md`).
   * @default 1000
   */
  maxConnections?: number;
  /**
   * How long a resumable member's place is kept after its socket dropped without a final close (a network
   * change, a recycled connection, a relay process that died): within it, the client reconnects with its resume
   * token and gets back everything it missed; the peer hears nothing. After it, the token is useless and the
   * peer gets `peer-left`. `0` turns resume off (tokens are still issued, but a drop ends the membership at once).
   * At most 2**31-1.
   * @default 5000
   */
  resumeGraceMs?: number;
  /**
   * Cluster mode: a `redis://` URL (the relay opens and closes its own two connections) or a connected ioredis
   * client (used for commands and `duplicate()`d for the subscriber; left open at `close()`). Any number of relay
   * processes given the same Redis share rooms: the two members of a room may be on different processes, and a
   * member may resume on any process. Needs the optional peer dependency `ioredis`, loaded only then.
   * See `docs/scaling.md`.
   * @default undefined (single process, no Redis)
   */
  redis?: string | RedisClientOption;
  /**
   * Cluster mode: prefix of every Redis key and channel, so several independent relays can share one Redis.
   * @default 'hangup:'
   */
  redisKeyPrefix?: string;
  /**
   * Cluster mode: how often a process renews its presence in Redis. A process that missed three renewals is
   * dead: its members get their grace period to resume elsewhere, then their peers get `peer-left`.
   * @default 1000
   */
  heartbeatMs?: number;
  /**
   * Where diagnostics go. Relayed contents are never logged.
   * @default silent
   */
  logger?: Logger;
}

/** A relay in cluster mode: {@link RelayServer}, with a `finalize` that goes through Redis. */
export interface ClusterRelayServer extends Omit<RelayServer, 'finalize'> {
  /** This process's random id in the cluster. */
  readonly processId: string;
  /** Like {@link RelayServer.finalize}, for a room whose members may be on any process. */
  finalize(room: string, info?: unknown): Promise<boolean>;
}

/** A running relay, returned by {@link createRelayServer}. */
export interface RelayServer {
  /** The port the relay listens on. */
  readonly port: number;
  /**
   * Sends `finalize` (with `info`) to both members of `room` and disconnects them, e.g. when your billing says
   * the call is over. Returns whether the room existed. With `maxDurationMs`, the room is then refused for
   * `maxDurationMs` like an expired one.
   */
  finalize(room: string, info?: unknown): boolean;
  /**
   * Closes every socket with code 4102 ("resume elsewhere"): clients reconnect (through your load balancer, to
   * another process of the cluster) and resume their place, then stops like `close()`. Without cluster mode
   * there is no other process to resume on, so clients end up `closed` once their grace period has passed.
   */
  drain(): Promise<void>;
  /**
   * Closes every socket (code 1001; terminated if it does not close within a second), clears every timer and stops
   * listening. Resolves when nothing is left running. Idempotent.
   */
  close(): Promise<void>;
}

/** Per-socket state. */
interface Client {
  conn: RelayConnection;
  alive: boolean;
  budget: FrameBudget;
  /** The relay has started closing it (a limit, a refusal): nothing it sends is handled any more. */
  closing: boolean;
  /** The room logic has been told the socket is gone (at eviction, or at its close). */
  departed: boolean;
  /** Whether it is in a room (its join deadline is settled). */
  joined: boolean;
  /** Frames received and not yet handled (the room logic may be waiting on Redis). */
  queued: number;
  /** Frames are handled one after the other, even when the room logic is asynchronous (cluster mode). */
  chain: Promise<void>;
}

const GRACEFUL_CLOSE_MS = 1_000;
/** Frames of one socket waiting for the room logic before the socket counts as flooding (see the handler). */
const MAX_QUEUED_FRAMES = 256;

/**
 * Starts the reference relay for `WebSocketSignaling` (from `hangup`): rooms of exactly two sockets, frames relayed only
 * between the two, `peer-left` when one goes (closes, or stops answering pings), a third joiner refused with an
 * `error` frame `room-full`, bounded frame size and rate, and an optional call-length limit that finalizes both.
 * The wire protocol is in `docs/signaling-protocol.md`. Node only; needs the `ws` package.
 *
 * @throws {TypeError} when an option is out of range.
 * @example
 * import { createRelayServer } from 'hangup/server';
 * const relay = await createRelayServer({ port: 8787, maxDurationMs: 600_000 });
 */
export function createRelayServer(
  options: RelayServerOptions & { redis: string | RedisClientOption },
): Promise<ClusterRelayServer>;
export function createRelayServer(options?: RelayServerOptions): Promise<RelayServer>;
export async function createRelayServer(
  options: RelayServerOptions = {},
): Promise<RelayServer | ClusterRelayServer> {
  const {
    host = '127.0.0.1',
    port = 0,
    maxFrameBytes = 512 * 1024,
    maxMessagesPerSecond = 100,
    maxBufferedBytes = 2 * maxFrameBytes,
    joinTimeoutMs = 5_000,
    aloneTimeoutMs = 30_000,
    pingIntervalMs = 30_000,
    maxConnections = 1_000,
    maxDurationMs,
    maxRememberedRooms = 10_000,
    clock = realClock,
    logger = silentLogger,
    resumeGraceMs = 5_000,
    redisKeyPrefix = 'hangup:',
    heartbeatMs = 1_000,
  } = options;
  checkNonNegative('port', port);
  checkTimerMs('pingIntervalMs', pingIntervalMs, false, '0 turns pinging off');
  checkNonNegative('maxConnections', maxConnections);
  checkNonNegative('maxRememberedRooms', maxRememberedRooms);
  if (maxDurationMs !== undefined) {
    checkTimerMs(
      'maxDurationMs',
      maxDurationMs,
      false,
      'to end longer calls, call relay.finalize(room) yourself',
    );
  }
  checkPositive('maxFrameBytes', maxFrameBytes);
  checkPositive('maxMessagesPerSecond', maxMessagesPerSecond);
  checkPositive('maxBufferedBytes', maxBufferedBytes);
  if (maxBufferedBytes < maxFrameBytes) {
    throw new TypeError(
      `createRelayServer: maxBufferedBytes must be at least maxFrameBytes (${maxFrameBytes}), or a largest ` +
        `frame could never be delivered; got ${maxBufferedBytes}`,
    );
  }
  checkTimerMs('joinTimeoutMs', joinTimeoutMs, true);
  checkTimerMs('aloneTimeoutMs', aloneTimeoutMs, true);
  checkTimerMs('resumeGraceMs', resumeGraceMs, false, '0 turns resume off');
  checkTimerMs('heartbeatMs', heartbeatMs, true);

  const clients = new Map<WebSocket, Client>();
  // Held frames are delivered in one go when the peer joins: they must fit under its outbound cap.
  const roomLimits = {
    maxPendingFrames: 256,
    maxPendingBytes: Math.min(4 * maxFrameBytes, maxBufferedBytes),
  };
  // The pending frames of a lone member move into the newcomer's outbox: room for all of them, numbered (the
  // number adds at most 32 bytes a frame). A resume sends the outbox again in one go; one that would not fit under
  // the same cap costs the member its place instead (`welcomeBack`).
  const outboxLimits = { maxFrames: 256, maxBytes: roomLimits.maxPendingBytes + 256 * 32 };
  const redis = options.redis;
  const backend: RoomBackend & { processId?: string } =
    redis === undefined
      ? new LocalRooms({
          clock,
          logger,
          roomLimits,
          outboxLimits,
          resumeGraceMs,
          maxDurationMs,
          maxRememberedRooms,
          maxBufferedBytes,
        })
      : await startCluster({
          redis,
          logger,
          roomLimits,
          outboxLimits,
          resumeGraceMs,
          maxDurationMs,
          keyPrefix: redisKeyPrefix,
          heartbeatMs,
          reapMs: Math.min(250, heartbeatMs),
          maxBufferedBytes,
        });
  // `autoPong: false` (ws ≥ 8.16, hence the peer range): `ws` would answer every ping at once, unbudgeted and
  // unbounded; the relay answers them. An older `ws` forced in anyway ignores the option and answers too; the
  // budget still closes a flood.
  const wss = options.server
    ? new WebSocketServer({ server: options.server, maxPayload: maxFrameBytes, autoPong: false })
    : new WebSocketServer({ host, port, maxPayload: maxFrameBytes, autoPong: false });
  const outbound = new OutboundCap(maxBufferedBytes, (socket) => {
    logger.info('relay: a socket is not reading what it is sent; closing it');
    evict(socket, RelayCloseCode.backpressure, 'not reading');
  });
  const send = outbound.send;
  const loneMembers = new LoneMembers(clock, aloneTimeoutMs);
  const joinDeadlines = new JoinDeadlines(clock, joinTimeoutMs, (socket) => {
    logger.info('relay: a socket did not join a room in time; closing it');
    evict(socket, RelayCloseCode.joinTimeout, 'join timeout');
  });

  /** Tells the room logic, once, that the socket is gone; `final` ends its membership at once. */
  function depart(client: Client, final: boolean): void {
    if (client.departed) return;
    client.departed = true;
    client.chain = client.chain.then(() => backend.disconnect(client.conn, final));
  }

  /**
   * Takes `socket` out of its room now (its peer gets `peer-left`, unless the room logic already ended the
   * membership: `departed`) and closes it with `code`. Nothing it sends is handled any more. Idempotent.
   */
  function evict(socket: WebSocket, code: number, reason: string, client = clients.get(socket)): void {
    if (client?.closing) return;
    if (client) {
      client.closing = true;
      depart(client, true);
    }
    joinDeadlines.settle(socket);
    loneMembers.forget(socket);
    void closeWithin(socket, code, reason, GRACEFUL_CLOSE_MS);
  }

  function rateLimit(socket: WebSocket): void {
    send(socket, {
      t: 'error',
      code: 'rate-limited',
      message: `more than ${maxMessagesPerSecond} frames per second`,
    });
    evict(socket, RelayCloseCode.rateLimited, 'rate limited');
  }

  /** The room logic's view of a socket: sends go through the outbound cap, closes are bounded by the grace. */
  function connectionOf(socket: WebSocket, client: () => Client): RelayConnection {
    return {
      get open() {
        return socket.readyState === socket.OPEN;
      },
      send(frame, bytes) {
        send(socket, frame, bytes);
      },
      close(code, reason) {
        // Decided by the room logic, which has already ended (or handed over) the membership: nothing to tell it.
        // The client is passed along, since a socket whose close already arrived is no longer in `clients`.
        client().departed = true;
        evict(socket, code, reason, client());
      },
      terminate() {
        client().closing = true;
        client().departed = true;
        loneMembers.forget(socket);
        socket.terminate();
      },
      partnered(present) {
        // Only sockets still held: one the relay is closing, or whose close arrived, must not come back.
        if (!client().closing && clients.has(socket)) loneMembers.partnered(socket, present);
      },
    };
  }

  /** Handles one inbound frame; returns the problem to report, if any. */
  function onFrame(
    client: Client,
    raw: RawData,
    isBinary: boolean,
  ): Problem | undefined | Promise<Problem | undefined> {
    // A socket the relay already decided to close gets nothing more (its budget was checked at receipt). One the
    // client is closing still has its last frames handled: they arrived before its close frame (often in the same
    // packet, so the socket is already closing when they run), and a `bye` sent just before closing must not be
    // lost. Its departure is chained after them.
    if (client.closing) return undefined;
    if (isBinary) return ['bad-frame', 'binary frames are not supported; send JSON text'];
    let frame: unknown;
    try {
      frame = JSON.parse(raw.toString());
    } catch {
      return ['bad-frame', 'frame is not valid JSON'];
    }
    if (frame === null || typeof frame !== 'object') return ['bad-frame', 'frame is not a JSON object'];
    const fields = frame as Record<string, unknown>;
    if (fields.t === 'join' || fields.t === 'resume') {
      const current = backend.roomOf(client.conn);
      if (current !== undefined) return ['already-joined', `already in room "${current}"`];
    }
    switch (fields.t) {
      case 'join': {
        if (!isRoomName(fields.room)) return badRoom();
        return backend.join(client.conn, fields.room, fields.resume === true);
      }
      case 'resume': {
        if (!isRoomName(fields.room)) return badRoom();
        const { token, n } = fields;
        if (typeof token !== 'string' || token.length > MAX_RESUME_TOKEN_LENGTH || !isCount(n)) {
          return ['bad-frame', 'expected {"t":"resume","room":…,"token":"…","n":<last frame received>}'];
        }
        return backend.resume(client.conn, fields.room, token, n);
      }
      case 'signal':
        if (!('data' in fields)) break;
        if (fields.n !== undefined && !isCount(fields.n))
          return ['bad-frame', '"n" must be a positive integer'];
        return backend.signal(client.conn, fields.data, fields.n as number | undefined);
      case 'ack':
        if (!isCount(fields.n)) return ['bad-frame', 'expected {"t":"ack","n":<frame number>}'];
        return backend.ack(client.conn, fields.n);
    }
    return ['bad-frame', 'expected {"t":"join","room":…}, {"t":"signal","data":…}, resume or ack'];
  }

  /** Reports a problem with the frame; settles the join deadline once the socket is in a room. */
  function settle(socket: WebSocket, client: Client, problem: Problem | undefined): void {
    client.queued--;
    if (problem) send(socket, { t: 'error', code: problem[0], message: problem[1] });
    if (!client.joined && backend.roomOf(client.conn) !== undefined) {
      client.joined = true;
      joinDeadlines.settle(socket);
    }
  }

  function onClose(socket: WebSocket, client: Client, code: number): void {
    clients.delete(socket);
    joinDeadlines.settle(socket);
    loneMembers.forget(socket);
    // A socket the relay closed on purpose leaves for good; a broken connection keeps a resumable place.
    depart(client, client.closing || !isResumableCloseCode(code));
  }

  wss.on('connection', (socket: WebSocket, _request: IncomingMessage) => {
    if (clients.size >= maxConnections) {
      // Members alone in their room for at least aloneTimeoutMs first (a socket per room of its own would otherwise
      // lock everyone out just as well), then sockets that have not joined: a newcomer still on its way to its join
      // must not be the one a squatter coming back displaces. A member whose partner is present never makes way.
      const idle = loneMembers.displaceable() ?? joinDeadlines.oldest();
      if (idle === undefined) {
        logger.warn('relay: connection limit reached; refusing a socket');
        socket.on('error', () => {});
        void closeWithin(socket, RelayCloseCode.tryAgainLater, 'relay full', GRACEFUL_CLOSE_MS);
        return;
      }
      // Idle sockets must not keep joiners out: the one that has waited longest makes way. Its slot is free at
      // once; it is terminated within the grace period if it does not close by itself.
      logger.info(
        'relay: connection limit reached; closing the oldest socket that has not joined or is alone',
      );
      evict(idle, RelayCloseCode.tryAgainLater, 'relay full');
      clients.delete(idle);
    }
    const client: Client = {
      conn: connectionOf(socket, () => client),
      alive: true,
      budget: new FrameBudget(maxMessagesPerSecond),
      closing: false,
      departed: false,
      joined: false,
      queued: 0,
      chain: Promise.resolve(),
    };
    clients.set(socket, client);
    joinDeadlines.start(socket);
    const fail = (error: unknown): void => {
      // Whatever a client sends, the relay keeps running for everyone else.
      logger.error('relay: failed to handle a frame', error);
      settle(socket, client, ['bad-frame', 'the frame could not be handled']);
    };
    socket.on('message', (raw, isBinary) => {
      // Budgeted at receipt, so a flood is cut before it queues behind a slow room operation; and in cluster mode
      // (a Redis round trip each) at most MAX_QUEUED_FRAMES wait before the socket counts as flooding. A single
      // process handles each frame before the next is read, so nothing queues there.
      if (client.closing) return;
      if (!client.budget.take() || (redis !== undefined && client.queued >= MAX_QUEUED_FRAMES)) {
        rateLimit(socket);
        return;
      }
      const handle = (): Promise<void> | undefined => {
        try {
          const outcome = onFrame(client, raw, isBinary);
          if (outcome instanceof Promise) {
            return outcome.then((problem) => settle(socket, client, problem), fail);
          }
          settle(socket, client, outcome);
        } catch (error) {
          fail(error);
        }
        return undefined;
      };
      // Nothing in line: handled now, in the task that read it, so the frames of one chunk are handled in one
      // task (the room logic answers such a burst once: one ack). Otherwise in line behind what waits.
      if (++client.queued === 1) {
        const pending = handle();
        if (pending) client.chain = client.chain.then(() => pending);
      } else {
        client.chain = client.chain.then(handle);
      }
    });
    // Control frames are frames: each costs a token, and the pong the relay owes goes under the outbound cap.
    socket.on('ping', (payload) => {
      if (client.closing) return;
      if (client.budget.take()) outbound.pong(socket, payload);
      else rateLimit(socket);
    });
    socket.on('pong', () => {
      client.alive = true;
      if (!client.closing && !client.budget.take()) rateLimit(socket);
    });
    // `ws` emits 'error' for protocol violations such as an oversized frame, then closes: log, never crash.
    socket.on('error', (error) => logger.debug('relay: socket error', error.message));
    socket.on('close', (code) => onClose(socket, client, code));
  });
  wss.on('error', (error) => logger.error('relay: server error', error));

  try {
    await waitListening(wss, options.server);
  } catch (error) {
    wss.close();
    await backend.close();
    throw error;
  }

  const pingTimer = pingIntervalMs > 0 ? setInterval(pingAll, pingIntervalMs) : undefined;

  function pingAll(): void {
    for (const [socket, client] of clients) {
      if (client.closing) continue;
      if (!client.alive) {
        logger.info('relay: a socket stopped answering pings; terminating it');
        socket.terminate();
        continue;
      }
      client.alive = false;
      socket.ping();
    }
  }

  let closing: Promise<void> | undefined;
  return {
    port: (wss.address() as AddressInfo).port,
    ...(backend.processId === undefined ? {} : { processId: backend.processId }),
    finalize(name: string, info?: unknown) {
      return backend.finalize(name, info) as boolean & Promise<boolean>;
    },
    drain() {
      closing ??= shutDown(RelayCloseCode.resumeElsewhere, 'resume elsewhere');
      return closing;
    },
    close() {
      closing ??= shutDown(RelayCloseCode.goingAway, 'relay shutting down');
      return closing;
    },
  };

  async function shutDown(code: number, reason: string): Promise<void> {
    if (pingTimer !== undefined) clearInterval(pingTimer);
    joinDeadlines.clear();
    loneMembers.clear();
    const open = [...clients];
    await Promise.all(open.map(([socket]) => closeWithin(socket, code, reason, GRACEFUL_CLOSE_MS)));
    clients.clear();
    // Every socket's close is queued behind its frames: let those finish before the rooms go.
    await Promise.all(open.map(([, client]) => client.chain));
    await backend.close();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }
}

function waitListening(wss: WebSocketServer, server: Server | undefined): Promise<void> {
  if (server) {
    if (server.listening) return Promise.resolve();
    return new Promise((resolve) => server.once('listening', () => resolve()));
  }
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    wss.once('error', onError);
    wss.once('listening', () => {
      wss.off('error', onError);
      resolve();
    });
  });
}

/** Cluster mode's room logic, loaded (with `ioredis`) only when asked for. */
async function startCluster(
  settings: import('./cluster/ClusterRooms.js').ClusterRoomsOptions,
): Promise<RoomBackend & { processId: string }> {
  const { ClusterRooms } = await import('./cluster/ClusterRooms.js');
  return ClusterRooms.start(settings);
}

function isRoomName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ROOM_NAME_LENGTH;
}

function badRoom(): Problem {
  return ['bad-room', `room must be a string of 1–${MAX_ROOM_NAME_LENGTH} characters`];
}
