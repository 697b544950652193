import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { type Clock, realClock } from '../clock.js';
import { type Logger, silentLogger } from '../logger.js';
import { MAX_ROOM_NAME_LENGTH, RelayCloseCode, type RelayErrorCode } from '../signaling/relayProtocol.js';
import { closeWithin } from './closeWithin.js';
import { FrameBudget } from './FrameBudget.js';
import { JoinDeadlines } from './JoinDeadlines.js';
import { OutboundCap } from './OutboundCap.js';
import { checkNonNegative, checkPositive, checkTimerMs } from './optionChecks.js';
import { RelayRoom } from './RelayRoom.js';
import { RoomDeadlines } from './RoomDeadlines.js';

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
   * Most sockets connected at once. When it is reached, a newcomer takes the place of the socket that has waited
   * longest without joining a room (that one is closed with code 1013, "try again later"); when every socket has
   * joined, the newcomer is closed with 1013. Together with `maxBufferedBytes` and the per-room buffer this bounds
   * the relay's memory (see `docs/security.md`).
   * @default 1000
   */
  maxConnections?: number;
  /**
   * Where diagnostics go. Relayed contents are never logged.
   * @default silent
   */
  logger?: Logger;
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
   * Closes every socket (code 1001; terminated if it does not close within a second), clears every timer and stops
   * listening. Resolves when nothing is left running. Idempotent.
   */
  close(): Promise<void>;
}

/** Per-socket state. */
interface Client {
  room: RelayRoom | undefined;
  alive: boolean;
  budget: FrameBudget;
  /** The relay has started closing it (a limit): nothing it sends is handled any more. */
  closing: boolean;
}

/** An error to report to the sender: code and message. */
type Problem = [RelayErrorCode, string];

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
export async function createRelayServer(options: RelayServerOptions = {}): Promise<RelayServer> {
  const {
    host = '127.0.0.1',
    port = 0,
    maxFrameBytes = 512 * 1024,
    maxMessagesPerSecond = 100,
    maxBufferedBytes = 2 * maxFrameBytes,
    joinTimeoutMs = 5_000,
    pingIntervalMs = 30_000,
    maxConnections = 1_000,
    maxDurationMs,
    maxRememberedRooms = 10_000,
    clock = realClock,
    logger = silentLogger,
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

  // `autoPong: false` (ws ≥ 8.16): `ws` would answer every ping at once, unbudgeted and unbounded; the relay
  // answers them. An older `ws` ignores the option and answers too; the budget still closes a flood.
  const wss = options.server
    ? new WebSocketServer({ server: options.server, maxPayload: maxFrameBytes, autoPong: false })
    : new WebSocketServer({ host, port, maxPayload: maxFrameBytes, autoPong: false });
  const rooms = new Map<string, RelayRoom>();
  const clients = new Map<WebSocket, Client>();
  const outbound = new OutboundCap(maxBufferedBytes, (socket) => {
    logger.info('relay: a socket is not reading what it is sent; closing it');
    evict(socket, RelayCloseCode.backpressure, 'not reading');
  });
  const send = outbound.send;
  // Held frames are delivered in one go when the peer joins: they must fit under its outbound cap.
  const roomLimits = {
    maxPendingFrames: 256,
    maxPendingBytes: Math.min(4 * maxFrameBytes, maxBufferedBytes),
  };
  const deadlines =
    maxDurationMs === undefined ? undefined : new RoomDeadlines(maxDurationMs, maxRememberedRooms, clock);
  const joinDeadlines = new JoinDeadlines(clock, joinTimeoutMs, (socket) => {
    logger.info('relay: a socket did not join a room in time; closing it');
    evict(socket, RelayCloseCode.joinTimeout, 'join timeout');
  });

  function refuse(socket: WebSocket, code: RelayErrorCode, message: string): void {
    send(socket, { t: 'error', code, message });
  }

  /** Takes `socket` out of its room now (its peer gets `peer-left`) and closes it with `code`. Idempotent. */
  function evict(socket: WebSocket, code: number, reason: string): void {
    const client = clients.get(socket);
    if (client?.closing) return;
    if (client) {
      client.closing = true;
      leaveRoom(socket, client);
    }
    joinDeadlines.settle(socket);
    void closeWithin(socket, code, reason, GRACEFUL_CLOSE_MS);
  }

  function rateLimit(socket: WebSocket): void {
    refuse(socket, 'rate-limited', `more than ${maxMessagesPerSecond} frames per second`);
    evict(socket, RelayCloseCode.rateLimited, 'rate limited');
  }

  function finalizeRoom(room: RelayRoom, info: unknown): void {
    rooms.delete(room.name);
    const members: WebSocket[] = [];
    for (const [socket, client] of clients) {
      if (client.room !== room) continue;
      client.room = undefined;
      members.push(socket);
    }
    deadlines?.finalized(room.name, info);
    room.finalize(info);
    // The room sent `finalize` and started the close; a member that does not read is terminated after the grace.
    for (const member of members)
      void closeWithin(member, RelayCloseCode.finalized, 'finalized', GRACEFUL_CLOSE_MS);
  }

  /** Turns away a joiner of a room whose limit ran out: it gets the `finalize` its members got. */
  function refuseFinalized(socket: WebSocket, name: string, info: unknown): void {
    // A member still waiting alone when the deadline passed is finalized too.
    const waiting = rooms.get(name);
    if (waiting) finalizeRoom(waiting, info);
    send(socket, info === undefined ? { t: 'finalize' } : { t: 'finalize', info });
    evict(socket, RelayCloseCode.finalized, 'finalized');
  }

  /** Handles a join; returns the problem to report, if any. */
  function onJoin(socket: WebSocket, client: Client, name: unknown): Problem | undefined {
    if (client.room) return ['already-joined', `already in room "${client.room.name}"`];
    if (typeof name !== 'string' || name.length === 0 || name.length > MAX_ROOM_NAME_LENGTH) {
      return ['bad-room', `room must be a string of 1–${MAX_ROOM_NAME_LENGTH} characters`];
    }
    const refusal = deadlines?.refusal(name);
    if (refusal) {
      refuseFinalized(socket, name, refusal.info);
      return undefined;
    }
    let room = rooms.get(name);
    if (!room) {
      room = new RelayRoom(name, roomLimits, send);
      rooms.set(name, room);
    }
    // Set before joining: the frames sent while joining can close the socket (outbound cap), which must find it
    // in its room to take it out again.
    client.room = room;
    if (!room.join(socket)) {
      client.room = undefined;
      refuse(
        socket,
        'room-full',
        `room "${name}" already has two members; only one-to-one calls are relayed`,
      );
      evict(socket, RelayCloseCode.roomFull, 'room full');
      return undefined;
    }
    joinDeadlines.settle(socket);
    if (client.room !== room) return undefined;
    if (room.size === 2 && deadlines) {
      const joined = room;
      // The room's own deadline, kept across leaving and rejoining, so a rejoin cannot extend the call.
      const remainingMs = Math.max(0, deadlines.deadline(name) - clock.now());
      joined.startLimit(clock, remainingMs, () =>
        finalizeRoom(joined, { reason: 'max-duration', maxDurationMs }),
      );
    }
    return undefined;
  }

  /** Handles one inbound frame; returns the problem to report, if any. */
  function onFrame(socket: WebSocket, client: Client, raw: RawData, isBinary: boolean): Problem | undefined {
    // A socket the relay already decided to close gets nothing more.
    if (client.closing || socket.readyState !== socket.OPEN) return undefined;
    if (!client.budget.take()) {
      rateLimit(socket);
      return undefined;
    }
    if (isBinary) return ['bad-frame', 'binary frames are not supported; send JSON text'];
    let frame: unknown;
    try {
      frame = JSON.parse(raw.toString());
    } catch {
      return ['bad-frame', 'frame is not valid JSON'];
    }
    const t = frame !== null && typeof frame === 'object' ? (frame as { t?: unknown }).t : undefined;
    if (t === 'join') return onJoin(socket, client, (frame as { room?: unknown }).room);
    if (t !== 'signal' || !('data' in (frame as object))) {
      return ['bad-frame', 'expected {"t":"join","room":…} or {"t":"signal","data":…}'];
    }
    if (!client.room) return ['not-joined', 'join a room before sending signals'];
    if (client.room.relay(socket, (frame as { data: unknown }).data) === 'queue-full') {
      return ['queue-full', 'too much data is waiting for the peer to join; message dropped'];
    }
    return undefined;
  }

  function onClose(socket: WebSocket, client: Client): void {
    clients.delete(socket);
    joinDeadlines.settle(socket);
    leaveRoom(socket, client);
  }

  function leaveRoom(socket: WebSocket, client: Client): void {
    const room = client.room;
    client.room = undefined;
    if (!room) return;
    room.leave(socket);
    if (room.size === 0) rooms.delete(room.name);
  }

  wss.on('connection', (socket: WebSocket, _request: IncomingMessage) => {
    if (clients.size >= maxConnections) {
      const idle = joinDeadlines.oldest();
      if (idle === undefined) {
        logger.warn('relay: connection limit reached; refusing a socket');
        socket.on('error', () => {});
        void closeWithin(socket, RelayCloseCode.tryAgainLater, 'relay full', GRACEFUL_CLOSE_MS);
        return;
      }
      // Idle sockets must not keep joiners out: the one that has waited longest without joining makes way. Its
      // slot is free at once; it is terminated within the grace period if it does not close by itself.
      logger.info('relay: connection limit reached; closing the oldest socket that has not joined');
      evict(idle, RelayCloseCode.tryAgainLater, 'relay full');
      clients.delete(idle);
    }
    const client: Client = {
      room: undefined,
      alive: true,
      budget: new FrameBudget(maxMessagesPerSecond),
      closing: false,
    };
    clients.set(socket, client);
    joinDeadlines.start(socket);
    socket.on('message', (raw, isBinary) => {
      try {
        const problem = onFrame(socket, client, raw, isBinary);
        if (problem) refuse(socket, problem[0], problem[1]);
      } catch (error) {
        // Whatever a client sends, the relay keeps running for everyone else.
        logger.error('relay: failed to handle a frame', error);
        refuse(socket, 'bad-frame', 'the frame could not be handled');
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
    socket.on('close', () => onClose(socket, client));
  });
  wss.on('error', (error) => logger.error('relay: server error', error));

  try {
    await waitListening(wss, options.server);
  } catch (error) {
    wss.close();
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
    finalize(name, info) {
      const room = rooms.get(name);
      if (!room) return false;
      finalizeRoom(room, info);
      return true;
    },
    close() {
      closing ??= shutDown();
      return closing;
    },
  };

  async function shutDown(): Promise<void> {
    if (pingTimer !== undefined) clearInterval(pingTimer);
    for (const room of rooms.values()) room.dispose();
    rooms.clear();
    deadlines?.clear();
    joinDeadlines.clear();
    const sockets = [...clients.keys()];
    await Promise.all(
      sockets.map((socket) =>
        closeWithin(socket, RelayCloseCode.goingAway, 'relay shutting down', GRACEFUL_CLOSE_MS),
      ),
    );
    clients.clear();
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
