import type { Clock } from '../clock.js';
import type { RemoteMute } from '../model/events.js';
import type { SignalMessage } from '../signaling/types.js';
import type { TimerSet } from '../util/TimerSet.js';

/** What {@link MuteSync} needs from its host (the session). */
export interface MuteSyncHost {
  /** The local stream whose tracks a mute disables. */
  localStream(): MediaStream | undefined;
  /** Whether changes are announced to the peer yet (the call was started). */
  announcing(): boolean;
  /** Sends a message to the peer (failures are reported by the signaling link). */
  send(message: SignalMessage): void;
  /** The peer's mute state of a kind changed (emit `remoteMute`). */
  remoteChanged(change: RemoteMute): void;
  /** The local mute state changed (the snapshot changes). */
  localChanged(): void;
}

/**
 * Re-sending the full state is what keeps the two sides from drifting, and the peer can trigger it (every
 * applied description does): at most one resync per this period, later requests coalesce into one at its
 * end, so a peer flooding descriptions cannot make this side flood its signaling channel.
 */
export const MUTE_RESYNC_INTERVAL_MS = 1_000;

const KINDS = ['audio', 'video'] as const;

/**
 * Both sides' mute state: the local one (`track.enabled`, announced to the peer) and the peer's (emitted on
 * change). The full local state is re-sent after events where the peer may have missed a change (a
 * recovery, a renegotiation), rate-bounded by {@link MUTE_RESYNC_INTERVAL_MS}.
 */
export class MuteSync {
  readonly #timers: TimerSet;
  readonly #clock: Clock;
  readonly #host: MuteSyncHost;
  readonly #local = { audio: false, video: false };
  /** The peer's mute state as last announced: `remoteMute` fires on change only. */
  readonly #remote = { audio: false, video: false };
  /** The clock reading before which a resync waits (the last one plus the interval). */
  #nextResyncAt = Number.NEGATIVE_INFINITY;
  #closed = false;
  /**
   * Whether a kind was ever muted here. Until then the peer's view (unmuted, its default) is already right,
   * so a resync has nothing to converge: a fresh call whose answer is applied only after `connected` (seen
   * on @roamhq/wrtc under load) sends no mute frames.
   */
  #everMuted = false;

  constructor(timers: TimerSet, clock: Clock, host: MuteSyncHost) {
    this.#timers = timers;
    this.#clock = clock;
    this.#host = host;
  }

  /** Whether local tracks of a kind are muted. */
  isMuted(kind: 'audio' | 'video'): boolean {
    return this.#local[kind];
  }

  /** The peer's last announced mute state of a kind. */
  isRemoteMuted(kind: 'audio' | 'video'): boolean {
    return this.#remote[kind];
  }

  /** Both kinds' state, this side's (`'local'`) or the peer's, as a frozen copy (the snapshot's). */
  both(side: 'local' | 'remote'): Readonly<Record<'audio' | 'video', boolean>> {
    return Object.freeze({ ...(side === 'local' ? this.#local : this.#remote) });
  }

  /** Mutes or unmutes local tracks of a kind and tells the peer. */
  set(kind: 'audio' | 'video', muted: boolean): void {
    if (this.#closed) return;
    this.#local[kind] = muted;
    if (muted) this.#everMuted = true;
    this.apply(kind);
    this.#host.localChanged();
    if (this.#host.announcing()) this.#host.send({ type: 'mute', kind, muted });
  }

  /** Aligns the tracks of a kind in `stream` (by default the local stream) with the mute state. */
  apply(kind: 'audio' | 'video', stream = this.#host.localStream()): void {
    const tracks = kind === 'audio' ? stream?.getAudioTracks() : stream?.getVideoTracks();
    for (const track of tracks ?? []) track.enabled = !this.#local[kind];
  }

  /**
   * The call's own stream just arrived (and is not published yet). Freshly acquired tracks are enabled, so only a mute set before
   * `start()` needs applying; a handed-in stream may carry disabled tracks and is always aligned. Skipping
   * the no-op matters on @roamhq/wrtc, where each track list and `enabled` write is a synchronous native
   * call on the path to the first offer.
   */
  alignNewStream(stream: MediaStream, handedIn: boolean): void {
    for (const kind of KINDS) if (handedIn || this.#local[kind]) this.apply(kind, stream);
  }

  /** At the first `connected`: a mute set before it has not been announced yet. */
  announceIfMuted(): void {
    if (this.#local.audio || this.#local.video) this.resync();
  }

  /**
   * Sends both kinds' state, so a peer that missed a change converges (it emits on change only). Within
   * {@link MUTE_RESYNC_INTERVAL_MS} of the previous resync it is deferred to the end of that period
   * (requests meanwhile coalesce into that one).
   */
  resync(): void {
    if (this.#closed || !this.#everMuted || this.#timers.has('mute-resync')) return;
    const wait = this.#nextResyncAt - this.#clock.now();
    if (wait > 0) this.#timers.set('mute-resync', wait, () => this.#sendAll());
    else this.#sendAll();
  }

  /** The peer announced its mute state of a kind. */
  receive(kind: 'audio' | 'video', muted: boolean): void {
    if (this.#closed || this.#remote[kind] === muted) return;
    this.#remote[kind] = muted;
    this.#host.remoteChanged({ kind, muted });
  }

  /** Teardown: nothing more is sent or emitted (its timer went with the session's timer set, closed first). */
  close(): unknown[] {
    this.#closed = true;
    return [];
  }

  #sendAll(): void {
    this.#nextResyncAt = this.#clock.now() + MUTE_RESYNC_INTERVAL_MS;
    for (const kind of KINDS) this.#host.send({ type: 'mute', kind, muted: this.#local[kind] });
  }
}
