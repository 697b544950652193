import type { LiveResources } from '../model/events.js';

/**
 * What `liveResources()` reports once a session has ended: nothing held. Handy as
 * `expect(session.liveResources()).toEqual(NOTHING_HELD)`.
 */
export const NOTHING_HELD: LiveResources = Object.freeze({
  tracks: 0,
  peerConnection: false,
  timers: 0,
  signalingSubscribed: false,
  domListeners: 0,
  queuedCandidates: 0,
  pendingAcquisitions: 0,
});

/** Anything that reports its live resources (a `CallSession`). */
export interface ReportsLiveResources {
  liveResources(): LiveResources;
}

/**
 * Throws an `Error` naming every resource `liveResources()` still reports (tracks, peer connection, timers,
 * signaling subscription, DOM listeners, queued candidates, pending acquisitions). Call it after a session
 * has ended: a leak test in one line.
 * @throws Error when anything is still held.
 */
export function assertReleased(session: ReportsLiveResources): void {
  const live = session.liveResources();
  const held = Object.entries(live)
    .filter(([, value]) => value !== 0 && value !== false)
    .map(([name, value]) => `${name}=${String(value)}`);
  if (held.length > 0) {
    throw new Error(`session still holds resources after the end: ${held.join(', ')}`);
  }
}
