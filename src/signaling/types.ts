import type { EndReason } from '../model/endReason.js';

/** A session description as it travels over signaling. */
export interface SignalDescription {
  type: 'offer' | 'answer' | 'pranswer' | 'rollback';
  sdp?: string;
}

/**
 * What one peer sends the other over signaling. Outbound messages are plain JSON-serialisable objects;
 * `callId` is stamped on them when the session has one.
 */
export type SignalMessage = (
  | { type: 'description'; description: SignalDescription }
  | { type: 'candidate'; candidate: RTCIceCandidateInit | null }
  | { type: 'bye'; reason: EndReason }
  | { type: 'mute'; kind: 'audio' | 'video'; muted: boolean }
) & { callId?: string };

/** The message types of {@link SignalMessage}. */
export type SignalMessageType = SignalMessage['type'];

/**
 * What a signaling adapter delivers to its subscriber.
 * - `message`: data from the peer, not yet trusted (the session validates it with `parseSignalMessage`);
 * - `peer-left`: the peer is gone (the session ends with `'peer-left'`);
 * - `finalize`: the server finalized the call (the session ends with `'finalized'`);
 * - `closed`: the channel closed (ends a call that is not connected yet with `'signaling-closed'`);
 * - `interrupted`: the channel is temporarily unable to deliver and is trying to get back (no message is lost
 *   meanwhile: what is sent is delivered after `resumed`); never ends a call by itself;
 * - `resumed`: the channel is back after `interrupted`; a `closed` instead means it gave up. Adapters that never
 *   interrupt need not emit either.
 */
export type SignalingEvent =
  | { type: 'message'; data: unknown }
  | { type: 'peer-left' }
  | { type: 'finalize'; info?: unknown }
  | { type: 'closed'; error?: unknown }
  | { type: 'interrupted' }
  | { type: 'resumed' };

/**
 * The pluggable signaling transport. Implement this to carry hangup's messages over your own server.
 * See `docs/signaling-adapters.md` and run `signalingAdapterConformance` from `hangup/testing`.
 */
export interface SignalingAdapter {
  /**
   * Sends a message to the peer. May throw or reject; the session turns that into an `error` event.
   * Must not deliver anything to the local subscriber (no echo).
   */
  send(message: SignalMessage): void | Promise<void>;
  /** Starts delivering events to `listener`; returns the function that stops it. */
  subscribe(listener: (event: SignalingEvent) => void): () => void;
  /**
   * Optional: releases the transport (closes its socket, leaves its room). A session calls it at teardown
   * only for an adapter it created itself (`signaling: () => adapter`), after the `bye` was handed to
   * `send`; an adapter instance passed in stays the app's to close. It should flush a pending `bye` first,
   * best effort, and must not throw for a second call.
   */
  close?(): void | Promise<void>;
}

/**
 * The `signaling` option: an adapter the app owns (the session never closes it, so one connection can
 * serve many calls), or a function returning one, which the session calls in `start()`, owns, and closes
 * at teardown.
 */
export type SignalingSource = SignalingAdapter | (() => SignalingAdapter);
