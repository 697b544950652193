/**
 * The life of a call: `idle` → `starting` (acquiring media) → `connecting` (negotiating, ICE) →
 * `connected` ⇄ `reconnecting` → `ended`. Every state may go to `ended`; `ended` is terminal.
 */
export type CallState = 'idle' | 'starting' | 'connecting' | 'connected' | 'reconnecting' | 'ended';

/**
 * The only transitions a {@link CallSession} makes. Any other transition is an internal bug: the session
 * asserts against this table on every change.
 */
export const CALL_STATE_TRANSITIONS: Readonly<Record<CallState, readonly CallState[]>> = Object.freeze({
  idle: Object.freeze(['starting', 'ended'] as const),
  starting: Object.freeze(['connecting', 'ended'] as const),
  connecting: Object.freeze(['connected', 'ended'] as const),
  connected: Object.freeze(['reconnecting', 'ended'] as const),
  reconnecting: Object.freeze(['connected', 'ended'] as const),
  ended: Object.freeze([] as const),
});

/** Whether the table allows going from `from` to `to`. */
export function canTransition(from: CallState, to: CallState): boolean {
  return CALL_STATE_TRANSITIONS[from].includes(to);
}
