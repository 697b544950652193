import { HangupError } from '../errors/HangupError.js';
import { type Logger, silentLogger } from '../logger.js';
import { randomId } from '../util/randomId.js';
import { DEFAULT_PENDING_LIMITS, SignalingEventHub } from './SignalingEventHub.js';
import type { SignalingAdapter, SignalingEvent, SignalMessage } from './types.js';

/** The subset of `BroadcastChannel` this adapter uses. */
export interface BroadcastChannelLike {
  postMessage(message: unknown): void;
  close(): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

/** A `BroadcastChannel` constructor. */
export type BroadcastChannelConstructorLike = new (name: string) => BroadcastChannelLike;

/** Options of {@link BroadcastChannelSignaling}. */
export interface BroadcastChannelSignalingOptions {
  /** Channel name; the two tabs of a call use the same one. */
  name: string;
  /**
   * How many messages `send()` may queue before the other tab has been found. One more throws.
   * @default 256
   */
  maxQueuedMessages?: number;
  /**
   * The `BroadcastChannel` constructor.
   * @default globalThis.BroadcastChannel
   */
  BroadcastChannel?: BroadcastChannelConstructorLike;
  /**
   * Where diagnostics go.
   * @default silent
   */
  logger?: Logger;
}

/**
 * Envelope of everything posted on the channel. Pairing: an unpaired instance broadcasts `hello`; an unpaired
 * instance that hears it answers `welcome` and remembers the sender as its candidate; the hello-er pairs and
 * answers `ack`, which pairs the candidate. An instance that is already paired or has another candidate answers
 * `busy`, and the refused one says `hello` again. `signal` and `leave` carry `to`, so only the paired peer acts.
 */
interface Envelope {
  hangupBroadcast: 1;
  kind: 'hello' | 'welcome' | 'ack' | 'busy' | 'signal' | 'leave';
  from: string;
  to?: string;
  data?: unknown;
}

/**
 * What holding `data` costs while nobody is subscribed: its JSON length. Data JSON cannot express (a cycle, a
 * bigint) counts as too large to hold; `parseSignalMessage` would reject it anyway.
 */
function heldBytes(data: unknown): number {
  try {
    return JSON.stringify(data)?.length ?? 0;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/**
 * A {@link SignalingAdapter} between two same-origin tabs (or two instances in one page) over `BroadcastChannel`.
 *
 * - Each instance has a random id; a small handshake pairs exactly two instances, so a third instance on the same
 *   channel name neither receives nor disturbs the pair's messages.
 * - Messages sent before the other tab exists are queued and sent once it announces itself.
 * - `close()`, and `pagehide` where a window exists, announce leaving: the peer receives `peer-left`.
 *
 * @example
 * const signaling = new BroadcastChannelSignaling({ name: `call-${roomId}` });
 */
export class BroadcastChannelSignaling implements SignalingAdapter {
  readonly #id = randomId();
  readonly #channel: BroadcastChannelLike;
  readonly #hub: SignalingEventHub;
  readonly #logger: Logger;
  readonly #maxQueued: number;
  readonly #queue: SignalMessage[] = [];
  #peer: string | undefined;
  #candidate: string | undefined;
  #peerGone = false;
  #closed = false;
  #pageHideTarget: { removeEventListener(type: string, fn: () => void): void } | undefined;
  readonly #onPageHide = (): void => this.close();
  readonly #onMessage = (event: { data: unknown }): void => this.#onEnvelope(event.data);
  #settleReady!: (error?: unknown) => void;

  /**
   * Resolves once the other tab has been found and paired; rejects with a {@link HangupError}
   * (`SIGNALING_CLOSED`) if this adapter closes first. Sending does not need to wait for it (messages are queued
   * until then), and an ignored rejection is never reported as unhandled.
   */
  readonly ready: Promise<void> = new Promise<void>((resolve, reject) => {
    this.#settleReady = (error) => (error === undefined ? resolve() : reject(error));
  });

  /**
   * Opens the channel and looks for the other tab.
   * @throws {TypeError} when `name` is missing, `maxQueuedMessages` is invalid, or `BroadcastChannel` is missing.
   */
  constructor(options: BroadcastChannelSignalingOptions) {
    const { name, maxQueuedMessages = 256, logger = silentLogger } = options ?? ({} as never);
    if (typeof name !== 'string' || name === '') {
      throw new TypeError('BroadcastChannelSignaling: options.name must be a non-empty string');
    }
    if (!Number.isInteger(maxQueuedMessages) || maxQueuedMessages < 0) {
      throw new TypeError(
        'BroadcastChannelSignaling: options.maxQueuedMessages must be a non-negative integer',
      );
    }
    const Ctor =
      options.BroadcastChannel ??
      (globalThis as { BroadcastChannel?: BroadcastChannelConstructorLike }).BroadcastChannel;
    if (typeof Ctor !== 'function') {
      throw new TypeError('BroadcastChannelSignaling: this environment has no BroadcastChannel');
    }
    this.#logger = logger;
    this.#maxQueued = maxQueuedMessages;
    this.#hub = new SignalingEventHub(DEFAULT_PENDING_LIMITS, logger);
    this.ready.catch(() => {});
    this.#channel = new Ctor(name);
    this.#channel.addEventListener('message', this.#onMessage);
    const win = (globalThis as { window?: EventTarget }).window;
    if (win && typeof win.addEventListener === 'function') {
      win.addEventListener('pagehide', this.#onPageHide);
      this.#pageHideTarget = win;
    }
    this.#post({ kind: 'hello' });
  }

  /**
   * Sends `message` to the paired tab, or queues it until one is found. After `close()` or once the peer left,
   * the message is dropped silently (logged at `debug`).
   * @throws {HangupError} code `SEND_FAILED` when `maxQueuedMessages` messages already wait for a peer, or the
   * message cannot be structured-cloned.
   */
  send(message: SignalMessage): void {
    if (this.#closed || this.#peerGone) {
      this.#logger.debug('signaling: send after close dropped', message?.type);
      return;
    }
    if (this.#peer === undefined) {
      if (this.#queue.length >= this.#maxQueued) {
        throw new HangupError(
          'SEND_FAILED',
          `BroadcastChannelSignaling: ${this.#maxQueued} messages already wait for the other tab; raise maxQueuedMessages`,
        );
      }
      this.#queue.push(message);
      return;
    }
    this.#postSignal(message);
  }

  /**
   * Delivers events to `listener`; events that arrived while nobody was subscribed (at most 64 events and 4 MiB)
   * are delivered to it first.
   */
  subscribe(listener: (event: SignalingEvent) => void): () => void {
    return this.#hub.subscribe(listener);
  }

  /**
   * Tells the paired tab `peer-left`, closes the channel and removes the `pagehide` listener. Subscribers receive
   * `closed` once, asynchronously. Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.length = 0;
    this.#pageHideTarget?.removeEventListener('pagehide', this.#onPageHide);
    this.#pageHideTarget = undefined;
    try {
      this.#post({ kind: 'leave' });
    } catch (error) {
      this.#logger.debug('signaling: could not announce leaving', error);
    }
    this.#channel.removeEventListener('message', this.#onMessage);
    this.#channel.close();
    // No-op when already paired: a settled promise ignores later calls.
    this.#settleReady(
      new HangupError('SIGNALING_CLOSED', 'BroadcastChannelSignaling closed before a peer was found'),
    );
    queueMicrotask(() => this.#hub.emit({ type: 'closed' }));
  }

  #onEnvelope(raw: unknown): void {
    if (this.#closed || !isEnvelope(raw) || raw.from === this.#id) return;
    if (raw.to !== undefined && raw.to !== this.#id) return;
    const from = raw.from;
    switch (raw.kind) {
      case 'hello':
        if (this.#peer !== undefined || this.#peerGone) return void this.#post({ kind: 'busy', to: from });
        // While a handshake is pending, stay quiet; if it fails this instance says hello again.
        if (this.#candidate !== undefined) return;
        this.#candidate = from;
        this.#post({ kind: 'welcome', to: from });
        return;
      case 'welcome':
        if (this.#peer === from) return;
        if (this.#peer !== undefined || this.#peerGone || (this.#candidate ?? from) !== from) {
          return void this.#post({ kind: 'busy', to: from });
        }
        this.#pair(from);
        this.#post({ kind: 'ack', to: from });
        this.#flushQueue();
        return;
      case 'ack':
        if (this.#candidate === from && this.#peer === undefined) {
          this.#pair(from);
          this.#flushQueue();
        }
        return;
      case 'busy':
        // Only a refused handshake is retried; `busy` answering a hello just means that tab is taken.
        if (this.#candidate !== from) return;
        this.#candidate = undefined;
        if (this.#peer === undefined && !this.#peerGone) this.#post({ kind: 'hello' });
        return;
      case 'signal':
        if (from === this.#peer) {
          // Measured only if the hub holds it: also while older held events wait, not only with nobody subscribed.
          this.#hub.emit({ type: 'message', data: raw.data }, () => heldBytes(raw.data));
        }
        return;
      case 'leave':
        this.#onLeave(from);
        return;
    }
  }

  #onLeave(from: string): void {
    if (from === this.#peer) {
      this.#peer = undefined;
      this.#peerGone = true;
      this.#queue.length = 0;
      this.#hub.emit({ type: 'peer-left' });
    } else if (from === this.#candidate) {
      this.#candidate = undefined;
      this.#post({ kind: 'hello' });
    }
  }

  #pair(peer: string): void {
    this.#peer = peer;
    this.#candidate = undefined;
    this.#logger.debug('signaling: paired with another tab');
    this.#settleReady();
  }

  #flushQueue(): void {
    for (const message of this.#queue.splice(0)) {
      try {
        this.#postSignal(message);
      } catch (error) {
        this.#logger.warn('signaling: a queued message could not be sent', error);
      }
    }
  }

  #postSignal(message: SignalMessage): void {
    try {
      this.#post({ kind: 'signal', to: this.#peer, data: message });
    } catch (cause) {
      throw new HangupError(
        'SEND_FAILED',
        `BroadcastChannelSignaling: '${message?.type}' message could not be posted`,
        {
          cause,
        },
      );
    }
  }

  #post(envelope: Omit<Envelope, 'hangupBroadcast' | 'from'>): void {
    this.#channel.postMessage({ hangupBroadcast: 1, from: this.#id, ...envelope } satisfies Envelope);
  }
}

function isEnvelope(value: unknown): value is Envelope {
  if (value === null || typeof value !== 'object') return false;
  const envelope = value as Partial<Envelope>;
  return (
    envelope.hangupBroadcast === 1 && typeof envelope.from === 'string' && typeof envelope.kind === 'string'
  );
}
