/**
 * What the relay tells one connection, written once for both room backends (`LocalRooms` and the cluster's
 * `ClusterRooms`), so a client sees the same frames and close codes in either mode.
 *
 * @internal
 * @packageDocumentation
 */

import { RelayCloseCode, type RelayServerFrame } from '../signaling/relayProtocol.js';
import { FRAME_HEADER_BYTES } from './OutboundCap.js';
import type { RelayConnection } from './RoomBackend.js';
import type { SizedFrame } from './signalFrame.js';

/** Serialises and sends one frame on a connection (dropped when it is not open). */
export function sendTo(conn: RelayConnection | undefined, frame: RelayServerFrame): void {
  if (conn?.open) conn.send(JSON.stringify(frame));
}

/** The ways a join or resume is turned away, or a member loses its place: each is final for that socket. */
export type Refusal = 'room-full' | 'resume-failed' | 'slot-lost';

/** Each refusal's close code and `error` message; the close reason is the code in words ("room full"). */
const REFUSALS: Record<Refusal, [close: number, message: (room: string) => string]> = {
  'room-full': [
    RelayCloseCode.roomFull,
    (room) => `room "${room}" already has two members; only one-to-one calls are relayed`,
  ],
  'resume-failed': [
    RelayCloseCode.resumeFailed,
    () => 'the resume token is unknown, used, expired or for another room; join again',
  ],
  'slot-lost': [
    RelayCloseCode.slotLost,
    () => 'too much data waited for acknowledgement; the place in the room was given up',
  ],
};

/** Sends the `error` frame of `code`, then closes with its close code: the client reads why before the close. */
export function refuse(conn: RelayConnection, code: Refusal, room: string): void {
  sendTo(conn, { t: 'error', code, message: REFUSALS[code][1](room) });
  conn.close(REFUSALS[code][0], code.replace('-', ' '));
}

/** Sends `finalize` then closes with 4000: the close follows the frame, so the client reads finalize first. */
export function finalizeConnection(conn: RelayConnection, info: unknown): void {
  sendTo(conn, info === undefined ? { t: 'finalize' } : { t: 'finalize', info });
  conn.close(RelayCloseCode.finalized, 'finalized');
}

/**
 * Welcomes a member into its room (`joined` or `resumed`) and reports to the server whether it has a partner
 * there (`peers`), which lets a full relay displace members alone for long.
 */
export function welcome(
  conn: RelayConnection,
  frame: Extract<RelayServerFrame, { t: 'joined' | 'resumed' }>,
): void {
  sendTo(conn, frame);
  conn.partnered(frame.peers > 0);
}

/**
 * Welcomes a resumed member back: `resumed`, then the frames it had not acknowledged, in one go. A `peer-left`
 * is among them, numbered, where a partner left (see `RoomMember.partnerLeft`): the member sees what happened in
 * the order it happened (what a partner sent, its departure, then what a newcomer sent), so a newcomer's offer is
 * never read as the old partner's. Sends nothing and returns `false` when all of it, framed, would pass
 * `maxBufferedBytes` (what the relay may hold for one socket): the caller then gives up the member's place
 * (`slot-lost`) rather than overfill the new socket.
 */
export function welcomeBack(
  conn: RelayConnection,
  frame: Extract<RelayServerFrame, { t: 'resumed' }>,
  replay: readonly SizedFrame[],
  maxBufferedBytes: number,
): boolean {
  const text = JSON.stringify(frame);
  let total = Buffer.byteLength(text) + FRAME_HEADER_BYTES;
  for (const { bytes } of replay) total += bytes + FRAME_HEADER_BYTES;
  if (total > maxBufferedBytes) return false;
  conn.send(text);
  conn.partnered(frame.peers > 0);
  for (const { text, bytes } of replay) conn.send(text, bytes);
  return true;
}

/** Tells a member its partner arrived (`peer-joined`), and reports the same to the server (`partnered`). */
export function tellPeerJoined(conn: RelayConnection | undefined): void {
  sendTo(conn, { t: 'peer-joined' });
  conn?.partnered(true);
}
