import type { WebSocket } from 'ws';
import type { RelayServerFrame } from '../signaling/relayProtocol.js';

/** Sends a frame (or its JSON text, with its UTF-8 size if known) to a socket, within the socket's outbound cap. */
export type SendFrame = (socket: WebSocket, frame: RelayServerFrame | string, bytes?: number) => void;

/** WebSocket framing added to a payload: at most 10 header bytes (the relay never masks). */
export const FRAME_HEADER_BYTES = 10;

/**
 * The per-socket cap on what the relay holds for a socket that does not read. `ws` never refuses a write: what
 * the peer's TCP window cannot take waits in the relay's memory (`bufferedAmount`). Every frame and pong the relay
 * sends goes through {@link OutboundCap.send} or {@link OutboundCap.pong}; one that would take a socket's
 * buffered bytes over `maxBufferedBytes` is not sent, and `onOverflow` closes that socket instead. So a socket
 * holds at most `maxBufferedBytes` in the relay, whatever its partner sends.
 *
 * @internal
 */
export class OutboundCap {
  readonly #maxBufferedBytes: number;
  readonly #onOverflow: (socket: WebSocket) => void;

  constructor(maxBufferedBytes: number, onOverflow: (socket: WebSocket) => void) {
    this.#maxBufferedBytes = maxBufferedBytes;
    this.#onOverflow = onOverflow;
  }

  /**
   * Sends `frame` to `socket` if it is open and the frame fits under the cap; otherwise closes it (overflow).
   * `bytes`: the text's size, when the caller measured it already (a relayed signal).
   */
  readonly send: SendFrame = (socket, frame, bytes) => {
    if (socket.readyState !== socket.OPEN) return;
    const text = typeof frame === 'string' ? frame : JSON.stringify(frame);
    if (this.#fits(socket, bytes ?? Buffer.byteLength(text))) socket.send(text);
  };

  /** Answers a ping with its payload, under the same cap. */
  pong(socket: WebSocket, payload: Buffer): void {
    if (socket.readyState !== socket.OPEN) return;
    if (this.#fits(socket, payload.length)) socket.pong(payload);
  }

  #fits(socket: WebSocket, payloadBytes: number): boolean {
    if (socket.bufferedAmount + payloadBytes + FRAME_HEADER_BYTES <= this.#maxBufferedBytes) return true;
    this.#onOverflow(socket);
    return false;
  }
}
