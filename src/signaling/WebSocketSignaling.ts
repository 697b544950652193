import { HangupError } from '../errors/HangupError.js';
import { type Logger, silentLogger } from '../logger.js';
import { printable } from './printable.js';
import {
  isFatalRelayError,
  MAX_ROOM_NAME_LENGTH,
  type RelayClientFrame,
  type RelayServerFrame,
} from './relayProtocol.js';
import { SignalingEventHub } from './SignalingEventHub.js';
import type { SignalingAdapter, SignalingEvent, SignalMessage } from './types.js';

/** The part of a message event this adapter reads. */
export interface WebSocketMessageEventLike {
  readonly data: unknown;
}

/** The part of a close event this adapter reads. */
export interface WebSocketCloseEventLike {
  readonly code: number;
  readonly reason: string;
}

/** The subset of the WHATWG `WebSocket` this adapter uses; the browser's and `ws`'s both fit. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', listener: (event: WebSocketMessageEventLike) => void): void;
  addEventListener(type: 'close', listener: (event: WebSocketCloseEventLike) => void): void;
  addEventListener(type: 'open' | 'error', listener: () => void): void;
}

/** A `WebSocket` constructor: `globalThis.WebSocket` in browsers, `WebSocket` from `ws` in Node. */
export type WebSocketConstructorLike = new (url: string) => WebSocketLike;

/** Options of {@link WebSocketSignaling}. */
export interface WebSocketSignalingOptions {
  /** The relay's URL, e.g. `wss://example.com/signal`. */
  url: string;
  /** The room to join; the relay pairs the two sockets that join the same room. 1–128 characters. */
  room: string;
  /**
   * The `WebSocket` constructor to use. Pass `WebSocket` from `ws` in Node; hangup's core never imports `ws`.
   * @default globalThis.WebSocket
   * @example
   * import { WebSocket } from 'ws';
   * new WebSocketSignaling({ url, room, WebSocket });
   */
  WebSocket?: WebSocketConstructorLike;
  /**
   * How many messages `send()` may queue while the socket is still connecting. One more throws.
   * @default 256
   */
  maxQueuedMessages?: number;
  /**
   * Where diagnostics go. Message contents (SDP, candidates) are only logged at `debug`.
   * @default silent
   */
  logger?: Logger;
}

const OPEN = 1;
const CLOSING = 2;
const NORMAL_CLOSURE = 1000;
/** Inbound events kept for the first subscriber; generous, since a call exchanges only a few dozen. */
const MAX_PENDING_EVENTS = 1024;

/**
 * A {@link SignalingAdapter} over a WebSocket, speaking the `hangup/server` relay protocol
 * (`docs/signaling-protocol.md`).
 *
 * - The socket is opened by the constructor; once open, the adapter joins `room`, then sends whatever was queued.
 * - Relay frames become events: `signal` → `message`, `peer-left` → `peer-left`, `finalize` → `finalize`, and the
 *   socket closing → `closed` (with `error` set unless the close was clean; a refused join carries the relay's
 *   `error` frame as a {@link HangupError} with code `SIGNALING_CLOSED`).
 * - Events that arrive before the first `subscribe()` are kept for that subscriber.
 * - Frames that are not JSON objects are dropped (logged at `debug`); they never throw.
 *
 * @example
 * const signaling = new WebSocketSignaling({ url: 'wss://relay.example/ws', room: callId });
 * const session = new CallSession({ signaling, polite: true });
 */
export class WebSocketSignaling implements SignalingAdapter {
  readonly #socket: WebSocketLike;
  readonly #room: string;
  readonly #maxQueued: number;
  readonly #logger: Logger;
  readonly #hub: SignalingEventHub;
  readonly #queue: string[] = [];
  #closed = false;
  #settleReady!: (error?: unknown) => void;
  /** The relay's fatal `error` frame, reported with the `closed` event that follows it. */
  #refusal: HangupError | undefined;

  /**
   * Resolves when the relay confirmed the join; rejects with a {@link HangupError} (`SIGNALING_CLOSED`, carrying a
   * refusal such as `room-full`) if the socket closes first. Sending does not need to wait for it, and an ignored
   * rejection is never reported as unhandled.
   */
  readonly ready: Promise<void> = new Promise<void>((resolve, reject) => {
    this.#settleReady = (error) => (error === undefined ? resolve() : reject(error));
  });

  /**
   * Opens the socket.
   * @throws {TypeError} when `url` or `room` is missing, `maxQueuedMessages` is not a non-negative integer,
   * or no `WebSocket` constructor is available.
   */
  constructor(options: WebSocketSignalingOptions) {
    const { url, room, maxQueuedMessages = 256, logger = silentLogger } = options ?? ({} as never);
    if (typeof url !== 'string' || url === '') {
      throw new TypeError('WebSocketSignaling: options.url must be the relay URL, e.g. "wss://host/path"');
    }
    if (typeof room !== 'string' || room === '' || room.length > MAX_ROOM_NAME_LENGTH) {
      // The relay refuses longer names; failing here beats a call that waits for its connect timeout.
      throw new TypeError(
        `WebSocketSignaling: options.room must be a string of 1–${MAX_ROOM_NAME_LENGTH} characters`,
      );
    }
    if (!Number.isInteger(maxQueuedMessages) || maxQueuedMessages < 0) {
      throw new TypeError('WebSocketSignaling: options.maxQueuedMessages must be a non-negative integer');
    }
    const Ctor = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructorLike }).WebSocket;
    if (typeof Ctor !== 'function') {
      throw new TypeError(
        "WebSocketSignaling: no WebSocket available: in Node pass options.WebSocket (import { WebSocket } from 'ws')",
      );
    }
    this.#room = room;
    this.#maxQueued = maxQueuedMessages;
    this.#logger = logger;
    this.#hub = new SignalingEventHub(MAX_PENDING_EVENTS, logger);
    this.ready.catch(() => {});
    this.#socket = new Ctor(url);
    this.#socket.addEventListener('open', () => this.#onOpen());
    this.#socket.addEventListener('message', (event) => this.#onMessage(event.data));
    this.#socket.addEventListener('close', (event) => this.#onClose(event));
    // Always listen for errors: `ws` throws an unhandled 'error' otherwise. The close event carries the outcome.
    this.#socket.addEventListener('error', () => this.#logger.debug('signaling: websocket error'));
  }

  /**
   * Sends `message` to the peer through the relay. Before the socket opens, the message is queued and sent right
   * after the join. After `close()` (or once the socket has closed) the message is dropped silently (logged at
   * `debug`): sending after the end is a normal part of teardown, not an error.
   * @throws {HangupError} code `SEND_FAILED` when `maxQueuedMessages` messages are already waiting for the socket
   * to open, or when `message` cannot be serialised as JSON.
   */
  send(message: SignalMessage): void {
    if (this.#closed || this.#socket.readyState >= CLOSING) {
      this.#logger.debug('signaling: send after close dropped', message?.type);
      return;
    }
    const frame = this.#encode({ t: 'signal', data: message }, message?.type);
    if (this.#socket.readyState === OPEN) {
      this.#socket.send(frame);
      return;
    }
    if (this.#queue.length >= this.#maxQueued) {
      throw new HangupError(
        'SEND_FAILED',
        `WebSocketSignaling: ${this.#maxQueued} messages are already queued while the socket connects; raise maxQueuedMessages or wait for it to open`,
      );
    }
    this.#queue.push(frame);
  }

  /** Delivers events to `listener`; events that arrived before the first subscriber are delivered to it first. */
  subscribe(listener: (event: SignalingEvent) => void): () => void {
    return this.#hub.subscribe(listener);
  }

  /**
   * Closes the socket (code 1000). Subscribers receive `closed` (without `error`) once, asynchronously; nothing
   * else is delivered afterwards. The relay tells the peer `peer-left`. Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#queue.length = 0;
    try {
      this.#socket.close(NORMAL_CLOSURE, 'client closed');
    } catch (error) {
      this.#logger.debug('signaling: websocket close threw', error);
    }
    this.#finish(undefined);
  }

  #onOpen(): void {
    if (this.#closed) return;
    this.#socket.send(this.#encode({ t: 'join', room: this.#room }, 'join'));
    // The relay handles frames in order, so queued signals sent after the join are in the room.
    for (const frame of this.#queue.splice(0)) this.#socket.send(frame);
  }

  #onMessage(raw: unknown): void {
    if (this.#closed) return;
    const frame = decode(raw);
    if (frame === undefined) {
      this.#logger.debug('signaling: dropped a relay frame that is not a JSON object');
      return;
    }
    switch (frame.t) {
      case 'signal':
        this.#hub.emit({ type: 'message', data: frame.data });
        return;
      case 'peer-left':
        this.#hub.emit({ type: 'peer-left' });
        return;
      case 'finalize':
        this.#hub.emit(
          frame.info === undefined ? { type: 'finalize' } : { type: 'finalize', info: frame.info },
        );
        return;
      case 'error':
        this.#onRelayError(frame);
        return;
      case 'joined':
        this.#settleReady();
        return;
      default:
        // `peer-joined` and anything newer are informational.
        this.#logger.debug('signaling: relay frame', frame.t);
    }
  }

  #onRelayError(frame: { code?: unknown; message?: unknown }): void {
    // The server's words are untrusted: bounded and stripped of control characters before they reach a log.
    const detail = `${printable(frame.code, 64)}: ${printable(frame.message, 200)}`;
    if (isFatalRelayError(frame.code)) {
      // The relay closes the socket next; the refusal travels with that `closed` event.
      this.#refusal = new HangupError('SIGNALING_CLOSED', `the relay closed the connection (${detail})`, {
        cause: frame,
      });
      return;
    }
    this.#logger.warn(`signaling: relay reported an error (${detail})`);
  }

  #onClose(event: WebSocketCloseEventLike): void {
    if (this.#closed) return;
    const clean = event.code === NORMAL_CLOSURE;
    const error =
      this.#refusal ??
      (clean
        ? undefined
        : new HangupError(
            'SIGNALING_CLOSED',
            `the signaling socket closed (code ${event.code}${event.reason ? `, ${event.reason}` : ''})`,
          ));
    this.#finish(error);
  }

  #finish(error: unknown): void {
    this.#closed = true;
    this.#queue.length = 0;
    const event: SignalingEvent = error === undefined ? { type: 'closed' } : { type: 'closed', error };
    // No-op once joined: a settled promise ignores later calls.
    this.#settleReady(
      error ?? new HangupError('SIGNALING_CLOSED', 'WebSocketSignaling closed before joining'),
    );
    // Asynchronous even for a local close(), so no listener runs inside close().
    queueMicrotask(() => this.#hub.emit(event));
  }

  #encode(frame: RelayClientFrame, what: string | undefined): string {
    try {
      return JSON.stringify(frame);
    } catch (cause) {
      throw new HangupError('SEND_FAILED', `WebSocketSignaling: '${what}' message is not JSON-serialisable`, {
        cause,
      });
    }
  }
}

/** Parses a relay frame; `undefined` for anything that is not a JSON object with a string `t`. */
/**
 * Largest relay frame decoded, in UTF-16 code units. The reference relay never sends more than its 512 KiB
 * `maxFrameBytes`; a hostile or broken server could send far more, and browsers put no size limit on frames.
 */
const MAX_INBOUND_FRAME_CHARS = 1024 * 1024;

function decode(raw: unknown): (RelayServerFrame & Record<string, unknown>) | undefined {
  if (typeof raw !== 'string' || raw.length > MAX_INBOUND_FRAME_CHARS) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  if (typeof (value as { t?: unknown }).t !== 'string') return undefined;
  return value as RelayServerFrame & Record<string, unknown>;
}
