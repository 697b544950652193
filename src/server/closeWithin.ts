import type { WebSocket } from 'ws';

/**
 * Closes `socket` with `code` and resolves once it is closed, terminating it if the close handshake has not
 * finished within `graceMs`. A client that never reads never answers the close frame; without the grace,
 * `ws` would hold it (and whatever is buffered for it) for 30 s.
 *
 * @internal
 */
export function closeWithin(socket: WebSocket, code: number, reason: string, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (socket.readyState === socket.CLOSED) return resolve();
    const timer = setTimeout(() => socket.terminate(), graceMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    // A no-op when the socket is already closing: the grace still applies.
    socket.close(code, reason);
  });
}
