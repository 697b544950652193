import { EventEmitter } from 'eventemitter3';
import { CallEndedError } from './errors/CallEndedError.js';
import { HangupError, isHangupError } from './errors/HangupError.js';
import { InvalidSignalError } from './errors/InvalidSignalError.js';
import { MediaAcquisitionError } from './errors/MediaAcquisitionError.js';
import { acquireWithAudioFallback } from './media/audioFallback.js';
import { StatsSampler } from './media/callStats.js';
import { DataChannelLink } from './media/DataChannelLink.js';
import { type DeviceRequest, DeviceSwitch } from './media/deviceSwitch.js';
import type { MediaControlContext } from './media/MediaControlContext.js';
import { ScreenShare } from './media/screenShare.js';
import { fileRemoteCandidate, PerfectNegotiation } from './negotiation/PerfectNegotiation.js';
import { randomId } from './randomId.js';
import { IceCandidateQueue } from './resources/IceCandidateQueue.js';
import { MediaOwner } from './resources/MediaOwner.js';
import { attachPeerConnection, candidateToJson, closePeerConnection } from './resources/peerConnection.js';
import { CallTimers, type CallTimersHost } from './session/CallTimers.js';
import type { EndReason, EndSummary } from './session/endReason.js';
import { LOCALLY_CAUSED_END_REASONS } from './session/endReason.js';
import type { CallSessionEvents, CallSnapshot, CallStats, LiveResources } from './session/events.js';
import { IceRecovery, type IceRecoveryHost } from './session/IceRecovery.js';
import type { CallSessionOptions, ResolvedOptions } from './session/options.js';
import { resolveOptions } from './session/options.js';
import { onPageHide } from './session/pageHide.js';
import { rethrowLater } from './session/rethrowLater.js';
import { safeEmit } from './session/safeEmit.js';
import type { CallState } from './session/states.js';
import { canTransition } from './session/states.js';
import { TimerSet } from './session/TimerSet.js';
import { parseSignalMessage } from './signaling/parseSignalMessage.js';
import type { SignalDescription, SignalingEvent, SignalMessage } from './signaling/types.js';

/**
 * How long a data channel closed by the peer waits for a `bye` still in flight before the call ends with
 * `'peer-left'`.
 */
export const PEER_CLOSE_GRACE_MS = 250;

/** Where an inbound message came from. */
type MessagePath = 'signaling' | 'data channel';

/** Descriptions that arrive while media is still being acquired wait here (bounded). */
const MAX_EARLY_DESCRIPTIONS = 16;

/**
 * One one-to-one WebRTC call. It owns the local media, the `RTCPeerConnection`, every timer, the
 * ICE-candidate queue and the signaling subscription, and every way the call can end goes through
 * {@link CallSession.teardown}: synchronous, idempotent, and complete before it returns.
 *
 * @example
 * ```ts
 * const session = new CallSession({ signaling, polite: true, maxDurationMs: 600_000 });
 * session.on('remoteStream', (stream) => { video.srcObject = stream; });
 * session.on('ended', ({ reason }) => showEndedScreen(reason));
 * await session.start();
 * hangUpButton.onclick = () => session.end();
 * ```
 */
export class CallSession extends EventEmitter<CallSessionEvents> {
  /** Random per session; useful in logs. */
  readonly id: string;
  /** Resolves once with the summary when the call ends; never rejects. */
  readonly ended: Promise<EndSummary>;

  readonly #options: ResolvedOptions;
  readonly #timers: TimerSet;
  readonly #media = new MediaOwner();
  readonly #candidates: IceCandidateQueue;
  readonly #resolveEnded: (summary: EndSummary) => void;
  readonly #callTimers: CallTimers;
  readonly #ice: IceRecovery;
  readonly #snapshotListeners = new Set<() => void>();
  readonly #muted = { audio: false, video: false };
  /** The peer's mute state as last announced: `remoteMute` fires on change only. */
  readonly #remoteMuted = { audio: false, video: false };
  readonly #screen: ScreenShare;
  readonly #devices: DeviceSwitch;
  readonly #link: DataChannelLink | undefined;
  readonly #stats = new StatsSampler();

  #state: CallState = 'idle';
  #summary: EndSummary | undefined;
  /** True while teardown emits its final events; after that nothing is emitted. */
  #finalEmissions = false;
  #startPromise: Promise<void> | undefined;
  #settleStart: { resolve(): void; reject(error: unknown): void } | undefined;
  #startedAt: number | undefined;
  #connectedAt: number | undefined;
  #localStream: MediaStream | undefined;
  #remoteStream: MediaStream | undefined;
  #pc: RTCPeerConnection | undefined;
  #negotiation: PerfectNegotiation | undefined;
  #earlyDescriptions: SignalDescription[] = [];
  #unsubscribe: (() => void) | undefined;
  #removePageHide: (() => void) | undefined;
  #snapshot: CallSnapshot | undefined;
  #signalingClosed = false;

  /**
   * @throws TypeError for invalid options (missing signaling, negative durations, no WebRTC runtime), with
   * a message that says how to fix it.
   */
  constructor(options: CallSessionOptions) {
    super();
    this.#options = resolveOptions(options);
    this.#timers = new TimerSet(this.#options.clock);
    const { maxQueuedCandidates, maxRemoteCandidates } = this.#options;
    this.#candidates = new IceCandidateQueue(maxQueuedCandidates, maxRemoteCandidates);
    const port = this.#sessionPort();
    this.#callTimers = new CallTimers(this.#timers, this.#options, port);
    this.#ice = new IceRecovery(this.#timers, this.#options, port);
    this.id = randomId();
    let resolveEnded!: (summary: EndSummary) => void;
    this.ended = new Promise<EndSummary>((resolve) => {
      resolveEnded = resolve;
    });
    this.#resolveEnded = resolveEnded;
    // A stream handed in is the session's from now on (unless the app keeps it): whatever ends the call, even
    // before start(), stops it.
    const { media, stopProvidedStream } = this.#options;
    if (stopProvidedStream && media !== false && isMediaStream(media)) this.#media.own(media.getTracks());
    const controls = this.#mediaControlContext();
    this.#screen = new ScreenShare(controls);
    this.#devices = new DeviceSwitch(controls, this.#screen);
    this.#link = this.#options.dataChannel ? this.#createDataChannelLink() : undefined;
  }

  /** Current state. */
  get state(): CallState {
    return this.#state;
  }

  /** Why the call ended; `undefined` until it has. */
  get endReason(): EndReason | undefined {
    return this.#summary?.reason;
  }

  /** The local media; `undefined` before it is acquired and again after teardown. */
  get localStream(): MediaStream | undefined {
    return this.#localStream;
  }

  /** The peer's media; `undefined` before it arrives and again after teardown. */
  get remoteStream(): MediaStream | undefined {
    return this.#remoteStream;
  }

  /** Connected time so far (frozen at the end); 0 before the first `connected`. */
  get elapsedMs(): number {
    if (this.#connectedAt === undefined) return 0;
    const now = this.#summary ? this.#summary.endedAt : this.#options.clock.now();
    return Math.max(0, now - this.#connectedAt);
  }

  /** Time left before `maxDurationMs`; `undefined` without a limit. */
  get remainingMs(): number | undefined {
    const limit = this.#options.maxDurationMs;
    return limit === undefined ? undefined : Math.max(0, limit - this.elapsedMs);
  }

  /**
   * Starts the call: acquires media, subscribes to signaling, negotiates. Calling it again returns the same
   * promise. Resolves at the first `connected`; rejects with {@link CallEndedError} if the call ends first.
   * An ignored rejection is never reported as unhandled: the `ended` event is the primary channel.
   */
  start(): Promise<void> {
    if (this.#startPromise) return this.#startPromise;
    const promise = new Promise<void>((resolve, reject) => {
      this.#settleStart = { resolve, reject };
    });
    promise.catch(() => {});
    this.#startPromise = promise;
    if (this.#summary) {
      this.#rejectStart(this.#summary);
      return promise;
    }
    this.#startedAt = this.#options.clock.now();
    this.#subscribeSignaling();
    // A channel that cannot subscribe, or that delivers an ending event synchronously, has ended the call.
    if (this.#summary) return promise;
    this.#listenForPageHide();
    this.#callTimers.armConnect();
    if (!this.#transition('starting')) return promise;
    void this.#acquireAndConnect();
    return promise;
  }

  /** Local hang-up: sends `bye` to the peer and tears down with `'hangup'`. */
  end(): EndSummary {
    return this.teardown('hangup');
  }

  /**
   * The one exit path. Synchronous and complete before it returns: the state is `ended`, a `bye` is sent
   * for a locally caused end, every timer is cleared, every owned track stopped, the peer connection
   * detached and closed, the candidate queue emptied, the signaling subscription and DOM listeners
   * removed; then `stateChange('ended')` and `ended(summary)` are emitted once and all listeners removed.
   * Idempotent: later calls return the first summary and do nothing else. Never throws.
   *
   * @param reason why the call ends
   * @param error the cause, if any (becomes `summary.error`)
   */
  teardown(reason: EndReason, error?: unknown): EndSummary {
    if (this.#summary) return this.#summary;
    // 1. Ended first, so anything re-entering from a listener, timer or handler is a no-op.
    const previous = this.#state;
    this.#state = 'ended';
    const endedAt = this.#options.clock.now();
    const summary: EndSummary = {
      reason,
      ...(error !== undefined && { error }),
      ...(this.#startedAt !== undefined && { startedAt: this.#startedAt }),
      ...(this.#connectedAt !== undefined && { connectedAt: this.#connectedAt }),
      endedAt,
      durationMs: this.#connectedAt === undefined ? 0 : Math.max(0, endedAt - this.#connectedAt),
    };
    this.#summary = summary;
    const problems: HangupError[] = [];
    // A step returns the failures it collected itself (one per track, say) or throws one.
    const attempt = (step: string, work: () => unknown): void => {
      try {
        const failures = work();
        if (!Array.isArray(failures)) return;
        for (const failure of failures) problems.push(HangupError.teardownStepFailed(step, failure));
      } catch (failure) {
        problems.push(HangupError.teardownStepFailed(step, failure));
      }
    };
    // 2. Tell the peer, while the channel is still ours.
    if (this.#startedAt !== undefined && LOCALLY_CAUSED_END_REASONS.has(reason)) {
      attempt('send bye', () => this.#sendUnchecked({ type: 'bye', reason }));
      // Second path: lossy signaling cannot keep the peer waiting for ICE to time out.
      attempt('send bye over the data channel', () =>
        this.#link?.sendControl(this.#stamp({ type: 'bye', reason })),
      );
    }
    // 3. Release everything. Each step runs whatever the others did.
    attempt('clear timers', () => this.#timers.clearAll());
    attempt('stop screen share', () => this.#screen.release());
    attempt('stop tracks', () => this.#media.release());
    attempt('detach data channel', () => this.#link?.detach());
    attempt('close peer connection', () => this.#releasePeerConnection());
    // After the peer connection: its close() flushes a bye just sent, a channel close first would not.
    attempt('close data channel', () => this.#link?.close());
    attempt('empty candidate queue', () => {
      this.#candidates.clear();
      this.#earlyDescriptions = [];
    });
    attempt('unsubscribe signaling', () => this.#releaseSignaling());
    attempt('remove DOM listeners', () => this.#releasePageHide());
    this.#localStream = undefined;
    this.#remoteStream = undefined;
    // 4 and 5. Report, announce once, settle the promises, let go of every listener.
    this.#finalEmissions = true;
    for (const problem of problems) this.#emit('error', problem);
    this.#emit('stateChange', 'ended', previous);
    this.#emit('ended', summary);
    this.#notifySnapshot();
    this.#finalEmissions = false;
    this.#resolveEnded(summary);
    this.#rejectStart(summary);
    this.removeAllListeners();
    this.#snapshotListeners.clear();
    this.#options.logger.info(`call ${this.id} ended: ${reason}`);
    return summary;
  }

  /**
   * Mutes or unmutes local tracks of a kind (`track.enabled`; the track keeps running) and tells the peer.
   * @throws TypeError when `kind` is not `'audio'` or `'video'`.
   */
  setMuted(kind: 'audio' | 'video', muted: boolean): void {
    assertKind(kind);
    if (this.#summary) return;
    this.#muted[kind] = Boolean(muted);
    this.#applyMute(kind);
    if (this.#startedAt !== undefined) this.#send({ type: 'mute', kind, muted: this.#muted[kind] });
  }

  /**
   * Whether local tracks of a kind are muted.
   * @throws TypeError when `kind` is not `'audio'` or `'video'`.
   */
  isMuted(kind: 'audio' | 'video'): boolean {
    assertKind(kind);
    return this.#muted[kind];
  }

  /**
   * Switches the local audio or video to another device. The new track is acquired, swapped into
   * `localStream` (the same `MediaStream` object; `localStream` is emitted again), put on the sender with
   * `replaceTrack`, and then the old track is stopped. The new track keeps the mute state. Overlapping
   * switches of a kind resolve to the last one; earlier ones stop their track and resolve. While the screen
   * is shared, a video switch changes the camera that comes back when sharing stops.
   * @param deviceIdOrConstraints a `deviceId` (matched exactly) or `MediaTrackConstraints`
   * @throws (rejects) MediaAcquisitionError when the device cannot be acquired; the old track keeps going.
   * @throws (rejects) CallEndedError after the end, or when the call ends during the switch (the new
   * track is then stopped on arrival).
   * @throws (rejects) TypeError for a bad argument, or before the call's local media is in place (state
   * `connecting` or later).
   */
  switchDevice(kind: 'audio' | 'video', deviceIdOrConstraints: DeviceRequest): Promise<void> {
    try {
      assertKind(kind);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#devices.switch(kind, deviceIdOrConstraints);
  }

  /**
   * Sends the screen instead of the camera (`getDisplayMedia`); the screen track also replaces the video
   * of `localStream`. When the user stops sharing from the browser's own control, the camera comes back.
   * A call while sharing is starting returns the same promise; while sharing, it resolves at once.
   * @throws (rejects) MediaAcquisitionError when the user cancels the picker or capture fails.
   * @throws (rejects) TypeError when the runtime has no `getDisplayMedia`, or before the call's local media
   * is in place (state `connecting` or later).
   * @throws (rejects) CallEndedError after the end (a screen track arriving after it is stopped at once).
   */
  startScreenShare(options?: DisplayMediaStreamOptions): Promise<void> {
    return this.#screen.start(options);
  }

  /**
   * Stops sharing the screen and sends the camera again; resolves once the camera is on the sender.
   * Does nothing when not sharing; cancels a share still waiting for the picker.
   */
  stopScreenShare(): Promise<void> {
    return this.#screen.stop();
  }

  /** Whether the screen is being sent. */
  get isScreenSharing(): boolean {
    return this.#screen.active;
  }

  /**
   * Sends application data to the peer over the session's data channel (the `message` event there).
   * Before the channel opens, up to 256 messages / 1 MiB wait in a queue, sent in order at open.
   * @throws CallEndedError after the end.
   * @throws HangupError `DATA_CHANNEL` when the queue is full, the channel is closed or disabled
   * (`dataChannel: false`), or it refuses the message.
   * @throws TypeError for data that is neither a string nor an `ArrayBuffer`.
   */
  send(data: string | ArrayBuffer): void {
    if (this.#summary) throw new CallEndedError(this.#summary);
    if (!this.#link) {
      throw new HangupError('DATA_CHANNEL', 'the data channel is disabled (options.dataChannel is false)');
    }
    this.#link.send(data);
  }

  /**
   * A summary of the call's statistics: round-trip time and candidate type of the selected pair, RTP
   * bitrates since the previous summary (`getStats()` and the `quality` event share the baseline), and the
   * inbound loss ratio. `{}` before the peer connection exists.
   * @throws (rejects) CallEndedError after the end.
   */
  async getStats(): Promise<CallStats> {
    if (this.#summary) throw new CallEndedError(this.#summary);
    const pc = this.#pc;
    if (!pc) return {};
    let report: RTCStatsReport;
    try {
      report = await pc.getStats();
    } catch (error) {
      // A runtime may reject a pending getStats() when teardown closes the connection: that is the end.
      if (this.#summary) throw new CallEndedError(this.#summary);
      throw error;
    }
    if (this.#summary) throw new CallEndedError(this.#summary);
    return this.#stats.summarize(report);
  }

  /** What the session still holds. All zero / false once it has ended. */
  liveResources(): LiveResources {
    return {
      tracks: this.#media.trackCount,
      // The session's data channels belong to the peer connection and are counted with it.
      peerConnection: this.#pc !== undefined || this.#link?.held === true,
      timers: this.#timers.size,
      signalingSubscribed: this.#unsubscribe !== undefined,
      domListeners: this.#removePageHide ? 1 : 0,
      queuedCandidates: this.#candidates.size,
      pendingAcquisitions: this.#media.pendingCount,
    };
  }

  /**
   * Subscribes to any change of {@link CallSession.getSnapshot}; returns the unsubscribe function. Meant for
   * `useSyncExternalStore` and other UI bindings.
   */
  subscribe(onChange: () => void): () => void {
    if (this.#summary) return () => {};
    this.#snapshotListeners.add(onChange);
    return () => {
      this.#snapshotListeners.delete(onChange);
    };
  }

  /** An immutable picture of the session; the same object until something changes. */
  getSnapshot(): CallSnapshot {
    if (!this.#snapshot) {
      this.#snapshot = Object.freeze({
        state: this.#state,
        localStream: this.#localStream,
        remoteStream: this.#remoteStream,
        elapsedMs: this.elapsedMs,
        remainingMs: this.remainingMs,
        endReason: this.endReason,
      });
    }
    return this.#snapshot;
  }

  // ——— lifecycle ———

  async #acquireAndConnect(): Promise<void> {
    // The acquisition is asked for first and the peer connection built while it runs: constructing one is
    // a blocking call of a millisecond or so in @roamhq/wrtc, which then overlaps the camera's start
    // instead of following it. Nothing is negotiated before the tracks are in (see #connectMedia).
    const acquisition = this.#obtainLocalMedia();
    acquisition.catch(() => {});
    let pc: RTCPeerConnection;
    try {
      pc = this.#createPeerConnection();
    } catch (error) {
      // What the acquisition still brings is stopped on arrival: the media owner is released by teardown.
      this.teardown('error', error);
      return;
    }
    let stream: MediaStream | undefined;
    try {
      stream = await acquisition;
    } catch (error) {
      this.teardown('media-error', new MediaAcquisitionError('local media', error));
      return;
    }
    // Ended while acquiring: the media owner has already stopped whatever arrived.
    if (this.#summary) return;
    try {
      if (stream) {
        this.#localStream = stream;
        // Freshly acquired tracks are enabled, so only a mute set before start() needs applying; a handed-in
        // stream may carry disabled tracks and is always aligned. Skipping the no-op matters on
        // @roamhq/wrtc, where each track list and `enabled` write is a synchronous native call on the
        // path to the first offer.
        const { media } = this.#options;
        const handedIn = media !== false && isMediaStream(media);
        if (handedIn || this.#muted.audio) this.#applyMute('audio');
        if (handedIn || this.#muted.video) this.#applyMute('video');
        this.#emit('localStream', stream);
        this.#notifySnapshot();
      }
      if (!this.#transition('connecting')) return;
      this.#connectMedia(pc, stream);
    } catch (error) {
      this.teardown('error', error);
    }
  }

  async #obtainLocalMedia(): Promise<MediaStream | undefined> {
    const { media, runtime } = this.#options;
    if (media === false) return undefined;
    if (isMediaStream(media)) return this.#options.stopProvidedStream ? media : ownCopyOf(media);
    const { stream, videoError } = await acquireWithAudioFallback(
      this.#media,
      (constraints) => runtime.getUserMedia(constraints),
      media,
      this.#options.fallbackToAudioOnly,
      this.#options.logger,
    );
    if (videoError !== undefined && !this.#summary) {
      this.#emit('error', new MediaAcquisitionError('the camera (going on audio-only)', videoError));
    }
    return stream;
  }

  /** Builds the peer connection and wires its events; negotiation starts with {@link #connectMedia}. */
  #createPeerConnection(): RTCPeerConnection {
    const { runtime, rtcConfiguration } = this.#options;
    const pc = new runtime.RTCPeerConnection(rtcConfiguration);
    this.#pc = pc;
    attachPeerConnection(pc, {
      // Nothing is added before #connectMedia creates the negotiation, so nothing is lost here.
      negotiationNeeded: () => this.#negotiation?.negotiationNeeded(),
      iceCandidate: (candidate) => {
        this.#send({ type: 'candidate', candidate: candidate ? candidateToJson(candidate) : null });
      },
      track: (event) => this.#onRemoteTrack(event),
      connectionState: (state) => this.#onConnectionState(state),
    });
    return pc;
  }

  /**
   * Adds the local tracks (or receive-only transceivers) and the session's data channels, then starts
   * negotiating: descriptions that arrived while media was being acquired are applied now, so the answer
   * carries the tracks, and the impolite side makes the first offer.
   */
  #connectMedia(pc: RTCPeerConnection, stream: MediaStream | undefined): void {
    const { polite, logger } = this.#options;
    // The offering (impolite) side needs its channels in the first offer, for its data section. The
    // answering side creates its own right after its first answer has gone out: the answer accepts that
    // section either way, the channels still exist long before the association opens (after ICE and DTLS),
    // and two blocking createDataChannel calls leave the path between offer and answer.
    let linkWaitsForAnswer = polite && this.#link !== undefined;
    this.#negotiation = new PerfectNegotiation({
      pc,
      polite,
      logger,
      candidates: this.#candidates,
      send: (message) => {
        this.#send(message);
        if (linkWaitsForAnswer && message.type === 'description') {
          linkWaitsForAnswer = false;
          // An error listener may have ended the call while the answer was sent.
          if (this.#summary) return;
          try {
            this.#link?.attach(pc);
          } catch (error) {
            // As on the offering side, where the same failure ends the call from #connectMedia.
            this.teardown('error', error);
          }
        }
      },
      report: (error) => this.#emit('error', error),
    });
    if (stream) {
      for (const track of stream.getTracks()) pc.addTrack(track, stream);
    } else {
      pc.addTransceiver('audio', { direction: 'recvonly' });
      pc.addTransceiver('video', { direction: 'recvonly' });
    }
    if (!linkWaitsForAnswer) this.#link?.attach(pc);
    const early = this.#earlyDescriptions;
    this.#earlyDescriptions = [];
    for (const description of early) this.#negotiation.receiveDescription(description);
    this.#negotiation.offerFirst();
  }

  #onRemoteTrack(event: RTCTrackEvent): void {
    if (this.#summary) return;
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
    this.#emit('remoteStream', this.#remoteStream);
    this.#notifySnapshot();
  }

  #onConnectionState(state: RTCPeerConnectionState): void {
    if (this.#summary) return;
    this.#options.logger.debug(`connection state ${state}`);
    switch (state) {
      case 'connected':
        this.#onConnected();
        break;
      case 'disconnected':
        this.#ice.disconnected();
        break;
      case 'failed':
        this.#ice.failed();
        break;
      case 'closed':
        this.teardown(
          'error',
          new HangupError('NEGOTIATION_FAILED', 'the peer connection closed unexpectedly'),
        );
        break;
      default:
        break;
    }
  }

  #onConnected(): void {
    // Runtimes may report `connected` several times in a row (@roamhq/wrtc does): only transitions count.
    if (this.#state === 'connecting') {
      this.#connectedAt = this.#options.clock.now();
      this.#callTimers.disarmConnect();
      if (!this.#transition('connected')) return;
      this.#callTimers.startCall(this.#connectedAt);
      // Mute set before the call connected has not been announced yet.
      if (this.#muted.audio || this.#muted.video) this.#sendMuteState();
      this.#settleStart?.resolve();
      this.#settleStart = undefined;
      this.#emit('connected');
    } else if (this.#state === 'reconnecting') {
      this.#ice.recovered();
      if (!this.#transition('connected')) return;
      this.#emit('connected');
      // The peer may have missed mute changes while the path was down: send the full state.
      this.#sendMuteState();
    }
  }

  // ——— signaling ———

  #subscribeSignaling(): void {
    try {
      const unsubscribe = this.#options.signaling.subscribe((event) => this.#onSignalingEvent(event));
      if (!this.#summary) {
        this.#unsubscribe = unsubscribe;
        return;
      }
      // The adapter ended the call from inside subscribe(): teardown ran before there was anything to drop.
      try {
        unsubscribe();
      } catch (error) {
        this.#options.logger.debug('unsubscribe after an end inside subscribe() failed', error);
      }
    } catch (error) {
      // Without a channel the call can never connect.
      this.#signalingClosed = true;
      this.teardown('signaling-closed', error);
    }
  }

  /** @param via where it came from: negotiation messages are accepted from signaling only. */
  #onSignalingEvent(event: SignalingEvent, via: MessagePath = 'signaling'): void {
    if (this.#summary) return;
    // Nothing may throw back into the adapter: an internal failure ends this call, not the app.
    try {
      switch (event?.type) {
        case 'message':
          this.#onMessage(event.data, via);
          break;
        case 'peer-left':
          this.teardown('peer-left');
          break;
        case 'finalize':
          this.teardown('finalized');
          break;
        case 'closed':
          this.#onSignalingClosed(event.error);
          break;
        default:
          this.#options.logger.debug('unknown signaling event ignored');
      }
    } catch (error) {
      this.teardown('error', error);
    }
  }

  #onMessage(data: unknown, via: MessagePath): void {
    let message: SignalMessage;
    try {
      message = parseSignalMessage(data);
    } catch (error) {
      this.#emit(
        'error',
        isHangupError(error) ? error : new InvalidSignalError('unreadable', { cause: error }),
      );
      return;
    }
    const { callId, logger } = this.#options;
    if (callId !== undefined && message.callId !== undefined && message.callId !== callId) {
      logger.debug(`message of another call (${message.callId}) dropped`);
      return;
    }
    if (via === 'data channel' && message.type !== 'bye' && message.type !== 'mute') {
      this.#emit(
        'error',
        new InvalidSignalError(`a '${message.type}' message is not accepted on the data channel`),
      );
      return;
    }
    switch (message.type) {
      case 'bye':
        this.teardown('remote-hangup');
        return;
      case 'mute':
        if (this.#remoteMuted[message.kind] === message.muted) return;
        this.#remoteMuted[message.kind] = message.muted;
        this.#emit('remoteMute', { kind: message.kind, muted: message.muted });
        return;
      case 'description':
        logger.debug(`remote ${message.description.type}`, message.description.sdp);
        // A renegotiation of a live call (an ICE restart, say), offer or answer: each side re-sends its mute
        // state so that neither can drift.
        if (this.#state === 'connected') this.#sendMuteState();
        if (this.#negotiation) this.#negotiation.receiveDescription(message.description);
        else this.#holdEarlyDescription(message.description);
        return;
      case 'candidate':
        logger.debug('remote candidate', message.candidate);
        if (this.#negotiation) this.#negotiation.receiveCandidate(message.candidate);
        // Before negotiation starts a candidate can only wait (there is no remote description).
        else if (message.candidate) {
          fileRemoteCandidate(
            this.#candidates,
            message.candidate,
            (error) => this.#emit('error', error),
            logger,
          );
        }
        return;
    }
  }

  #holdEarlyDescription(description: SignalDescription): void {
    if (this.#earlyDescriptions.length >= MAX_EARLY_DESCRIPTIONS) {
      this.#emit(
        'error',
        HangupError.negotiationFailed('hold early description', new Error('too many descriptions')),
      );
      return;
    }
    this.#earlyDescriptions.push(description);
  }

  #onSignalingClosed(cause: unknown): void {
    this.#signalingClosed = true;
    // Only an ICE restart under way needs signaling; it ends the call when it finds the channel closed.
    if (this.#ice.survivesSignalingLoss()) {
      this.#emit('error', HangupError.signalingClosed(cause));
      return;
    }
    this.teardown('signaling-closed', cause);
  }

  /** What the session's pieces (call timers, ICE recovery) need from it: one object for all. */
  #sessionPort(): CallTimersHost & IceRecoveryHost {
    return {
      state: () => this.#state,
      end: (reason: EndReason, error?: unknown) => void this.teardown(reason, error),
      toReconnecting: () => this.#transition('reconnecting'),
      reconnecting: (attempt) => this.#emit('reconnecting', attempt),
      restart: () => this.#negotiation?.restartIce(),
      signalingClosed: () => this.#signalingClosed,
      tick: () => {
        this.#notifySnapshot();
        this.#emit('tick', { elapsedMs: this.elapsedMs, remainingMs: this.remainingMs });
      },
      expiring: () => this.#emit('expiring', { remainingMs: this.remainingMs ?? 0 }),
      getStats: () => this.getStats(),
      quality: (stats) => {
        if (this.#state === 'connected') this.#emit('quality', stats);
      },
    };
  }

  /** Sends, reporting failure as an `error` event (never throwing). */
  #send(message: SignalMessage): void {
    if (this.#summary) return;
    for (const failure of this.#sendUnchecked(message)) {
      this.#emit('error', HangupError.sendFailed(message.type, failure));
    }
  }

  /** Sends; returns a synchronous failure; an asynchronous one is reported if the call is still alive. */
  #sendUnchecked(message: SignalMessage): unknown[] {
    const { signaling, logger } = this.#options;
    try {
      const pending = signaling.send(this.#stamp(message));
      if (pending && typeof (pending as Promise<void>).then === 'function') {
        (pending as Promise<void>).then(undefined, (error: unknown) => {
          if (this.#summary) logger.debug(`send of '${message.type}' failed after the end`, error);
          else this.#emit('error', HangupError.sendFailed(message.type, error));
        });
      }
      return [];
    } catch (error) {
      return [error];
    }
  }

  // ——— media controls ———

  #mediaControlContext(): MediaControlContext {
    return {
      owner: this.#media,
      runtime: this.#options.runtime,
      logger: this.#options.logger,
      // Media controls need the tracks on the connection: it exists from `starting` on, but its senders only
      // once #connectMedia has run (and created the negotiation).
      peerConnection: () => (this.#negotiation ? this.#pc : undefined),
      localStream: () => this.#localStream,
      publishLocalStream: (stream) => {
        if (this.#summary) return;
        this.#localStream = stream;
        this.#emit('localStream', stream);
        this.#notifySnapshot();
      },
      isMuted: (kind) => this.#muted[kind],
      endedError: () => (this.#summary ? new CallEndedError(this.#summary) : undefined),
      report: (error) => this.#emit('error', error),
    };
  }

  #createDataChannelLink(): DataChannelLink {
    return new DataChannelLink({
      logger: this.#options.logger,
      message: (data) => this.#emit('message', data),
      // A bye (or mute) over the channel is validated and handled exactly like one over signaling (only
      // those two types are accepted there); the second copy of a bye finds the session ended.
      control: (data) => this.#onSignalingEvent({ type: 'message', data }, 'data channel'),
      closedByPeer: () => {
        if (this.#state !== 'connected' && this.#state !== 'reconnecting') return;
        // The peer's bye may still be in flight: on signaling, or (in @roamhq/wrtc) on the channel itself,
        // whose close event can overtake its last message. Give it a moment before calling it peer-left;
        // that is still far sooner than ICE noticing (seconds).
        this.#timers.set('peer-close', PEER_CLOSE_GRACE_MS, () => this.teardown('peer-left'));
      },
    });
  }

  /** Sends both kinds' mute state, so a peer that missed a change converges (it emits on change only). */
  #sendMuteState(): void {
    for (const kind of ['audio', 'video'] as const)
      this.#send({ type: 'mute', kind, muted: this.#muted[kind] });
  }

  /** The message with this call's `callId`, when it has one. */
  #stamp(message: SignalMessage): SignalMessage {
    const { callId } = this.#options;
    return callId === undefined ? message : { ...message, callId };
  }

  // ——— release ———

  #releasePeerConnection(): unknown[] {
    this.#negotiation?.dispose();
    this.#negotiation = undefined;
    const pc = this.#pc;
    // Dropped first: @roamhq/wrtc can crash at exit while closed connections are still reachable.
    this.#pc = undefined;
    return pc ? closePeerConnection(pc) : [];
  }

  #releaseSignaling(): void {
    const unsubscribe = this.#unsubscribe;
    this.#unsubscribe = undefined;
    unsubscribe?.();
  }

  #listenForPageHide(): void {
    if (this.#options.endOnPageHide) this.#removePageHide = onPageHide(() => this.teardown('page-hide'));
  }

  #releasePageHide(): void {
    const remove = this.#removePageHide;
    this.#removePageHide = undefined;
    remove?.();
  }

  // ——— state and events ———

  /** Moves along the transition table; returns false when the session ended meanwhile (or on a bug). */
  #transition(to: CallState): boolean {
    const from = this.#state;
    if (!canTransition(from, to) || to === 'ended') {
      if (from !== 'ended') this.#options.logger.error(`illegal transition ${from} -> ${to} ignored (a bug)`);
      return false;
    }
    this.#state = to;
    this.#emit('stateChange', to, from);
    this.#notifySnapshot();
    return !this.#summary;
  }

  /**
   * The inherited `emit`, made as safe as the session's own: listeners run in isolation (a throwing one is
   * re-thrown in a later macrotask) and nothing is delivered after the end.
   * @returns whether the event had listeners
   */
  override emit<E extends EventEmitter.EventNames<CallSessionEvents>>(
    event: E,
    ...args: EventEmitter.EventArgs<CallSessionEvents, E>
  ): boolean {
    if (this.#summary && !this.#finalEmissions) return false;
    return safeEmit(this as EventEmitter, event, args);
  }

  /** Emits one of the session's events (see {@link CallSession.emit}). */
  #emit<E extends keyof CallSessionEvents>(
    event: E,
    ...args: EventEmitter.EventArgs<CallSessionEvents, E>
  ): void {
    this.emit(event, ...args);
  }

  #notifySnapshot(): void {
    this.#snapshot = undefined;
    if (this.#summary && !this.#finalEmissions) return;
    for (const listener of [...this.#snapshotListeners]) {
      try {
        listener();
      } catch (error) {
        rethrowLater(error);
      }
    }
  }

  #applyMute(kind: 'audio' | 'video'): void {
    const tracks =
      kind === 'audio' ? this.#localStream?.getAudioTracks() : this.#localStream?.getVideoTracks();
    for (const track of tracks ?? []) track.enabled = !this.#muted[kind];
  }

  #rejectStart(summary: EndSummary): void {
    const settle = this.#settleStart;
    this.#settleStart = undefined;
    settle?.reject(new CallEndedError(summary));
  }
}

/**
 * A stream of the session's own holding the app's tracks. With `stopProvidedStream: false` the app keeps its
 * stream, so a device switch or screen share must swap tracks in a copy, never in the app's object (or the
 * app would lose the reference to a camera track it must stop itself). Built with the stream's own class, so
 * it works for browser, @roamhq/wrtc and fake streams alike; where that fails, the app's stream is used.
 */
function ownCopyOf(stream: MediaStream): MediaStream {
  try {
    const StreamClass = stream.constructor as new (tracks: MediaStreamTrack[]) => MediaStream;
    const copy = new StreamClass(stream.getTracks());
    if (copy.getTracks().length === stream.getTracks().length) return copy;
  } catch {
    // Fall through: a runtime whose streams cannot be built from tracks.
  }
  return stream;
}

function isMediaStream(media: MediaStreamConstraints | MediaStream): media is MediaStream {
  return typeof (media as MediaStream).getTracks === 'function';
}

function assertKind(kind: unknown): asserts kind is 'audio' | 'video' {
  if (kind !== 'audio' && kind !== 'video') {
    throw new TypeError(`kind must be 'audio' or 'video' (got ${String(kind)})`);
  }
}
