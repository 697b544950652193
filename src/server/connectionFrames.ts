/**
 * What the relay tells one connection, written once for both room backends (`LocalRooms` and the cluster's
 * `ClusterRooms`), so a client sees the same frames and close codes in either mode.
 *
 * @internal
 * @packageDocumentation
 */

import { RelayCloseCode, type RelayServerFrame } from '../signaling/relayProtocol.js';
import type { RelayConnection } from './RoomBackend.js';

/** Serialises and sends one frame on a connection (dropped when it is not open). */
export function sendTo(conn: RelayConnection | undefined, frame: RelayServerFrame): void {
  if (conn?.open) conn.send(JSON.stringify(frame));
}

/** The ways a join or resume is turned away, or a member loses its place: each is final for that socket. */
export type Refusal = 'room-full' | 'resume-failed' | 'slot-lost';

const REFUSALS: Record<Refusal, { close: number; reason: string; message: (room: string) => string }> = {
  'room-full': {
    close: RelayCloseCode.roomFull,
    reason: 'room full',
    message: (room) => `room "${room}" already has two members; only one-to-one calls are relayed`,
  },
  'resume-failed': {
    close: RelayCloseCode.resumeFailed,
    reason: 'resume failed',
    message: () => 'the resume token is unknown, used, expired or for another room; join again',
  },
  'slot-lost': {
    close: RelayCloseCode.slotLost,
    reason: 'slot lost',
    message: () => 'too much data waited for acknowledgement; the place in the room was given up',
  },
};

/** The `error` frame of a refusal (the cluster scripts send the slot-lost one themselves). */
export function refusalFrame(code: Refusal, room: string): RelayServerFrame {
  return { t: 'error', code, message: REFUSALS[code].message(room) };
}

/** Sends the `error` frame of `code`, then closes with its close code: the client reads why before the close. */
export function refuse(conn: RelayConnection, code: Refusal, room: string): void {
  sendTo(conn, refusalFrame(code, room));
  conn.close(REFUSALS[code].close, REFUSALS[code].reason);
}

/** Sends `finalize` then closes with 4000: the close follows the frame, so the client reads finalize first. */
export function finalizeConnection(conn: RelayConnection, info: unknown): void {
  sendTo(conn, info === undefined ? { t: 'finalize' } : { t: 'finalize', info });
  conn.close(RelayCloseCode.finalized, 'finalized');
}

/**
 * Tells a member its partner arrived (`peer-joined`) or left (`peer-left`), and reports the same to the server
 * (`partnered`), which lets a full relay displace members alone for long.
 */
export function tellPartner(conn: RelayConnection | undefined, present: boolean): void {
  if (!conn) return;
  sendTo(conn, { t: present ? 'peer-joined' : 'peer-left' });
  conn.partnered(present);
}
