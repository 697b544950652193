import { HangupError } from '../errors/HangupError.js';
import type { EndReason } from '../model/endReason.js';
import type { CallState } from '../model/states.js';
import type { TimerSet } from '../util/TimerSet.js';
import type { ResolvedOptions } from './options.js';

/** What {@link IceRecovery} needs from its session. */
export interface IceRecoveryHost {
  /** The session's state (`'ended'` from the first moment of teardown). */
  state(): CallState;
  /** Moves the call to `reconnecting`; false when it ended meanwhile. */
  toReconnecting(): boolean;
  /** Emits `reconnecting(attempt)`. */
  reconnecting(attempt: number): void;
  end(reason: EndReason, error?: unknown): void;
  /** Starts an ICE restart through the negotiation. */
  restart(): void;
  /** Whether the signaling channel has closed (a restart needs it). */
  signalingClosed(): boolean;
  /** Whether the signaling channel is interrupted (a restart waits for it to resume). */
  signalingInterrupted(): boolean;
}

/** The options {@link IceRecovery} reads. */
export type IceRecoveryOptions = Pick<
  ResolvedOptions,
  'disconnectGraceMs' | 'maxIceRestarts' | 'iceRestartTimeoutMs'
>;

/**
 * The recovery policy of a connected call whose ICE path breaks: wait out `disconnectGraceMs` (the path may
 * come back by itself), then up to `maxIceRestarts` restarts, each bounded by `iceRestartTimeoutMs`, then
 * `ice-failed`. Its timers ('disconnect-grace', 'ice-restart') live in the session's {@link TimerSet}, so
 * teardown clears them with all the others.
 */
export class IceRecovery {
  readonly #timers: TimerSet;
  readonly #options: IceRecoveryOptions;
  readonly #host: IceRecoveryHost;
  #attempt = 0;
  /** A restart is due but signaling is interrupted: it is made when signaling resumes (within its bound). */
  #restartWaitsForSignaling = false;

  constructor(timers: TimerSet, options: IceRecoveryOptions, host: IceRecoveryHost) {
    this.#timers = timers;
    this.#options = options;
    this.#host = host;
  }

  /** ICE `disconnected`: a connected call waits out the grace period before restarting. */
  disconnected(): void {
    if (this.#host.state() !== 'connected' || !this.#host.toReconnecting()) return;
    this.#timers.set('disconnect-grace', this.#options.disconnectGraceMs, () => this.#restart());
    this.#host.reconnecting(0);
  }

  /** ICE `failed`: fatal before the first connect, otherwise a restart at once. */
  failed(): void {
    if (this.#host.state() === 'connecting') {
      this.#host.end('ice-failed', HangupError.iceFailed('before connecting'));
    } else if (!this.#timers.has('ice-restart')) {
      // A restart already in flight is bounded by its own timer; do not stack another.
      this.#restart();
    }
  }

  /** Connected again: the next trouble counts restarts from 1. */
  recovered(): void {
    this.#timers.clear('disconnect-grace');
    this.#timers.clear('ice-restart');
    this.#attempt = 0;
    this.#restartWaitsForSignaling = false;
  }

  /** Signaling is back: a restart that waited for it goes out now (its timer still bounds it). */
  signalingResumed(): void {
    if (!this.#restartWaitsForSignaling || this.#host.state() !== 'reconnecting') return;
    this.#restartWaitsForSignaling = false;
    this.#host.restart();
  }

  /**
   * Whether the call can lose signaling and live on: a connected call does not need it, nor does one waiting
   * out the disconnect grace (it may recover by itself). A restart under way needs it, and a restart that
   * finds it closed ends the call.
   */
  survivesSignalingLoss(): boolean {
    const state = this.#host.state();
    return state === 'connected' || (state === 'reconnecting' && this.#timers.has('disconnect-grace'));
  }

  #restart(): void {
    const host = this.#host;
    if (host.state() === 'ended') return;
    this.#timers.clear('disconnect-grace');
    if (host.state() === 'connected' && !host.toReconnecting()) return;
    this.#attempt++;
    this.#restartWaitsForSignaling = false;
    if (this.#attempt > this.#options.maxIceRestarts) {
      host.end(
        'ice-failed',
        HangupError.iceFailed(`no recovery after ${this.#options.maxIceRestarts} ICE restart(s)`),
      );
      return;
    }
    if (host.signalingClosed()) {
      host.end('signaling-closed', HangupError.signalingClosed());
      return;
    }
    this.#timers.set('ice-restart', this.#options.iceRestartTimeoutMs, () => this.#restart());
    host.reconnecting(this.#attempt);
    if (host.state() === 'ended') return;
    // An interrupted channel cannot carry the restart offer now; it may come back before this attempt's
    // timer runs out. An interruption never ends the call by itself.
    if (host.signalingInterrupted()) this.#restartWaitsForSignaling = true;
    else host.restart();
  }
}
