import type { MuteSync } from '../media/MuteSync.js';
import type { CallTimers } from './CallTimers.js';
import type { IceRecovery } from './IceRecovery.js';
import type { SilentPathWatch } from './SilentPathWatch.js';

/** What the steps around the move to `connected` need from the session: the parts they set going. */
export interface ConnectedStepsHost {
  /** The connect timeout goes; the call's clock (tick, stats, expiry) starts. */
  callTimers(): Pick<CallTimers, 'disarmConnect' | 'startCall'>;
  /** The mute state is announced (first time) or re-sent in full (after a recovery). */
  mute(): Pick<MuteSync, 'announceIfMuted' | 'resync'>;
  /** The watch for a path that is connected yet silent starts. */
  watch(): Pick<SilentPathWatch, 'start'>;
  /** The recovery (grace, ICE restarts) is over. */
  ice(): Pick<IceRecovery, 'recovered'>;
}

// The session makes the move to `connected` and emits the event; these are the steps on either side of the
// move, the first time (`first`: from `connecting`) and after a recovery (from `reconnecting`).

/** Before the move, while the state is still `connecting` or `reconnecting`. */
export function beforeConnected(host: ConnectedStepsHost, first: boolean): void {
  if (first) host.callTimers().disarmConnect();
  else host.ice().recovered();
}

/** After the move (only while the call lives), before `connected` is emitted. */
export function afterConnected(host: ConnectedStepsHost, first: boolean, connectedAt: number): void {
  if (first) {
    host.callTimers().startCall(connectedAt);
    host.watch().start();
    // Last: announcing sends, and a failed send is an `error` event whose listener may end the call.
    // A mute set before the first `connected` has not been announced yet.
    host.mute().announceIfMuted();
  } else {
    // The peer may have missed mute changes while the path was down: send the full state.
    host.mute().resync();
  }
}
