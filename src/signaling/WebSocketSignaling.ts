import { type Clock, realClock } from '../clock.js';
import { HangupError } from '../errors/HangupError.js';
import { type Logger, silentLogger } from '../logger.js';
import { MAX_TIMER_DELAY_MS } from '../util/TimerSet.js';
import { printable } from './printable.js';
import {
  isCount,
  isFatalRelayError,
  isResumableCloseCode,
  MAX_ROOM_NAME_LENGTH,
  type RelayClientFrame,
  type RelayServerFrame,
} from './relayProtocol.js';
import { DEFAULT_PENDING_LIMITS, SignalingEventHub } from './SignalingEventHub.js';
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

/** How {@link WebSocketSignaling} reconnects after a dropped socket. */
export interface WebSocketReconnectOptions {
  /**
   * Delay before the first reconnection attempt; it doubles with every failed attempt, up to `maxDelayMs`.
   * Each delay is scaled by a random factor in [0.5, 1) (jitter), so clients cut off together do not all come
   * back in the same instant.
   * @default 100
   */
  initialDelayMs?: number;
  /**
   * Longest delay between two attempts.
   * @default 2000
   */
  maxDelayMs?: number;
  /**
   * An attempt that has not resumed within this time is abandoned and the next one scheduled (a connection that
   * hangs instead of failing, e.g. a network that silently drops packets).
   * @default 3000
   */
  attemptTimeoutMs?: number;
}

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
   * Most messages held while the socket connects or reconnects (queued, plus those sent before the drop and not
   * yet acknowledged by the relay). One more throws. Messages sent on an open socket are held until the relay
   * acknowledges them (to send them again after a resume), up to the larger of this and 1024.
   * @default 256
   */
  maxQueuedMessages?: number;
  /**
   * Resume after a dropped socket. When the socket drops without a final close code (see
   * `docs/signaling-protocol.md`), the adapter emits `interrupted`, reconnects with exponential backoff and
   * jitter, takes its place in the room back with the relay's resume token, and emits `resumed`: nothing sent or
   * received in between is lost or duplicated, and the peer notices nothing. It gives up (emits `closed`) when
   * the relay's grace period (`resumeGraceMs` on the relay, announced at join) has passed, or the relay refuses.
   * `false` turns this off: a dropped socket is `closed` at once, as with a relay that does not offer resume.
   * @default {}
   */
  reconnect?: false | WebSocketReconnectOptions;
  /**
   * Time source of the reconnection delays and acknowledgements (tests pass `ManualClock` from `hangup/testing`).
   * @default the real clock
   */
  clock?: Clock;
  /**
   * Source of the jitter, a number in [0, 1).
   * @default Math.random
   */
  random?: () => number;
  /**
   * Where diagnostics go. Message contents (SDP, candidates) are only logged at `debug`.
   * @default silent
   */
  logger?: Logger;
}

const CONNECTING = 0;
const OPEN = 1;
const NORMAL_CLOSURE = 1000;
/** How long a `close()` waits for a connecting socket to open, to send the messages queued for it (a `bye`). */
const LINGER_MS = 2_000;
/** Most messages held sent-but-unacknowledged when `maxQueuedMessages` is smaller (the relay's own bound is 256). */
const MIN_UNACKED = 1024;
/** Acknowledgements wait this long so a burst is acknowledged once (each ack counts against the rate limit). */
const ACK_DELAY_MS = 10;

/** A numbered frame sent (or to send) and not yet acknowledged by the relay. */
interface Unacked {
  n: number;
  frame: string;
}

/**
 * A {@link SignalingAdapter} over a WebSocket, speaking the `hangup/server` relay protocol
 * (`docs/signaling-protocol.md`).
 *
 * - The socket is opened by the constructor; once open, the adapter joins `room`, then sends whatever was queued.
 * - Relay frames become events: `signal` → `message`, `peer-left` → `peer-left`, `finalize` → `finalize`, and the
 *   socket closing for good → `closed` (with `error` set unless the close was clean; a refused join carries the
 *   relay's `error` frame as a {@link HangupError} with code `SIGNALING_CLOSED`).
 * - After the join, a socket that drops is resumed (see `reconnect`): `interrupted`, then `resumed` or `closed`.
 * - Events that arrive before the first `subscribe()` are kept for that subscriber.
 * - Frames that are not JSON objects are dropped (logged at `debug`); they never throw.
 *
 * @example
 * const signaling = new WebSocketSignaling({ url: 'wss://relay.example/ws', room: callId });
 * const session = new CallSession({ signaling, polite: true });
 */
export class WebSocketSignaling implements SignalingAdapter {
  readonly #url: string;
  readonly #Ctor: WebSocketConstructorLike;
  readonly #room: string;
  readonly #maxQueued: number;
  readonly #logger: Logger;
  readonly #hub: SignalingEventHub;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #reconnect: Required<WebSocketReconnectOptions> | undefined;
  #socket: WebSocketLike;
  /** Frames a `close()` during connecting left to send once the socket opens (best effort). */
  #lingering: string[] | undefined;
  #lingerTimer: unknown;
  /** Whether the current socket has sent its join or resume frame (signals may follow it at once). */
  #introduced = false;
  /** Reconnection attempts given up on (timed out): whatever they do later is ignored. */
  readonly #abandoned = new WeakSet<WebSocketLike>();
  #closed = false;
  /** Whether the relay gave a resume token; `undefined` until `joined`. */
  #resumable: boolean | undefined;
  #token: string | undefined;
  #graceMs = 0;
  /** Number of the last signal sent. */
  #sent = 0;
  /** Signals the relay has not acknowledged yet (all queued ones, before the join or while reconnecting). */
  readonly #unacked: Unacked[] = [];
  /** Number of the last signal received from the relay. */
  #received = 0;
  #ackTimer: unknown;
  /** Set while interrupted: when the socket dropped, and the pending attempt's timers. */
  #droppedAt: number | undefined;
  #attempt = 0;
  #retryTimer: unknown;
  #attemptTimer: unknown;
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
   * @throws {TypeError} when `url` or `room` is missing, `maxQueuedMessages` is not a non-negative integer, a
   * reconnection delay is not a positive number, or no `WebSocket` constructor is available.
   */
  constructor(options: WebSocketSignalingOptions) {
    const {
      url,
      room,
      maxQueuedMessages = 256,
      logger = silentLogger,
      clock = realClock,
      random = Math.random,
    } = options ?? ({} as never);
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
    this.#reconnect = reconnectSettings(options.reconnect);
    this.#url = url;
    this.#Ctor = Ctor;
    this.#room = room;
    this.#maxQueued = maxQueuedMessages;
    this.#logger = logger;
    this.#clock = clock;
    this.#random = random;
    this.#hub = new SignalingEventHub(DEFAULT_PENDING_LIMITS, logger);
    this.ready.catch(() => {});
    this.#socket = this.#open();
  }

  /**
   * Sends `message` to the peer through the relay. Before the socket opens, or while it reconnects, the message
   * is queued and sent once the room is joined (or resumed). After `close()` (or once the adapter has closed) the
   * message is dropped silently (logged at `debug`): sending after the end is a normal part of teardown, not an
   * error.
   * @throws {HangupError} code `SEND_FAILED` when `maxQueuedMessages` messages are already waiting (for the socket
   * or for the relay's acknowledgement), or when `message` cannot be serialised as JSON.
   */
  send(message: SignalMessage): void {
    if (this.#closed) {
      this.#logger.debug('signaling: send after close dropped', message?.type);
      return;
    }
    if (this.#resumable === false) {
      if (this.#socket.readyState === OPEN)
        this.#socket.send(this.#encode({ t: 'signal', data: message }, message?.type));
      else this.#logger.debug('signaling: send on a closing socket dropped', message?.type);
      return;
    }
    const sendNow = this.#introduced && this.#socket.readyState === OPEN;
    // Queued (not sendable now): `maxQueuedMessages`. Sent but unacknowledged: at least MIN_UNACKED, so a relay
    // that never acknowledges cannot make the adapter hold an unbounded backlog either.
    const bound = sendNow ? Math.max(this.#maxQueued, MIN_UNACKED) : this.#maxQueued;
    if (this.#unacked.length >= bound) {
      throw new HangupError(
        'SEND_FAILED',
        `WebSocketSignaling: ${bound} messages are already waiting for the socket or the relay's acknowledgement; raise maxQueuedMessages or wait`,
      );
    }
    const n = this.#sent + 1;
    const frame = this.#encode(
      this.#reconnect ? { t: 'signal', n, data: message } : { t: 'signal', data: message },
      message?.type,
    );
    this.#sent = n;
    this.#unacked.push({ n, frame });
    // Sent now only on a socket whose join (or resume) frame went first; otherwise with the others at open.
    if (sendNow) this.#socket.send(frame);
  }

  /**
   * Delivers events to `listener`; events that arrived while nobody was subscribed (at most 64 events and 4 MiB)
   * are delivered to it first.
   */
  subscribe(listener: (event: SignalingEvent) => void): () => void {
    return this.#hub.subscribe(listener);
  }

  /**
   * Closes the socket (code 1000) and stops any reconnection. Subscribers receive `closed` (without `error`) once,
   * asynchronously; nothing else is delivered afterwards. The relay tells the peer `peer-left`. Idempotent.
   * Messages queued while the socket is still connecting (the session's `bye`) are sent first, best effort: the
   * socket is closed right after it opens, or after 2 s if it does not. Between two reconnection attempts, a socket
   * is opened at once for them (resuming the membership), under the same 2 s bound.
   */
  close(): void {
    if (this.#closed) return;
    let socket = this.#socket;
    if (this.#retryTimer !== undefined && this.#unacked.length > 0) {
      // Between two reconnection attempts, with no socket at all: one last attempt, at once, so the bye reaches
      // the peer instead of it waiting out the relay's grace period for `peer-left`. Bounded like the rest below.
      this.#clock.clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
      try {
        socket = this.#open();
        this.#socket = socket;
      } catch (error) {
        this.#logger.debug('signaling: the last attempt to send the bye could not start', error);
      }
    }
    if (socket.readyState === CONNECTING && this.#unacked.length > 0 && !this.#abandoned.has(socket)) {
      // Messages (typically the session's `bye`) are waiting for this socket: best effort, it joins (or resumes),
      // sends them and closes as soon as it opens, within LINGER_MS. Nothing is delivered to subscribers any more.
      this.#lingering = this.#unacked.map((entry) => entry.frame);
      const timer = this.#clock.setTimeout(() => safeClose(socket), LINGER_MS);
      this.#lingerTimer = timer;
    } else {
      try {
        socket.close(NORMAL_CLOSURE, 'client closed');
      } catch (error) {
        this.#logger.debug('signaling: websocket close threw', error);
      }
    }
    this.#finish(undefined);
  }

  /** The socket a `close()` left connecting opened: introduce it, send what was waiting, close it. */
  #flushAfterClose(): void {
    const frames = this.#lingering;
    this.#lingering = undefined;
    this.#clock.clearTimeout(this.#lingerTimer);
    if (frames === undefined) return;
    try {
      this.#socket.send(this.#encode(this.#introduction(), 'join'));
      for (const frame of frames) this.#socket.send(frame);
      this.#socket.close(NORMAL_CLOSURE, 'client closed');
    } catch (error) {
      this.#logger.debug('signaling: flushing after close failed', error);
    }
  }

  /** The first frame on a new socket: a join, or a resume after a drop. */
  #introduction(): RelayClientFrame {
    if (this.#droppedAt !== undefined) {
      return { t: 'resume', room: this.#room, token: this.#token ?? '', n: this.#received };
    }
    return this.#reconnect ? { t: 'join', room: this.#room, resume: true } : { t: 'join', room: this.#room };
  }

  #open(): WebSocketLike {
    const socket = new this.#Ctor(this.#url);
    this.#introduced = false;
    // Events of a socket that was replaced or abandoned (a reconnection) are ignored.
    const live = (): boolean => socket === this.#socket && !this.#abandoned.has(socket);
    socket.addEventListener('open', () => live() && this.#onOpen());
    socket.addEventListener('message', (event) => live() && this.#onMessage(event.data));
    socket.addEventListener('close', (event) => live() && this.#onClose(event));
    // Always listen for errors: `ws` throws an unhandled 'error' otherwise. The close event carries the outcome.
    socket.addEventListener('error', () => this.#logger.debug('signaling: websocket error'));
    return socket;
  }

  #onOpen(): void {
    if (this.#closed) {
      this.#flushAfterClose();
      return;
    }
    this.#socket.send(this.#encode(this.#introduction(), 'join'));
    // The relay handles frames in order, so signals sent after the join (or resume) are in the room; after a
    // resume it drops the ones it had already relayed, by number.
    for (const { frame } of this.#unacked) this.#socket.send(frame);
    this.#introduced = true;
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
        // The raw frame's length is what holding it costs while nobody is subscribed.
        this.#onSignal(frame.data, frame.n, (raw as string).length);
        return;
      case 'ack':
        this.#onAck(frame.n);
        return;
      case 'peer-left':
        // Numbered for a resumable member, like a signal: a replayed one that already arrived is not told twice.
        if (this.#fresh(frame.n)) this.#hub.emit({ type: 'peer-left' });
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
        this.#onJoined(frame);
        return;
      case 'resumed':
        this.#onResumed(frame);
        return;
      default:
        // `peer-joined` and anything newer are informational.
        this.#logger.debug('signaling: relay frame', frame.t);
    }
  }

  #onJoined(frame: Record<string, unknown>): void {
    const { token, graceMs } = frame;
    if (this.#reconnect && typeof token === 'string' && isDuration(graceMs)) {
      this.#resumable = true;
      this.#token = token;
      this.#graceMs = graceMs;
    } else {
      // A relay without resume (or resume turned off): nothing is acknowledged, so nothing is kept.
      this.#resumable = false;
      this.#unacked.length = 0;
    }
    this.#settleReady();
  }

  #onResumed(frame: Record<string, unknown>): void {
    const { token, n, graceMs } = frame;
    if (this.#droppedAt === undefined || typeof token !== 'string' || !isCount(n)) {
      this.#logger.debug('signaling: unexpected resumed frame ignored');
      return;
    }
    this.#token = token;
    if (isDuration(graceMs)) this.#graceMs = graceMs;
    this.#onAck(n);
    // Confirms the new token at once (the relay keeps the old one working until then, in case this frame had
    // been lost), and acknowledges what arrived before the drop.
    this.#socket.send(this.#encode({ t: 'ack', n: this.#received }, 'ack'));
    this.#droppedAt = undefined;
    this.#attempt = 0;
    this.#clock.clearTimeout(this.#attemptTimer);
    this.#logger.info('signaling: resumed');
    this.#hub.emit({ type: 'resumed' });
  }

  #onSignal(data: unknown, n: unknown, bytes: number): void {
    if (this.#fresh(n)) this.#hub.emit({ type: 'message', data }, bytes);
  }

  /** Counts a numbered relay frame for the next ack; `false` for one that arrived before (a replay). */
  #fresh(n: unknown): boolean {
    if (!this.#resumable || !isCount(n)) return true;
    this.#ackSoon();
    // Already delivered before the socket dropped: the relay sent it again because our ack did not reach it.
    if (n <= this.#received) return false;
    this.#received = n;
    return true;
  }

  #onAck(n: unknown): void {
    if (!isCount(n)) return;
    let drop = 0;
    while (drop < this.#unacked.length && this.#unacked[drop]!.n <= n) drop++;
    this.#unacked.splice(0, drop);
  }

  #ackSoon(): void {
    if (this.#ackTimer !== undefined) return;
    this.#ackTimer = this.#clock.setTimeout(() => {
      this.#ackTimer = undefined;
      if (this.#closed || this.#droppedAt !== undefined || this.#socket.readyState !== OPEN) return;
      this.#socket.send(this.#encode({ t: 'ack', n: this.#received }, 'ack'));
    }, ACK_DELAY_MS);
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
    const resumable =
      this.#reconnect !== undefined &&
      this.#resumable === true &&
      this.#refusal === undefined &&
      isResumableCloseCode(event.code);
    if (!resumable) {
      this.#finish(this.#refusal ?? closeError(event));
      return;
    }
    if (this.#droppedAt === undefined) {
      this.#droppedAt = this.#clock.now();
      this.#attempt = 0;
      this.#logger.info(`signaling: socket dropped (code ${event.code}); resuming`);
      this.#hub.emit({ type: 'interrupted' });
    }
    this.#clock.clearTimeout(this.#attemptTimer);
    this.#scheduleAttempt(event);
  }

  /** Schedules the next reconnection, or gives up when it could only come after the relay's grace period. */
  #scheduleAttempt(lastClose: WebSocketCloseEventLike): void {
    const settings = this.#reconnect!;
    const base = Math.min(settings.maxDelayMs, settings.initialDelayMs * 2 ** this.#attempt);
    const delay = base * (0.5 + this.#random() / 2);
    const elapsed = this.#clock.now() - (this.#droppedAt ?? 0);
    if (elapsed + delay >= this.#graceMs) {
      this.#finish(
        new HangupError(
          'SIGNALING_CLOSED',
          `the signaling socket closed (code ${lastClose.code}) and could not be resumed within the relay's ${this.#graceMs} ms grace period`,
        ),
      );
      return;
    }
    this.#attempt++;
    this.#retryTimer = this.#clock.setTimeout(() => {
      this.#retryTimer = undefined;
      this.#reconnectNow(settings.attemptTimeoutMs);
    }, delay);
  }

  #reconnectNow(attemptTimeoutMs: number): void {
    if (this.#closed) return;
    let socket: WebSocketLike;
    try {
      socket = this.#open();
    } catch (error) {
      this.#logger.debug('signaling: reconnection could not start', error);
      this.#scheduleAttempt({ code: 1006, reason: '' });
      return;
    }
    this.#socket = socket;
    this.#attemptTimer = this.#clock.setTimeout(() => {
      this.#attemptTimer = undefined;
      if (socket !== this.#socket || this.#droppedAt === undefined || this.#closed) return;
      this.#logger.debug('signaling: reconnection attempt timed out');
      // Abandoned: its late events are ignored, whatever its close handshake does.
      this.#abandoned.add(socket);
      safeClose(socket);
      this.#scheduleAttempt({ code: 1006, reason: 'attempt timed out' });
    }, attemptTimeoutMs);
  }

  #finish(error: unknown): void {
    this.#closed = true;
    this.#unacked.length = 0;
    this.#clock.clearTimeout(this.#ackTimer);
    this.#clock.clearTimeout(this.#retryTimer);
    this.#clock.clearTimeout(this.#attemptTimer);
    this.#ackTimer = this.#retryTimer = this.#attemptTimer = undefined;
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

function closeError(event: WebSocketCloseEventLike): HangupError | undefined {
  if (event.code === NORMAL_CLOSURE) return undefined;
  return new HangupError(
    'SIGNALING_CLOSED',
    `the signaling socket closed (code ${event.code}${event.reason ? `, ${printable(event.reason, 123)}` : ''})`,
  );
}

function safeClose(socket: WebSocketLike): void {
  try {
    socket.close();
  } catch {
    // A socket that cannot even be closed is simply dropped.
  }
}

function reconnectSettings(
  option: false | WebSocketReconnectOptions | undefined,
): Required<WebSocketReconnectOptions> | undefined {
  if (option === false) return undefined;
  const settings = {
    initialDelayMs: option?.initialDelayMs ?? 100,
    maxDelayMs: option?.maxDelayMs ?? 2_000,
    attemptTimeoutMs: option?.attemptTimeoutMs ?? 3_000,
  };
  for (const [name, value] of Object.entries(settings)) {
    if (!(typeof value === 'number' && value > 0 && value <= MAX_TIMER_DELAY_MS)) {
      throw new TypeError(`WebSocketSignaling: options.reconnect.${name} must be a positive number of ms`);
    }
  }
  return settings;
}

function isDuration(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
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
