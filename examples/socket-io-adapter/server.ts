import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';

/** Options of {@link createSocketIoRelay}. */
export interface SocketIoRelayOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Largest message, in bytes. @default 524288 */
  maxMessageBytes?: number;
}

/** A running Socket.IO relay. */
export interface SocketIoRelay {
  port: number;
  /** Sends `finalize` to both members of `room` (e.g. when the call's time is up). */
  finalize(room: string, info?: unknown): void;
  close(): Promise<void>;
}

/**
 * A Socket.IO server with hangup's relay semantics: rooms of two, signals relayed to the other member only,
 * `peer-left` when one leaves or disconnects, a third joiner `refused`. Messages sent by the first member before
 * the second joins are held for it.
 */
export async function createSocketIoRelay(options: SocketIoRelayOptions = {}): Promise<SocketIoRelay> {
  const http = createServer();
  const io = new Server(http, {
    maxHttpBufferSize: options.maxMessageBytes ?? 512 * 1024,
    serveClient: false,
  });
  const held = new Map<string, unknown[]>();

  // The default in-memory adapter knows the rooms synchronously (a multi-node setup would need a shared store).
  const size = (room: string): number => io.sockets.adapter.rooms.get(room)?.size ?? 0;
  const roomOf = (socket: Socket): string | undefined => socket.data.room as string | undefined;

  const leave = (socket: Socket): void => {
    const room = roomOf(socket);
    if (!room) return;
    socket.data.room = undefined;
    socket.leave(room);
    held.delete(room);
    socket.to(room).emit('peer-left');
  };

  io.on('connection', (socket) => {
    // Handlers stay synchronous so a signal emitted right after `join` is handled after it, in order.
    socket.on('join', (room: unknown) => {
      if (room === roomOf(socket)) {
        socket.emit('joined');
        return;
      }
      if (typeof room !== 'string' || room.length === 0 || room.length > 128 || roomOf(socket)) {
        socket.emit('refused', 'bad-room');
        return;
      }
      const members = size(room);
      if (members >= 2) {
        socket.emit('refused', 'room-full');
        return;
      }
      socket.data.room = room;
      socket.join(room);
      socket.emit('joined');
      if (members === 1) {
        for (const data of held.get(room) ?? []) socket.emit('signal', data);
        held.delete(room);
      }
    });
    socket.on('signal', (data: unknown) => {
      const room = roomOf(socket);
      if (!room) return;
      if (size(room) < 2) {
        const queue = held.get(room) ?? [];
        if (queue.length < 256) queue.push(data);
        held.set(room, queue);
        return;
      }
      socket.to(room).emit('signal', data);
    });
    socket.on('leave', () => leave(socket));
    socket.on('disconnect', () => leave(socket));
  });

  await new Promise<void>((resolve) => http.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  return {
    port: (http.address() as AddressInfo).port,
    finalize(room, info) {
      io.to(room).emit('finalize', info);
    },
    close: () =>
      new Promise<void>((resolve) => {
        io.disconnectSockets();
        io.close(() => resolve());
      }),
  };
}
