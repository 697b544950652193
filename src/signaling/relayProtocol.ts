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

/** Longest resume token the relay looks up, in characters (its own are 32). */
export const MAX_RESUME_TOKEN_LENGTH = 64;

/**
 * Frames a client sends to the relay.
 * - `join` with `resume: true` asks for a resumable membership: `joined` then carries a token, and `signal`
 *   frames are numbered (`n`, from 1, both ways) and acknowledged with `ack` (cumulative: "everything up to `n`").
 * - `resume` takes a resumable membership back on a new socket within the grace period; `n` is the last frame
 *   number the client received from the relay.
 */
export type RelayClientFrame =
  | { t: 'join'; room: string; resume?: boolean }
  | { t: 'resume'; room: string; token: string; n: number }
  | { t: 'signal'; data: unknown; n?: number }
  | { t: 'ack'; n: number };

/**
 * Error codes the relay sends in `error` frames.
 * Fatal ones (the relay closes the socket right after): `room-full`, `rate-limited`, `resume-failed`,
 * `slot-lost`. The others are reported and the socket stays open: `bad-frame`, `bad-room`, `not-joined`,
 * `already-joined`, `queue-full`, `finalized`.
 */
export type RelayErrorCode =
  | 'room-full'
  | 'rate-limited'
  | 'resume-failed'
  | 'slot-lost'
  | 'bad-frame'
  | 'bad-room'
  | 'not-joined'
  | 'already-joined'
  | 'queue-full'
  | 'finalized';

/** Frames the relay sends to a client. */
export type RelayServerFrame =
  | { t: 'joined'; room: string; peers: number; v: number; token?: string; graceMs?: number }
  | { t: 'resumed'; room: string; peers: number; token: string; n: number; graceMs: number }
  | { t: 'peer-joined' }
  | { t: 'signal'; data: unknown; n?: number }
  | { t: 'ack'; n: number }
  | { t: 'peer-left'; n?: number }
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
  /** The resume token is unknown, already used, expired, or belongs to another room. Final. */
  resumeFailed: 4100,
  /** Too much data waited for this member's acknowledgement; its place in the room was given up. Final. */
  slotLost: 4101,
  /** This relay process is draining: reconnect (to any process of the cluster) and resume. Not final. */
  resumeElsewhere: 4102,
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
  return code === 'room-full' || code === 'rate-limited' || code === 'resume-failed' || code === 'slot-lost';
}

/**
 * Close codes after which a resumable client reconnects and resumes: the connection broke (1005, 1006), the
 * server had a transient problem (1011–1014), or asked to resume elsewhere (4102). Every other code is final:
 * 1000 / 1001 (someone closed on purpose), 1008 / 1009 (policy, too large), 4000–4101 (finalized, refused, …).
 */
export function isResumableCloseCode(code: number): boolean {
  return (
    code === 1005 ||
    code === 1006 ||
    (code >= 1011 && code <= 1014) ||
    code === RelayCloseCode.resumeElsewhere
  );
}

/** A non-negative safe integer: frame sequence numbers and acknowledgements on both ends of the wire. */
export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
