/**
 * The control-channel heartbeat of a connected call: proof that the path carries something even when the
 * peer sends no media (muted, receive-only). It never reaches signaling validation (see {@link isHeartbeat}).
 * A peer older than the heartbeat reports each one as an invalid message (`error` event).
 */
export const HEARTBEAT = Object.freeze({ type: 'heartbeat' as const });

/** Whether control-channel data (parsed JSON) is a heartbeat: `{ type: 'heartbeat' }`, with a `callId` at most. */
export function isHeartbeat(data: unknown): boolean {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return false;
  const keys = Object.keys(data);
  return (
    (data as { type?: unknown }).type === 'heartbeat' &&
    keys.every((key) => key === 'type' || key === 'callId') &&
    keys.length <= 2
  );
}
