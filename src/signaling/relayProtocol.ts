/**
 * The relay wire protocol spoken by {@link WebSocketSignaling} and the `hangup/server` relay.
 * Every frame is one JSON object in a text frame; `t` says what it is. See `docs/signaling-protocol.md`.
 *
 * @packageDocumentation
 */

/** Protocol version, sent in `joined` so clients can detect an incompatible server. */
export const RELAY_PROTOCOL_VERSION = 1;

/** Longest room name the relay accepts, in characters. */
export const MAX_ROOM_NAME_LENGTH = 128;

/** Frames a client sends to the relay. */
export type RelayClientFrame = { t: 'join'; room: string } | { t: 'signal'; data: unknown };

/**
 * Error codes the relay sends in `error` frames.
 * Fatal ones (the relay closes the socket right after): `room-full`, `rate-limited`.
 * The others are reported and the socket stays open: `bad-frame`, `bad-room`, `not-joined`, `already-joined`,
 * `queue-full`, `finalized`.
 */
export type RelayErrorCode =
  | 'room-full'
  | 'rate-limited'
  | 'bad-frame'
  | 'bad-room'
  | 'not-joined'
  | 'already-joined'
  | 'queue-full'
  | 'finalized';

/** Frames the relay sends to a client. */
export type RelayServerFrame =
  | { t: 'joined'; room: string; peers: number; v: number }
  | { t: 'peer-joined' }
  | { t: 'signal'; data: unknown }
  | { t: 'peer-left' }
  | { t: 'finalize'; info?: unknown }
  | { t: 'error'; code: RelayErrorCode; message: string };

/** WebSocket close codes the relay uses (4000–4999 is the range reserved for applications). */
export const RelayCloseCode = {
  /** The call was finalized by the server (limit reached or finalized by the operator). */
  finalized: 4000,
  /** The room already had two members. */
  roomFull: 4001,
  /** The socket sent more frames per second than allowed. */
  rateLimited: 4002,
  /** The socket did not read what it was sent: more than the relay's `maxBufferedBytes` was waiting for it. */
  backpressure: 4010,
  /** The socket did not join a room within the relay's `joinTimeoutMs`. */
  joinTimeout: 4011,
  /** The relay is full (`maxConnections`), or this socket had not joined and made way for a newer one. */
  tryAgainLater: 1013,
  /** The relay is shutting down. */
  goingAway: 1001,
} as const;

/** Whether `code` is an error after which the relay closes the socket. */
export function isFatalRelayError(code: unknown): boolean {
  return code === 'room-full' || code === 'rate-limited';
}
