import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { type Clock, realClock } from '../clock.js';
import { type Logger, silentLogger } from '../logger.js';
import {
  isResumableCloseCode,
  MAX_RESUME_TOKEN_LENGTH,
  MAX_ROOM_NAME_LENGTH,
  RelayCloseCode,
} from '../signaling/relayProtocol.js';
import type { RedisClientLike } from './cluster/redisConnection.js';
import { LocalRooms } from './LocalRooms.js';
import { sendFrame } from './RelayRoom.js';
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
   * end. No limit when absent.
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
   * Time source of the call limit and room deadlines (tests pass `ManualClock` from `hangup/testing`).
   * Pings and the rate limit use real time.
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
   * Frames a socket may send per second (token bucket; bursts up to this many). Excess: an `error` frame
   * `rate-limited`, then that socket is closed (code 4002).
   * @default 100
   */
  maxMessagesPerSecond?: number;
  /**
   * How often sockets are pinged. A socket that has not answered the previous ping is terminated, and its peer gets
   * `peer-left`. `0` disables pinging.
   * @default 30000
   */
  pingIntervalMs?: number;
  /**
   * Most sockets connected at once. One more is closed at once with code 1013 ("try again later"). Together with
   * the per-room buffer (256 frames / 4 × `maxFrameBytes` held for a peer that has not joined) this bounds the
   * relay's memory: a client cannot open sockets without limit to exhaust it.
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
  redis?: string | RedisClientLike;
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
  tokens: number;
  refilledAt: number;
  /** The relay closed this socket on purpose: its membership ends with it, whatever the close code says. */
  closedByRelay: boolean;
  /** Frames are handled one after the other, even when the room logic is asynchronous (cluster mode). */
  chain: Promise<void>;
}

const GRACEFUL_CLOSE_MS = 1_000;

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
  options: RelayServerOptions & { redis: string | RedisClientLike },
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
  checkNonNegative('pingIntervalMs', pingIntervalMs);
  checkNonNegative('maxConnections', maxConnections);
  checkNonNegative('maxRememberedRooms', maxRememberedRooms);
  if (maxDurationMs !== undefined) checkNonNegative('maxDurationMs', maxDurationMs);
  checkNonNegative('resumeGraceMs', resumeGraceMs);
  // Node's timers fire at once for longer delays: a grace period beyond this would end immediately.
  if (resumeGraceMs > 2 ** 31 - 1)
    throw new TypeError('createRelayServer: resumeGraceMs must be at most 2**31-1');
  if (!(heartbeatMs > 0 && heartbeatMs <= 2 ** 31 - 1)) {
    throw new TypeError('createRelayServer: heartbeatMs must be a positive number of ms');
  }
  if (!(maxFrameBytes > 0)) throw new TypeError('createRelayServer: maxFrameBytes must be a positive number');
  if (!(maxMessagesPerSecond > 0)) {
    throw new TypeError('createRelayServer: maxMessagesPerSecond must be a positive number');
  }

  const clients = new Map<WebSocket, Client>();
  const roomLimits = { maxPendingFrames: 256, maxPendingBytes: 4 * maxFrameBytes };
  // The pending frames of a lone member move into the newcomer's outbox: room for all of them, numbered.
  const outboxLimits = { maxFrames: 256, maxBytes: 4 * maxFrameBytes + 256 * 32 };
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
        });
  const wss = options.server
    ? new WebSocketServer({ server: options.server, maxPayload: maxFrameBytes })
    : new WebSocketServer({ host, port, maxPayload: maxFrameBytes });

  function takeToken(client: Client): boolean {
    const now = Date.now();
    client.tokens = Math.min(
      maxMessagesPerSecond,
      client.tokens + ((now - client.refilledAt) / 1000) * maxMessagesPerSecond,
    );
    client.refilledAt = now;
    if (client.tokens < 1) return false;
    client.tokens -= 1;
    return true;
  }

  /** Handles one inbound frame; returns the problem to report, if any. */
  function onFrame(
    socket: WebSocket,
    client: Client,
    raw: RawData,
    isBinary: boolean,
  ): Problem | undefined | Promise<Problem | undefined> {
    // A socket the relay already decided to close gets nothing more.
    if (socket.readyState !== socket.OPEN) return undefined;
    if (!takeToken(client)) {
      client.closedByRelay = true;
      sendFrame(socket, {
        t: 'error',
        code: 'rate-limited',
        message: `more than ${maxMessagesPerSecond} frames per second`,
      });
      socket.close(RelayCloseCode.rateLimited, 'rate limited');
      return undefined;
    }
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

  function report(socket: WebSocket, problem: Problem | undefined): void {
    if (problem) sendFrame(socket, { t: 'error', code: problem[0], message: problem[1] });
  }

  function onClose(socket: WebSocket, client: Client, code: number): void {
    clients.delete(socket);
    const final = client.closedByRelay || !isResumableCloseCode(code);
    client.chain = client.chain.then(() => backend.disconnect(client.conn, final));
  }

  wss.on('connection', (socket: WebSocket, _request: IncomingMessage) => {
    if (clients.size >= maxConnections) {
      logger.warn('relay: connection limit reached; refusing a socket');
      socket.on('error', () => {});
      socket.close(1013, 'relay full');
      return;
    }
    const client: Client = {
      conn: connectionOf(socket, () => {
        client.closedByRelay = true;
      }),
      alive: true,
      tokens: maxMessagesPerSecond,
      refilledAt: Date.now(),
      closedByRelay: false,
      chain: Promise.resolve(),
    };
    clients.set(socket, client);
    const fail = (error: unknown): void => {
      // Whatever a client sends, the relay keeps running for everyone else.
      logger.error('relay: failed to handle a frame', error);
      report(socket, ['bad-frame', 'the frame could not be handled']);
    };
    socket.on('message', (raw, isBinary) => {
      client.chain = client.chain.then(() => {
        try {
          const outcome = onFrame(socket, client, raw, isBinary);
          if (outcome instanceof Promise) return outcome.then((problem) => report(socket, problem), fail);
          report(socket, outcome);
        } catch (error) {
          fail(error);
        }
        return undefined;
      });
    });
    socket.on('pong', () => {
      client.alive = true;
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
    const open = [...clients];
    await Promise.all(open.map(([socket]) => closeGracefully(socket, code, reason)));
    clients.clear();
    // Every socket's close is queued behind its frames: let those finish before the rooms go.
    await Promise.all(open.map(([, client]) => client.chain));
    await backend.close();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }
}

/** Closes with `code` and waits for the close handshake, terminating the socket if it does not finish in time. */
function closeGracefully(socket: WebSocket, code: number, reason: string): Promise<void> {
  return new Promise((resolve) => {
    if (socket.readyState === socket.CLOSED) return resolve();
    const timer = setTimeout(() => socket.terminate(), GRACEFUL_CLOSE_MS);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.close(code, reason);
  });
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

/** The room logic's view of a `ws` socket; `onRelayClose` marks the close as decided by the relay. */
function connectionOf(socket: WebSocket, onRelayClose: () => void): RelayConnection {
  return {
    get open() {
      return socket.readyState === socket.OPEN;
    },
    send(frame) {
      if (socket.readyState === socket.OPEN) socket.send(frame);
    },
    close(code, reason) {
      onRelayClose();
      socket.close(code, reason);
    },
    terminate() {
      onRelayClose();
      socket.terminate();
    },
  };
}

function isRoomName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ROOM_NAME_LENGTH;
}

function badRoom(): Problem {
  return ['bad-room', `room must be a string of 1–${MAX_ROOM_NAME_LENGTH} characters`];
}

/** A frame number: a non-negative safe integer. */
function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function checkNonNegative(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`createRelayServer: ${name} must be a non-negative number`);
  }
}
