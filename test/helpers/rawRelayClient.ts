import { WebSocket } from 'ws';

/** A relay client speaking the protocol raw, for tests that look at frames the adapters would hide. */
export interface RawRelayClient {
  socket: WebSocket;
  /** Every frame received, parsed, in order. */
  frames: Record<string, unknown>[];
  /** Settles with the close code. */
  closed: Promise<number>;
  send(frame: unknown): void;
  /** How many frames of type `t` arrived so far. */
  count(t: string): number;
  /** The next frame of type `t` after the last one `next` returned; throws after 3 s without one. */
  next(t: string): Promise<Record<string, unknown>>;
}

/** Opens a raw client on `url` and resolves once the socket is open. */
export async function rawRelayClient(url: string): Promise<RawRelayClient> {
  const socket = new WebSocket(url);
  const frames: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  socket.on('message', (data) => {
    frames.push(JSON.parse(String(data)));
    for (const wake of waiters.splice(0)) wake();
  });
  socket.on('error', () => {});
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('close', reject);
  });
  let seen = 0;
  return {
    socket,
    frames,
    closed,
    send: (frame) => socket.send(JSON.stringify(frame)),
    count: (t) => frames.filter((frame) => frame.t === t).length,
    async next(t) {
      const deadline = Date.now() + 3_000;
      for (;;) {
        const index = frames.findIndex((frame, i) => i >= seen && frame.t === t);
        if (index !== -1) {
          seen = index + 1;
          return frames[index]!;
        }
        if (Date.now() > deadline) throw new Error(`no '${t}' frame; got ${JSON.stringify(frames)}`);
        // Woken by the next frame, or after 50 ms at the latest.
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
    },
  };
}
