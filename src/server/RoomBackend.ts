import type { RelayErrorCode } from '../signaling/relayProtocol.js';

/** One client socket as the room logic sees it; `createRelayServer` owns the socket itself. */
export interface RelayConnection {
  /** Whether frames can still be sent. */
  readonly open: boolean;
  /** Sends one serialised frame (dropped when the socket is not open); `bytes`, its UTF-8 size, if known. */
  send(frame: string, bytes?: number): void;
  /** Closes the socket with `code`; its `disconnect` is then final. */
  close(code: number, reason: string): void;
  /** Drops the socket at once, without a close handshake (a resumed member's stale socket). */
  terminate(): void;
  /**
   * The member on this socket has a partner in its room from now (`true`), or is alone in it (`false`: it joined
   * or resumed alone, or its partner left). A full relay lets a newcomer take the place of a member alone for long
   * (`aloneTimeoutMs`); one whose partner is present never makes way.
   */
  partnered(present: boolean): void;
}

/** An error to report to the sender: code and message. */
export type Problem = [RelayErrorCode, string];

/** What a handler returns: a problem to report, or nothing. */
export type Outcome = Problem | undefined | Promise<Problem | undefined>;

/**
 * The room logic behind `createRelayServer`: in this process (`LocalRooms`) or shared by a cluster through Redis
 * (`ClusterRooms`). The server parses and rate-limits frames, then calls these; each call for one connection
 * completes (its promise settles) before the next one for that connection starts.
 *
 * @internal
 */
export interface RoomBackend {
  /** The room `conn` is a member of, if any (known locally in every mode). */
  roomOf(conn: RelayConnection): string | undefined;
  /** `join` frame: a new membership (`resumable` when the client asked for one). */
  join(conn: RelayConnection, room: string, resumable: boolean): Outcome;
  /** `resume` frame: takes a membership back with its token; `received` is the last frame number it got. */
  resume(conn: RelayConnection, room: string, token: string, received: number): Outcome;
  /** `signal` frame from `conn` (numbered `n` when resumable). */
  signal(conn: RelayConnection, data: unknown, n: number | undefined): Outcome;
  /** `ack` frame: `conn` received everything up to `n`. */
  ack(conn: RelayConnection, n: number): Outcome;
  /**
   * The socket closed. `final` when the client (or the relay) ended the membership on purpose; otherwise a
   * resumable member keeps its place for the grace period.
   */
  disconnect(conn: RelayConnection, final: boolean): void | Promise<void>;
  /** Operator finalize; resolves to whether the room existed. */
  finalize(room: string, info: unknown): boolean | Promise<boolean>;
  /** Forgets every room and timer (the sockets are closed by the server). */
  close(): Promise<void>;
}
