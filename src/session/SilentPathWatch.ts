import { HangupError } from '../errors/HangupError.js';
import type { CallState } from '../model/states.js';
import type { TimerSet } from '../util/TimerSet.js';

/** Media kinds the peer may send. */
export type MediaKind = 'audio' | 'video';

/** Cumulative inbound RTP bytes per kind, as `getStats()` inbound-rtp reports them. */
export type InboundBytes = Readonly<Record<MediaKind, number>>;

/** How often the watch samples and sends its heartbeat. */
export const SILENCE_SAMPLE_MS = 1_000;
/** How long nothing may arrive from a peer that should be sending before the path counts as broken. */
export const SILENCE_WINDOW_MS = 5_000;

/** What {@link SilentPathWatch} needs from its session. */
export interface SilentPathWatchHost {
  /** The session's state (`'ended'` from the first moment of teardown). */
  state(): CallState;
  /** Inbound RTP bytes so far; `undefined` when they cannot be read (no connection, a runtime error). */
  inboundBytes(): Promise<InboundBytes | undefined>;
  /** The kinds the peer sends and has not muted: media of those must keep arriving. */
  expectedKinds(): MediaKind[];
  /** Sends a heartbeat on the control channel, if it is open. */
  heartbeat(): void;
  /** Emits a non-fatal `error` event. */
  report(error: HangupError): void;
  /** The path is broken: recover it (an ICE restart through the session's recovery). */
  trouble(): void;
  /** What arrives again after {@link SilentPathWatchHost.trouble}: the call is connected again. */
  flowing(): void;
  /** Recovery did not bring anything back: end the call (`'ice-failed'`, with `error`). */
  fail(error: HangupError): void;
}

/**
 * Watches that a connected call is alive: "connected, peer not muted, yet nothing arrives" is a broken path
 * even when ICE says otherwise (Firefox, after an ICE restart by Chromium, can keep receiving on its old port
 * while Chromium sends to the new one; both stay `connected`). Every {@link SILENCE_SAMPLE_MS} it sends a
 * heartbeat on the control channel and reads the inbound RTP bytes; progress is more bytes of a kind the peer
 * sends and has not muted, or any control message from the peer (its heartbeats: a call with nothing to send
 * still proves it is alive). After {@link SILENCE_WINDOW_MS} without progress from a peer that was expected to
 * send something, the path counts as broken: an `error` event, then recovery. When progress resumes the call
 * is connected again; after `maxIceRestarts` troubles in a row with nothing arriving in between, the call ends
 * with `'ice-failed'`.
 *
 * Its one timer ('silence-watch') lives in the session's {@link TimerSet}, so teardown clears it with the rest.
 */
export class SilentPathWatch {
  readonly #timers: TimerSet;
  readonly #host: SilentPathWatchHost;
  readonly #maxTroubles: number;
  readonly #now: () => number;
  #last: InboundBytes | undefined;
  #control = 0;
  #controlSeen = 0;
  #lastProgressAt = 0;
  #troubles = 0;
  #inTrouble = false;
  #running = false;
  /** A stats read is still out (one may never settle on a broken path: a Firefox page call once hung there). */
  #sampling = false;

  constructor(timers: TimerSet, now: () => number, maxIceRestarts: number, host: SilentPathWatchHost) {
    this.#timers = timers;
    this.#now = now;
    this.#maxTroubles = Math.max(1, maxIceRestarts);
    this.#host = host;
  }

  /** The call connected: the watch starts (once). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#lastProgressAt = this.#now();
    this.#schedule();
  }

  /** A control message arrived from the peer (anything on the control channel proves the path). */
  controlReceived(): void {
    this.#control++;
  }

  #schedule(): void {
    this.#timers.set('silence-watch', SILENCE_SAMPLE_MS, () => this.#tick());
  }

  #tick(): void {
    const host = this.#host;
    if (host.state() === 'ended') return;
    // Sends or logs, never ends the call (a failed control send is not fatal).
    host.heartbeat();
    // The next tick is due whatever the stats do: a read that never settles must not stop the watch.
    this.#schedule();
    if (this.#sampling) {
      // The previous read is still out: nothing measured arrived in this period.
      this.#judge(undefined);
      return;
    }
    this.#sampling = true;
    host.inboundBytes().then(
      (bytes) => this.#sampled(bytes),
      () => this.#sampled(undefined),
    );
  }

  #sampled(bytes: InboundBytes | undefined): void {
    this.#sampling = false;
    if (this.#host.state() === 'ended') return;
    this.#judge(bytes);
  }

  #judge(bytes: InboundBytes | undefined): void {
    const host = this.#host;
    const previous = this.#last;
    if (bytes) this.#last = bytes;
    const expected = host.expectedKinds();
    const mediaMoved =
      previous !== undefined && bytes !== undefined && expected.some((kind) => bytes[kind] > previous[kind]);
    const controlMoved = this.#control > this.#controlSeen;
    this.#controlSeen = this.#control;
    // Nothing to judge by: the peer sends no media we may expect and never sent a control message (an older
    // peer, or a receive-only one with nothing to say).
    const judged = expected.length > 0 || this.#control > 0;
    const now = this.#now();
    if (mediaMoved || controlMoved || !judged) {
      this.#lastProgressAt = now;
      this.#troubles = 0;
      if (this.#inTrouble) {
        this.#inTrouble = false;
        host.flowing();
      }
      return;
    }
    if (now - this.#lastProgressAt < SILENCE_WINDOW_MS) return;
    // Each trouble gets a full window of its own before the next one.
    this.#lastProgressAt = now;
    this.#troubles++;
    const silentFor = `${Math.round(SILENCE_WINDOW_MS / 1000)} s`;
    if (this.#troubles > this.#maxTroubles) {
      host.fail(
        HangupError.iceFailed(
          `nothing arrived from the peer for ${silentFor} after ${this.#maxTroubles} ICE restart(s)`,
        ),
      );
      return;
    }
    host.report(
      HangupError.iceFailed(
        `connected, but nothing arrived from the peer for ${silentFor} (no media, no control messages): restarting ICE`,
      ),
    );
    if (host.state() === 'ended') return;
    this.#inTrouble = true;
    host.trouble();
  }
}
