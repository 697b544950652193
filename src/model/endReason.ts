/**
 * Why a call ended. Every way a call can end maps to exactly one of these.
 *
 * - `'hangup'` local {@link CallSession.end}
 * - `'remote-hangup'` the peer sent a `bye`
 * - `'peer-left'` signaling reports the peer gone (or its data channel closed without a `bye`)
 * - `'expired'` `maxDurationMs` reached
 * - `'finalized'` the server finalized the call
 * - `'connect-timeout'` no `connected` within `connectTimeoutMs`
 * - `'ice-failed'` ICE restarts exhausted
 * - `'media-error'` media acquisition failed
 * - `'signaling-closed'` the signaling channel closed before connecting, or when a restart needed it
 * - `'page-hide'` the page was hidden (`pagehide`)
 * - `'disposed'` the owner released the session (React unmount)
 * - `'error'` unexpected internal failure
 */
export type EndReason =
  | 'hangup'
  | 'remote-hangup'
  | 'peer-left'
  | 'expired'
  | 'finalized'
  | 'connect-timeout'
  | 'ice-failed'
  | 'media-error'
  | 'signaling-closed'
  | 'page-hide'
  | 'disposed'
  | 'error';

/** Every {@link EndReason}, in documentation order. */
export const END_REASONS: readonly EndReason[] = Object.freeze([
  'hangup',
  'remote-hangup',
  'peer-left',
  'expired',
  'finalized',
  'connect-timeout',
  'ice-failed',
  'media-error',
  'signaling-closed',
  'page-hide',
  'disposed',
  'error',
]);

/**
 * End reasons caused on this side: a session that was started sends the peer a `bye` carrying the reason.
 * The others (`remote-hangup`, `peer-left`, `finalized`, `signaling-closed`) come from outside, so there is
 * nobody to tell or no channel to tell them on.
 */
export const LOCALLY_CAUSED_END_REASONS: ReadonlySet<EndReason> = new Set<EndReason>([
  'hangup',
  'expired',
  'connect-timeout',
  'ice-failed',
  'page-hide',
  'disposed',
  'error',
  'media-error',
]);

/** Whether `value` is one of the {@link EndReason} strings. */
export function isEndReason(value: unknown): value is EndReason {
  return (END_REASONS as readonly unknown[]).includes(value);
}

/**
 * What {@link CallSession.teardown} returns and `ended` resolves with.
 */
export interface EndSummary {
  /** Why the call ended. */
  readonly reason: EndReason;
  /** The cause of the end, if any (not problems met while tearing down: those are `error` events). */
  readonly error?: unknown;
  /** Clock time at which `start()` was first called. */
  readonly startedAt?: number;
  /** Clock time of the first `connected`. */
  readonly connectedAt?: number;
  /** Clock time of the teardown. */
  readonly endedAt: number;
  /** Connected time in milliseconds; 0 if the call never connected. */
  readonly durationMs: number;
}
