import type { Socket } from 'socket.io-client';
// In an application: `import type { ... } from 'hangup'`. The example imports the sources so it runs in this repo.
import type { SignalingAdapter, SignalingEvent, SignalMessage } from '../../src/signaling/types.js';

/** Options of {@link SocketIoSignaling}. */
export interface SocketIoSignalingOptions {
  /** A connected (or connecting) socket.io-client socket. The adapter does not own it unless `closeSocket`. */
  socket: Socket;
  /** The call's room; the server pairs the two sockets that join it. */
  room: string;
  /**
   * Whether `close()` disconnects the socket too (use when the socket exists only for this call).
   * @default true
   */
  closeSocket?: boolean;
}

/** Events held while no session is subscribed (as many as the shipped adapters hold). */
const MAX_EARLY_EVENTS = 64;

/**
 * A hangup `SignalingAdapter` over Socket.IO, for the server in `./server.ts`.
 *
 * Socket.IO already gives what the contract asks of a transport: ordered delivery per socket, JSON encoding,
 * reconnection. The adapter adds the room join, the mapping of server events to `SignalingEvent`s, and a bounded
 * buffer for events that arrive while no session is subscribed (before the first, or between two calls).
 */
export class SocketIoSignaling implements SignalingAdapter {
  readonly #socket: Socket;
  readonly #closeSocket: boolean;
  readonly #listeners = new Set<(event: SignalingEvent) => void>();
  readonly #early: SignalingEvent[] = [];
  #handOverScheduled = false;
  #closed = false;

  readonly #onSignal = (data: unknown): void => this.#emit({ type: 'message', data });
  readonly #onPeerLeft = (): void => this.#emit({ type: 'peer-left' });
  readonly #onFinalize = (info?: unknown): void =>
    this.#emit(info === undefined ? { type: 'finalize' } : { type: 'finalize', info });
  readonly #onRefused = (reason: unknown): void => this.#end(new Error(`join refused: ${String(reason)}`));
  readonly #onDisconnect = (reason: string): void => {
    // Socket.IO reconnects by itself after transport errors when reconnection is on; otherwise this is the end.
    if (!this.#socket.active || !this.#socket.io.reconnection()) {
      this.#end(new Error(`the signaling socket disconnected (${reason})`));
    }
  };
  readonly #onReconnect = (): void => {
    // The server forgets rooms when a socket drops: join again after Socket.IO reconnected.
    this.#socket.emit('join', this.#room);
  };
  readonly #onJoined = (): void => this.#resolveReady();
  #resolveReady!: () => void;

  /** Resolves once the server confirmed the join. Sending does not need to wait for it. */
  readonly ready = new Promise<void>((resolve) => {
    this.#resolveReady = resolve;
  });

  readonly #room: string;

  constructor({ socket, room, closeSocket = true }: SocketIoSignalingOptions) {
    this.#socket = socket;
    this.#room = room;
    this.#closeSocket = closeSocket;
    socket.on('signal', this.#onSignal);
    socket.on('peer-left', this.#onPeerLeft);
    socket.on('finalize', this.#onFinalize);
    socket.on('refused', this.#onRefused);
    socket.on('disconnect', this.#onDisconnect);
    socket.on('joined', this.#onJoined);
    socket.io.on('reconnect', this.#onReconnect);
    // Emitted now, not on 'connect': Socket.IO flushes emits buffered while connecting *before* firing 'connect',
    // so a join sent from the 'connect' handler would arrive after early signals.
    socket.emit('join', room);
  }

  /** Sends through the server. Socket.IO buffers while disconnected; after `close()` this is a no-op. */
  send(message: SignalMessage): void {
    if (this.#closed) return;
    this.#socket.emit('signal', message);
  }

  subscribe(listener: (event: SignalingEvent) => void): () => void {
    this.#listeners.add(listener);
    if (this.#early.length > 0 && !this.#handOverScheduled) {
      // In a microtask, never inside subscribe(), so the caller can finish wiring up first.
      this.#handOverScheduled = true;
      queueMicrotask(() => {
        this.#handOverScheduled = false;
        this.#handOver();
      });
    }
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Leaves the room (the peer gets `peer-left`) and stops listening. Idempotent. */
  close(): void {
    this.#end(undefined);
    if (this.#closeSocket) this.#socket.disconnect();
    else this.#socket.emit('leave');
  }

  #end(error: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.off('signal', this.#onSignal);
    this.#socket.off('peer-left', this.#onPeerLeft);
    this.#socket.off('finalize', this.#onFinalize);
    this.#socket.off('refused', this.#onRefused);
    this.#socket.off('disconnect', this.#onDisconnect);
    this.#socket.off('joined', this.#onJoined);
    this.#socket.io.off('reconnect', this.#onReconnect);
    const event: SignalingEvent = error ? { type: 'closed', error } : { type: 'closed' };
    queueMicrotask(() => this.#emit(event, true));
  }

  #emit(event: SignalingEvent, evenWhenClosed = false): void {
    if (this.#closed && !evenWhenClosed) return;
    // Held events go first: one that arrives while they wait for their hand-over queues behind them.
    if (this.#listeners.size === 0 || this.#early.length > 0) {
      // Bounded, so a server that sends while nobody listens cannot grow memory; the oldest is the one to lose.
      if (this.#early.length >= MAX_EARLY_EVENTS) this.#early.shift();
      this.#early.push(event);
      return;
    }
    this.#deliver(event);
  }

  /** Delivers the held events in order, as long as someone listens (a listener may unsubscribe meanwhile). */
  #handOver(): void {
    while (this.#early.length > 0 && this.#listeners.size > 0) this.#deliver(this.#early.shift()!);
  }

  #deliver(event: SignalingEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        setTimeout(() => {
          throw error;
        });
      }
    }
  }
}
