import type { HangupError } from '../errors/HangupError.js';
import type { EndSummary } from './endReason.js';
import type { CallState } from './states.js';

/** Payload of the `tick` event. */
export interface CallProgress {
  /** Connected time so far. */
  readonly elapsedMs: number;
  /** Time left before `maxDurationMs`; `undefined` without a limit. */
  readonly remainingMs: number | undefined;
}

/** Payload of the `remoteMute` event. */
export interface RemoteMute {
  readonly kind: 'audio' | 'video';
  readonly muted: boolean;
}

/**
 * Events of a `CallSession`, typed for eventemitter3's `EventEmitter<CallSessionEvents>`.
 * No event of any kind is emitted after `ended`.
 */
export interface CallSessionEvents {
  /** The state changed (always along `CALL_STATE_TRANSITIONS`). */
  stateChange: (state: CallState, previous: CallState) => void;
  /** Local media is ready (again after a device switch). */
  localStream: (stream: MediaStream) => void;
  /** The peer's media arrived. */
  remoteStream: (stream: MediaStream) => void;
  /** The call reached `connected` (first time, and after each recovery). */
  connected: () => void;
  /** ICE trouble: 0 while waiting out the grace period, then 1…`maxIceRestarts` per restart. */
  reconnecting: (attempt: number) => void;
  /** Every `tickMs` from the first `connected` to the end. */
  tick: (progress: CallProgress) => void;
  /** `expiryWarningMs` before `maxDurationMs` is reached. */
  expiring: (info: { readonly remainingMs: number }) => void;
  /** The call ended; emitted exactly once, last. */
  ended: (summary: EndSummary) => void;
  /** A non-fatal problem: bad inbound message, failed candidate, send failure, a teardown step that threw. */
  error: (error: HangupError) => void;
  /** The peer muted or unmuted a track (emitted on change only; the state is re-sent after recoveries). */
  remoteMute: (info: RemoteMute) => void;
  /** Application data from the peer over the session's data channel. */
  message: (data: string | ArrayBuffer) => void;
  /** A stats summary every `statsIntervalMs` while connected (off by default). */
  quality: (stats: CallStats) => void;
}

/**
 * A summary of the call's statistics (see `CallSession.getStats()`). Fields the runtime does not report
 * are absent; bitrates need two samples, so the first summary of a session has none.
 */
export interface CallStats {
  /** Round-trip time of the selected candidate pair, in milliseconds. */
  readonly rttMs?: number;
  /** Bits per second sent over RTP since the previous summary. */
  readonly outgoingBitrate?: number;
  /** Bits per second received over RTP since the previous summary. */
  readonly incomingBitrate?: number;
  /** Inbound packets lost / (lost + received), since the start of the call, 0…1. */
  readonly packetsLostRatio?: number;
  /** Type of the local candidate of the selected pair. */
  readonly candidateType?: 'host' | 'srflx' | 'prflx' | 'relay';
}

/** An immutable picture of a session for UI bindings (`useSyncExternalStore`). */
export interface CallSnapshot {
  readonly state: CallState;
  readonly localStream: MediaStream | undefined;
  readonly remoteStream: MediaStream | undefined;
  readonly elapsedMs: number;
  readonly remainingMs: number | undefined;
  readonly endReason: EndSummary['reason'] | undefined;
}

/** What `liveResources()` reports: all zero / false once a session has ended. */
export interface LiveResources {
  /** Owned local tracks still held. */
  readonly tracks: number;
  /** Whether a peer connection is held. */
  readonly peerConnection: boolean;
  /** Pending timers. */
  readonly timers: number;
  /** Whether the signaling subscription is active. */
  readonly signalingSubscribed: boolean;
  /** DOM listeners registered (`pagehide`). */
  readonly domListeners: number;
  /** Remote candidates waiting for a remote description. */
  readonly queuedCandidates: number;
  /** Media acquisitions in flight. */
  readonly pendingAcquisitions: number;
}
