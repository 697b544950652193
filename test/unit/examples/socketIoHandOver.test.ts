import type { Socket } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { SocketIoSignaling } from '../../../examples/socket-io-adapter/adapter.js';
import type { SignalingEvent } from '../../../src/signaling/types.js';

/** Just enough of a socket.io-client socket for the adapter: handlers by event name, fired by hand. */
function fakeSocket() {
  const handlers = new Map<string, (...args: unknown[]) => void>();
  const socket = {
    active: true,
    on: (name: string, fn: (...args: unknown[]) => void) => handlers.set(name, fn),
    off: (name: string) => handlers.delete(name),
    emit: () => socket,
    disconnect: () => socket,
    io: { on: () => undefined, off: () => undefined, reconnection: () => true },
  };
  const fire = (name: string, ...args: unknown[]) => handlers.get(name)?.(...args);
  return { socket: socket as unknown as Socket, fire };
}

describe('Socket.IO example adapter: events held for the next subscriber', () => {
  it('keeps the order when an event arrives between subscribe() and the hand-over of the held ones', async () => {
    const { socket, fire } = fakeSocket();
    const adapter = new SocketIoSignaling({ socket, room: 'r' });
    fire('signal', { n: 1 });
    fire('signal', { n: 2 });
    const seen: unknown[] = [];
    adapter.subscribe((event: SignalingEvent) => {
      if (event.type === 'message') seen.push((event.data as { n: number }).n);
    });
    // Arrives before the microtask that hands over 1 and 2: it must not overtake them.
    fire('signal', { n: 3 });
    expect(seen).toEqual([]);
    await Promise.resolve();
    fire('signal', { n: 4 });
    expect(seen).toEqual([1, 2, 3, 4]);
    adapter.close();
  });

  it('holds what arrives once the last listener left, for the next one', async () => {
    const { socket, fire } = fakeSocket();
    const adapter = new SocketIoSignaling({ socket, room: 'r' });
    const first: unknown[] = [];
    const unsubscribe = adapter.subscribe((event) => first.push(event.type === 'message' && event.data));
    fire('signal', 'a');
    unsubscribe();
    fire('signal', 'b');
    const second: unknown[] = [];
    adapter.subscribe((event) => second.push(event.type === 'message' && event.data));
    await Promise.resolve();
    expect(first).toEqual(['a']);
    expect(second).toEqual(['b']);
    adapter.close();
  });
});
