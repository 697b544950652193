import type { Clock } from '../clock.js';
import type { HangupError } from '../errors/HangupError.js';
import type { Logger } from '../logger.js';
import type { RtcRuntime } from '../runtime.js';
import type { SignalDescription, SignalMessage } from '../signaling/types.js';
import { DataChannelLink, dataChannelError } from './DataChannelLink.js';
import { IceCandidateQueue } from './IceCandidateQueue.js';
import { PerfectNegotiation } from './PerfectNegotiation.js';
import { attachPeerConnection, candidateToJson, closePeerConnection } from './peerConnection.js';

/** What {@link PeerLink} needs from its host (the session). */
export interface PeerLinkHost {
  /** Whether the call has ended (every callback checks it before acting). */
  ended(): boolean;
  /** Sends a message to the peer over signaling (failures are the signaling link's to report). */
  send(message: SignalMessage): void;
  /** A non-fatal problem: an `error` event. */
  report(error: HangupError): void;
  /** An unexpected internal failure: the call ends with `'error'`. */
  fail(error: unknown): void;
  /** The connection's combined state changed. */
  connectionState(state: RTCPeerConnectionState): void;
  /** The peer's media stream arrived or gained a track. */
  remoteStream(stream: MediaStream): void;
  /** A remote description was applied by the negotiation (not a dropped stale or duplicate one). */
  descriptionApplied(description: SignalDescription): void;
  /** Application data from the peer's data channel. */
  message(data: string | ArrayBuffer): void;
  /** A control message (`bye`, `mute`) from the peer's control channel: untrusted, to be validated. */
  control(data: unknown): void;
  /** The peer's control channel closed, and not by us. */
  channelClosedByPeer(): void;
}

/** The options {@link PeerLink} reads. */
export interface PeerLinkOptions {
  readonly runtime: RtcRuntime;
  readonly rtcConfiguration: RTCConfiguration;
  readonly polite: boolean;
  readonly logger: Logger;
  readonly maxQueuedCandidates: number;
  readonly maxRemoteCandidates: number;
  readonly dataChannel: boolean;
  readonly clock: Clock;
}

/**
 * Everything of one call that lives on the peer connection: the connection itself, the perfect negotiation
 * built with it (held until the local tracks are in, so a description arriving while the camera starts waits
 * in the negotiation's own line), remote candidates, the session's data channels and the remote stream.
 * {@link PeerLink.close} is synchronous (its order: docs/teardown.md).
 */
export class PeerLink {
  readonly #options: PeerLinkOptions;
  readonly #host: PeerLinkHost;
  readonly #candidates: IceCandidateQueue;
  readonly #channels: DataChannelLink | undefined;
  #pc: RTCPeerConnection | undefined;
  #negotiation: PerfectNegotiation | undefined;
  #mediaIn = false;
  /** Whether the channels go on the connection with the media (the offering side). */
  #channelsWithMedia = false;
  #remoteStream: MediaStream | undefined;
  /** The last shared stats read (see {@link PeerLink.stats}) and when it started. */
  #statsRead: Promise<RTCStatsReport> | undefined;
  #statsAt = -Infinity;
  /** Who started the shared read: a reader never gets back its own (a timer may fire a little early). */
  #statsBy: string | undefined;

  constructor(options: PeerLinkOptions, host: PeerLinkHost) {
    this.#options = options;
    this.#host = host;
    this.#candidates = new IceCandidateQueue(options.maxQueuedCandidates, options.maxRemoteCandidates);
    this.#channels = options.dataChannel
      ? new DataChannelLink({
          logger: options.logger,
          message: (data) => host.message(data),
          control: (data) => host.control(data),
          closedByPeer: () => host.channelClosedByPeer(),
        })
      : undefined;
  }

  /** The connection, once the local media is on it (media controls need its senders); else `undefined`. */
  get connection(): RTCPeerConnection | undefined {
    return this.#mediaIn ? this.#pc : undefined;
  }

  /**
   * The connection's stats; `undefined` without a connection. With a `shared` reader's name and its
   * `maxAgeMs`, the read is shared: one another reader started less than `maxAgeMs` ago, settled or still
   * running, serves again, so the session's periodic readers (the silent-path watch, the `quality` interval)
   * cost one `getStats()` per period between them. A reader never gets back a read it started itself, even
   * when its timer fires a little before its period is up (Node counts timers in whole milliseconds). Without
   * them, a read of its own (the app's `getStats()`).
   */
  stats(shared?: { reader: string; maxAgeMs: number }): Promise<RTCStatsReport> | undefined {
    const pc = this.#pc;
    if (!shared) return pc?.getStats();
    const now = this.#options.clock.now();
    if (pc && (this.#statsBy === shared.reader || !(now - this.#statsAt < shared.maxAgeMs))) {
      this.#statsAt = now;
      this.#statsBy = shared.reader;
      this.#statsRead = pc.getStats();
    }
    return this.#statsRead;
  }

  /** Whether a connection or data channels are held. */
  get held(): boolean {
    return this.#pc !== undefined || this.#channels?.held === true;
  }

  /** Remote candidates waiting for a remote description. */
  get queuedCandidates(): number {
    return this.#candidates.size;
  }

  /** The peer's media, once it arrived. */
  get remoteStream(): MediaStream | undefined {
    return this.#remoteStream;
  }

  /**
   * Builds the connection and its negotiation (held). Constructing a connection is a blocking call of a
   * millisecond or so in @roamhq/wrtc, so the session calls this while the camera starts.
   */
  open(): void {
    const { runtime, rtcConfiguration, polite, logger } = this.#options;
    const pc = new runtime.RTCPeerConnection(rtcConfiguration);
    this.#pc = pc;
    const host = this.#host;
    // The offering (impolite) side needs its channels in the first offer, for its data section. The
    // answering side creates its own right after its first answer has gone out: the answer accepts that
    // section either way, the channels still exist long before the association opens (after ICE and DTLS),
    // and two blocking createDataChannel calls leave the path between offer and answer.
    let channelsWaitForAnswer = polite && this.#channels !== undefined;
    this.#negotiation = new PerfectNegotiation({
      pc,
      polite,
      logger,
      candidates: this.#candidates,
      now: () => this.#options.clock.now(),
      send: (message) => {
        host.send(message);
        if (!channelsWaitForAnswer || message.type !== 'description') return;
        channelsWaitForAnswer = false;
        // An error listener may have ended the call while the answer was sent.
        if (host.ended()) return;
        try {
          this.#channels?.attach(pc);
        } catch (error) {
          // As on the offering side, where the same failure ends the call from addMedia().
          host.fail(error);
        }
      },
      applied: (description) => host.descriptionApplied(description),
      report: (error) => host.report(error),
    });
    attachPeerConnection(pc, {
      negotiationNeeded: () => this.#negotiation?.negotiationNeeded(),
      iceCandidate: (candidate) => {
        host.send({ type: 'candidate', candidate: candidate ? candidateToJson(candidate) : null });
      },
      track: (event) => this.#onRemoteTrack(event),
      connectionState: (state) => {
        if (!host.ended()) host.connectionState(state);
      },
    });
    this.#channelsWithMedia = !channelsWaitForAnswer;
  }

  /**
   * Puts the local tracks (or receive-only transceivers) and, on the offering side, the data channels on
   * the connection, then lets the negotiation run: what waited in its line is applied now, and the impolite
   * side makes the first offer.
   */
  addMedia(stream: MediaStream | undefined): void {
    const pc = this.#pc;
    const negotiation = this.#negotiation;
    if (!pc || !negotiation) throw new Error('hangup internal error: addMedia() before open()');
    if (stream) {
      for (const track of stream.getTracks()) pc.addTrack(track, stream);
    } else {
      pc.addTransceiver('audio', { direction: 'recvonly' });
      pc.addTransceiver('video', { direction: 'recvonly' });
    }
    if (this.#channelsWithMedia) this.#channels?.attach(pc);
    this.#mediaIn = true;
    negotiation.ready();
    negotiation.offerFirst();
  }

  /** A description from the peer (waits in the negotiation's line until the media is in). */
  receiveDescription(description: SignalDescription): void {
    this.#negotiation?.receiveDescription(description);
  }

  /** A candidate from the peer. */
  receiveCandidate(candidate: RTCIceCandidateInit | null): void {
    this.#negotiation?.receiveCandidate(candidate);
  }

  /** Starts an ICE restart. */
  restartIce(): void {
    this.#negotiation?.restartIce();
  }

  /**
   * Sends application data over the data channel.
   * @throws HangupError `DATA_CHANNEL` when the channel is disabled, closed, full or refuses it.
   */
  send(data: string | ArrayBuffer): void {
    if (!this.#channels)
      throw dataChannelError('the data channel is disabled (options.dataChannel is false)');
    this.#channels.send(data);
  }

  /** Sends a control message on the control channel when it is open; returns whether it went out. */
  sendControl(message: object): boolean {
    return this.#channels?.sendControl(message) ?? false;
  }

  /**
   * Teardown's `close peer connection` step, in the order written in
   * [docs/teardown.md](../../docs/teardown.md#the-order-as-implemented). Returns what threw.
   */
  close(): unknown[] {
    const failures: unknown[] = [];
    this.#negotiation?.dispose();
    this.#negotiation = undefined;
    if (this.#channels) failures.push(...this.#channels.detach());
    const pc = this.#pc;
    // Dropped first: @roamhq/wrtc can crash at exit while closed connections are still reachable.
    this.#pc = undefined;
    this.#mediaIn = false;
    if (pc) failures.push(...closePeerConnection(pc));
    if (this.#channels) failures.push(...this.#channels.close());
    this.#candidates.clear();
    this.#remoteStream = undefined;
    this.#statsRead = undefined;
    return failures;
  }

  #onRemoteTrack(event: RTCTrackEvent): void {
    if (this.#host.ended()) return;
    const [stream] = event.streams;
    if (stream) {
      if (stream === this.#remoteStream) return;
      this.#remoteStream = stream;
    } else {
      // A track sent without a stream: gather such tracks into one stream of our own.
      const MediaStreamCtor = (globalThis as { MediaStream?: new () => MediaStream }).MediaStream;
      if (!MediaStreamCtor) {
        this.#options.logger.debug(
          `remote ${event.track.kind} track without a stream ignored: no MediaStream here`,
        );
        return;
      }
      this.#remoteStream ??= new MediaStreamCtor();
      this.#remoteStream.addTrack(event.track);
    }
    this.#host.remoteStream(this.#remoteStream);
  }
}
