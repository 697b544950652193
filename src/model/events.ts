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
  /** Whether the app muted its own audio / video (`setMuted`). */
  readonly muted: MuteState;
  /** The peer's mute state as it last announced it (`remoteMute`). */
  readonly remoteMuted: MuteState;
  /** Whether the screen is being sent instead of the camera. */
  readonly screenSharing: boolean;
}

/** Mute state of both kinds of media. */
export interface MuteState {
  readonly audio: boolean;
  readonly video: boolean;
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
