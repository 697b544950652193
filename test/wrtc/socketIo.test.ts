import { io } from 'socket.io-client';
import { describe } from 'vitest';
import { SocketIoSignaling } from '../../examples/socket-io-adapter/adapter.js';
import { createSocketIoRelay } from '../../examples/socket-io-adapter/server.js';
import { runConformance } from '../conformance/runConformance.js';

let counter = 0;

async function createPair() {
  const relay = await createSocketIoRelay();
  const url = `http://127.0.0.1:${relay.port}`;
  const room = `room-${++counter}`;
  // WebSocket transport only, so the test does not depend on long-polling timing.
  const connect = () => io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
  const a = new SocketIoSignaling({ socket: connect(), room });
  const b = new SocketIoSignaling({ socket: connect(), room });
  await Promise.all([a.ready, b.ready]);
  return {
    a,
    b,
    relay,
    leave: (side: 'a' | 'b') => (side === 'a' ? a : b).close(),
    finalize: (info?: unknown) => relay.finalize(room, info),
    close: () => relay.close(),
  };
}

describe('Socket.IO example adapter conformance', () => {
  runConformance(createPair, {
    cleanup: (pair) => (pair as Awaited<ReturnType<typeof createPair>>).relay.close(),
  });
});
