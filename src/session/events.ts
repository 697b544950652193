import type { HangupError } from '../errors/HangupError.js';
import type { EndSummary } from '../model/endReason.js';
import type { CallProgress, CallStats, RemoteMute } from '../model/events.js';
import type { CallState } from '../model/states.js';

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
