import type { Clock } from '../clock.js';
import { HangupError, isHangupError } from '../errors/HangupError.js';
import { InvalidSignalError } from '../errors/InvalidSignalError.js';
import type { Logger } from '../logger.js';
import { RateGate } from '../util/RateGate.js';
import { parseSignalMessage } from './parseSignalMessage.js';
import type {
  SignalDescription,
  SignalingAdapter,
  SignalingEvent,
  SignalingSource,
  SignalMessage,
} from './types.js';

/** What {@link SignalingLink} needs from its host (the session): one method per thing the peer can say. */
export interface SignalingLinkHost {
  /** Whether the call has ended (nothing is routed or reported after that). */
  ended(): boolean;
  /** The peer hung up (`bye`). */
  bye(): void;
  /** The peer's mute state of one kind. */
  mute(kind: 'audio' | 'video', muted: boolean): void;
  description(description: SignalDescription): void;
  candidate(candidate: RTCIceCandidateInit | null): void;
  /** Signaling says the peer is gone. */
  peerLeft(): void;
  /** The server finalized the call. */
  finalize(): void;
  /** The channel closed for good. */
  closed(cause: unknown): void;
  /** The channel cannot deliver for now and is trying to get back. */
  interrupted(): void;
  /** The channel delivers again. */
  resumed(): void;
  /** A non-fatal problem: an `error` event. */
  report(error: HangupError): void;
  /** An unexpected internal failure while handling an event: the call ends with `'error'`. */
  fail(error: unknown): void;
}

/** The options {@link SignalingLink} reads. */
export interface SignalingLinkOptions {
  readonly signaling: SignalingSource;
  readonly callId: string | undefined;
  readonly logger: Logger;
  readonly clock: Clock;
}

/**
 * Control-channel messages (mute, bye; heartbeats are not counted) a peer may send: a burst, then a steady
 * rate. A real peer sends a handful per user action (a mute toggle, a resync after renegotiation); each one
 * accepted costs an event and a snapshot notification, so a flood is dropped with one `CONTROL_RATE_LIMIT`.
 */
export const CONTROL_MESSAGES = Object.freeze({ perSecond: 20, burst: 40 });

/**
 * `error` events for invalid control messages: a burst, then a steady rate. One a second keeps a peer
 * older than the heartbeat (it reports each heartbeat it receives as invalid) visible, while junk on the
 * channel cannot become a flood of events: past the burst, one report says the rest are dropped.
 */
export const INVALID_CONTROL_REPORTS = Object.freeze({ perSecond: 1, burst: 5 });

/**
 * Messages delivered from inside `subscribe()` (an adapter replaying what it holds) wait for the peer link,
 * which the session builds right after; this bounds them.
 */
const MAX_HELD_MESSAGES = 64;

/** Whether `value` has the two methods of a {@link SignalingAdapter}. */
export function isSignalingAdapter(value: unknown): value is SignalingAdapter {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as SignalingAdapter).send === 'function' &&
    typeof (value as SignalingAdapter).subscribe === 'function'
  );
}

/**
 * The session's side of signaling: the subscription, validation of everything that comes in (the only door
 * for untrusted data, whichever path it took), the `callId` filter, routing to the host, `callId` stamping
 * and reporting of send failures. It owns the adapter when the app handed in a function that creates one,
 * and then closes it in {@link SignalingLink.close}.
 */
export class SignalingLink {
  readonly #options: SignalingLinkOptions;
  readonly #host: SignalingLinkHost;
  #adapter: SignalingAdapter | undefined;
  #owned = false;
  #unsubscribe: (() => void) | undefined;
  #closed = false;
  #channelClosed = false;
  #interrupted = false;
  /** `undefined` once released: inbound messages are routed at once. */
  #held: unknown[] | undefined = [];
  readonly #controlGate: RateGate;
  readonly #invalidControlGate: RateGate;

  constructor(options: SignalingLinkOptions, host: SignalingLinkHost) {
    this.#options = options;
    this.#host = host;
    const now = () => options.clock.now();
    this.#controlGate = new RateGate(now, CONTROL_MESSAGES.perSecond, CONTROL_MESSAGES.burst);
    this.#invalidControlGate = new RateGate(
      now,
      INVALID_CONTROL_REPORTS.perSecond,
      INVALID_CONTROL_REPORTS.burst,
    );
  }

  /** Whether the adapter reported `closed` (final) or could not subscribe. */
  get channelClosed(): boolean {
    return this.#channelClosed;
  }

  /** Whether the adapter reported `interrupted` and has not `resumed` since. */
  get interrupted(): boolean {
    return this.#interrupted && !this.#channelClosed;
  }

  /** Whether the subscription is active. */
  get subscribed(): boolean {
    return this.#unsubscribe !== undefined;
  }

  /**
   * At `start()`: creates the adapter (function form) and subscribes. Events may arrive from inside
   * `subscribe()`; messages among them are held until {@link SignalingLink.release}.
   * @throws what the factory or `subscribe()` threw (the call cannot connect without a channel).
   */
  open(): void {
    const { signaling } = this.#options;
    if (typeof signaling === 'function') {
      const adapter: unknown = signaling();
      if (!isSignalingAdapter(adapter)) {
        // Whatever it created is nobody else's: closed (a promise once it settles), or it would outlive the
        // call (an open socket). A hostile `then` or `close` only ends up in the debug log.
        Promise.resolve(adapter)
          .then((stray) => (stray as { close?: () => unknown } | null | undefined)?.close?.())
          .catch((error: unknown) =>
            this.#options.logger.debug('closing what signaling() returned failed', error),
          );
        throw new TypeError(
          typeof (adapter as PromiseLike<unknown> | null)?.then === 'function'
            ? 'options.signaling() returned a promise: async factories are not supported; return the adapter synchronously (it may connect lazily)'
            : 'options.signaling() must return a SignalingAdapter with send() and subscribe()',
        );
      }
      this.#adapter = adapter;
      this.#owned = true;
    } else {
      this.#adapter = signaling;
    }
    const unsubscribe = this.#adapter.subscribe((event) => this.#onEvent(event));
    if (!this.#closed) {
      this.#unsubscribe = unsubscribe;
      return;
    }
    // The adapter ended the call from inside subscribe(): close() ran before there was anything to drop.
    try {
      unsubscribe();
    } catch (error) {
      this.#options.logger.debug('unsubscribe after an end inside subscribe() failed', error);
    }
  }

  /** The peer link exists: messages held since {@link SignalingLink.open} are routed now, in order. */
  release(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const data of held) {
      if (this.#host.ended()) return;
      this.#receive(data);
    }
  }

  /**
   * A control message that came over the data channel: validated and filtered exactly like signaling, and
   * only `bye` and `mute` are accepted on that path.
   */
  receiveControl(data: unknown): void {
    if (this.#host.ended()) return;
    const verdict = this.#controlGate.take();
    if (verdict !== 'pass') {
      if (verdict === 'first-drop') {
        this.#host.report(HangupError.controlRateLimit(CONTROL_MESSAGES.perSecond));
      }
      return;
    }
    const message = this.#accept(data, (error) => this.#reportInvalidControl(error));
    if (!message) return;
    if (message.type !== 'bye' && message.type !== 'mute') {
      this.#reportInvalidControl(
        new InvalidSignalError(`a '${message.type}' message is not accepted on the data channel`),
      );
      return;
    }
    this.#route(message);
  }

  /** Reports an invalid control message within {@link INVALID_CONTROL_REPORTS}; past it, once per burst. */
  #reportInvalidControl(error: HangupError): void {
    const verdict = this.#invalidControlGate.take();
    if (verdict === 'pass') {
      this.#host.report(error);
    } else if (verdict === 'first-drop') {
      this.#host.report(
        new InvalidSignalError('too many on the data channel; more are dropped unreported for now', {
          cause: error,
        }),
      );
    } else {
      this.#options.logger.debug('invalid control message dropped unreported', error.message);
    }
  }

  /** Sends; a failure (thrown or rejected) is reported as an `error` event, never thrown. */
  send(message: SignalMessage): void {
    if (this.#host.ended()) return;
    for (const failure of this.sendFinal(message)) {
      this.#host.report(HangupError.sendFailed(message.type, failure));
    }
  }

  /**
   * Sends, returning a synchronous failure instead of reporting it (teardown collects it); an asynchronous
   * one is reported if the call is still alive, else logged.
   */
  sendFinal(message: SignalMessage): unknown[] {
    const adapter = this.#adapter;
    if (!adapter) return [];
    try {
      const pending = adapter.send(this.stamp(message));
      if (pending && typeof (pending as Promise<void>).then === 'function') {
        (pending as Promise<void>).then(undefined, (error: unknown) => {
          if (this.#host.ended())
            this.#options.logger.debug(`send of '${message.type}' failed after the end`, error);
          else this.#host.report(HangupError.sendFailed(message.type, error));
        });
      }
      return [];
    } catch (error) {
      return [error];
    }
  }

  /** The message with this call's `callId`, when it has one. */
  stamp(message: SignalMessage): SignalMessage {
    const { callId } = this.#options;
    return callId === undefined ? message : { ...message, callId };
  }

  /**
   * Teardown: drops the subscription, then closes the adapter if the session created it (after the `bye`
   * was handed to it). An adapter the app passed in is left open. Returns what threw.
   */
  close(): unknown[] {
    if (this.#closed) return [];
    this.#closed = true;
    this.#held = undefined;
    const failures: unknown[] = [];
    const unsubscribe = this.#unsubscribe;
    this.#unsubscribe = undefined;
    try {
      unsubscribe?.();
    } catch (error) {
      failures.push(error);
    }
    const adapter = this.#adapter;
    this.#adapter = undefined;
    if (this.#owned && adapter && typeof adapter.close === 'function') {
      try {
        const pending = adapter.close();
        if (pending && typeof (pending as Promise<void>).then === 'function') {
          (pending as Promise<void>).then(undefined, (error: unknown) =>
            this.#options.logger.debug('closing the signaling adapter failed after the end', error),
          );
        }
      } catch (error) {
        failures.push(error);
      }
    }
    return failures;
  }

  #onEvent(event: SignalingEvent): void {
    if (this.#host.ended()) return;
    // Nothing may throw back into the adapter: an internal failure ends this call, not the app.
    try {
      switch (event?.type) {
        case 'message':
          if (this.#held) this.#hold(event.data);
          else this.#receive(event.data);
          break;
        case 'peer-left':
          this.#host.peerLeft();
          break;
        case 'finalize':
          this.#host.finalize();
          break;
        case 'closed':
          this.#channelClosed = true;
          this.#host.closed(event.error);
          break;
        case 'interrupted':
          this.#interrupted = true;
          this.#host.interrupted();
          break;
        case 'resumed':
          if (!this.#interrupted) break;
          this.#interrupted = false;
          this.#host.resumed();
          break;
        default:
          this.#options.logger.debug('unknown signaling event ignored');
      }
    } catch (error) {
      this.#host.fail(error);
    }
  }

  #hold(data: unknown): void {
    if (this.#held && this.#held.length >= MAX_HELD_MESSAGES) {
      this.#host.report(HangupError.negotiationFailed('hold early message', new Error('too many messages')));
      return;
    }
    this.#held?.push(data);
  }

  #receive(data: unknown): void {
    const message = this.#accept(data);
    if (message) this.#route(message);
  }

  /** Validates and filters; `undefined` for what is dropped (invalid data is reported). */
  #accept(
    data: unknown,
    report: (error: HangupError) => void = (error) => this.#host.report(error),
  ): SignalMessage | undefined {
    let message: SignalMessage;
    try {
      message = parseSignalMessage(data);
    } catch (error) {
      report(isHangupError(error) ? error : new InvalidSignalError('unreadable', { cause: error }));
      return undefined;
    }
    const { callId, logger } = this.#options;
    if (callId !== undefined && message.callId !== undefined && message.callId !== callId) {
      logger.debug(`message of another call (${message.callId}) dropped`);
      return undefined;
    }
    return message;
  }

  #route(message: SignalMessage): void {
    const host = this.#host;
    switch (message.type) {
      case 'bye':
        host.bye();
        return;
      case 'mute':
        host.mute(message.kind, message.muted);
        return;
      case 'description':
        this.#options.logger.debug(`remote ${message.description.type}`, message.description.sdp);
        host.description(message.description);
        return;
      case 'candidate':
        this.#options.logger.debug('remote candidate', message.candidate);
        host.candidate(message.candidate);
        return;
    }
  }
}
