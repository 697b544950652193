import { CallEndedError } from './errors/CallEndedError.js';
import { HangupError } from './errors/HangupError.js';
import { MediaAcquisitionError } from './errors/MediaAcquisitionError.js';
import { type DeviceRequest, DeviceSwitch } from './media/DeviceSwitch.js';
import { isMediaStream, obtainLocalMedia } from './media/localMedia.js';
import { MediaOwner } from './media/MediaOwner.js';
import { MuteSync } from './media/MuteSync.js';
import type { MediaHost } from './media/mediaHost.js';
import { ScreenShare } from './media/ScreenShare.js';
import { StatsSampler } from './media/StatsSampler.js';
import type { EndReason, EndSummary } from './model/endReason.js';
import { LOCALLY_CAUSED_END_REASONS } from './model/endReason.js';
import type { CallSnapshot, CallStats, LiveResources } from './model/events.js';
import type { CallState } from './model/states.js';
import { canTransition } from './model/states.js';
import { PeerLink } from './peer/PeerLink.js';
import { CallTimers } from './session/CallTimers.js';
import { IceRecovery } from './session/IceRecovery.js';
import type { CallSessionOptions, ResolvedOptions } from './session/options.js';
import { resolveOptions } from './session/options.js';
import { onPageHide } from './session/pageHide.js';
import { SessionEmitter } from './session/SessionEmitter.js';
import { SilentPathWatch } from './session/SilentPathWatch.js';
import { type SessionHost, sessionHosts } from './session/sessionHosts.js';
import { SignalingLink } from './signaling/SignalingLink.js';
import { randomId } from './util/randomId.js';
import { TimerSet } from './util/TimerSet.js';

/**
 * One one-to-one WebRTC call. It owns the local media, the `RTCPeerConnection`, every timer, the
 * ICE-candidate queue and the signaling subscription, and every way the call can end goes through
 * {@link CallSession.teardown}: synchronous, idempotent, and complete before it returns.
 *
 * The class only coordinates: the signaling link, the peer link, mute sync, media controls, call timers and
 * ICE recovery each own their piece, and teardown closes them in the order written in `docs/teardown.md`.
 *
 * @example
 * ```ts
 * const session = new CallSession({ signaling: () => new WebSocketSignaling({ url, room }), polite: true });
 * session.on('remoteStream', (stream) => { video.srcObject = stream; });
 * session.on('ended', ({ reason }) => showEndedScreen(reason));
 * await session.start();
 * hangUpButton.onclick = () => session.end();
 * ```
 */
export class CallSession extends SessionEmitter {
  /** Random per session; useful in logs. */
  readonly id: string;
  /** Resolves once with the summary when the call ends; never rejects. */
  readonly ended: Promise<EndSummary>;

  readonly #options: ResolvedOptions;
  readonly #timers: TimerSet;
  readonly #media = new MediaOwner();
  readonly #resolveEnded: (summary: EndSummary) => void;
  readonly #stats = new StatsSampler();
  readonly #signaling: SignalingLink;
  readonly #peer: PeerLink;
  readonly #mute: MuteSync;
  readonly #callTimers: CallTimers;
  readonly #ice: IceRecovery;
  readonly #watch: SilentPathWatch;
  readonly #screen: ScreenShare;
  readonly #devices: DeviceSwitch;

  #state: CallState = 'idle';
  #summary: EndSummary | undefined;
  #startPromise: Promise<void> | undefined;
  #settleStart: { resolve(): void; reject(error: unknown): void } | undefined;
  #startedAt: number | undefined;
  #connectedAt: number | undefined;
  #localStream: MediaStream | undefined;
  #removePageHide: (() => void) | undefined;
  #snapshot: CallSnapshot | undefined;

  /**
   * @throws TypeError for invalid options (missing signaling, negative durations, no WebRTC runtime), with
   * a message that says how to fix it.
   */
  constructor(options: CallSessionOptions) {
    super();
    this.#options = resolveOptions(options);
    this.#timers = new TimerSet(this.#options.clock);
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
    const hosts = sessionHosts(this.#sessionHost());
    this.#signaling = new SignalingLink(this.#options, hosts.signaling);
    this.#peer = new PeerLink(this.#options, hosts.peer);
    this.#mute = new MuteSync(this.#timers, this.#options.clock, hosts.mute);
    this.#callTimers = new CallTimers(this.#timers, this.#options, hosts.timers);
    this.#ice = new IceRecovery(this.#timers, this.#options, hosts.timers);
    const { clock, maxIceRestarts } = this.#options;
    this.#watch = new SilentPathWatch(this.#timers, () => clock.now(), maxIceRestarts, hosts.watch);
    const mediaHost: MediaHost = { ...hosts.media, owner: this.#media };
    this.#screen = new ScreenShare(mediaHost);
    this.#devices = new DeviceSwitch(mediaHost, this.#screen);
    // Bound, so `const { subscribe, getSnapshot } = session` works (useSyncExternalStore passes them around).
    this.subscribe = this.subscribe.bind(this);
    this.getSnapshot = this.getSnapshot.bind(this);
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
    return this.#peer.remoteStream;
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
   * Starts the call: subscribes to signaling (creating the adapter first when `signaling` is a function),
   * acquires media, negotiates. Calling it again returns the same promise. Resolves at the first
   * `connected`; rejects with {@link CallEndedError} if the call ends first. An ignored rejection is never
   * reported as unhandled: the `ended` event is the primary channel.
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
    try {
      this.#signaling.open();
    } catch (error) {
      // Without a channel the call can never connect.
      this.teardown('signaling-closed', error);
    }
    // A channel that cannot subscribe, or that delivers an ending event synchronously, has ended the call.
    if (this.#summary) return promise;
    if (this.#options.endOnPageHide) this.#removePageHide = onPageHide(() => this.teardown('page-hide'));
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
   * The one exit path: synchronous and complete before it returns, idempotent (later calls return the first
   * summary), never throws. Its steps and their order are written in one place,
   * [docs/teardown.md](../docs/teardown.md#the-order-as-implemented).
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
    this.silence();
    const problems: HangupError[] = [];
    // Each step returns the failures it collected (one per track, say) or throws one; none stops the others.
    const attempt = (step: string, work: () => unknown): void => {
      try {
        const failures = work();
        if (!Array.isArray(failures)) return;
        for (const failure of failures) problems.push(HangupError.teardownStepFailed(step, failure));
      } catch (failure) {
        problems.push(HangupError.teardownStepFailed(step, failure));
      }
    };
    // 2. Tell the peer, while the channel is still ours; the data channel is the second path.
    if (this.#startedAt !== undefined && LOCALLY_CAUSED_END_REASONS.has(reason)) {
      const bye = { type: 'bye', reason } as const;
      attempt('send bye', () => this.#signaling.sendFinal(bye));
      attempt('send bye over the data channel', () => this.#peer.sendControl(this.#signaling.stamp(bye)));
    }
    // 3. Release everything, in the order of docs/teardown.md.
    attempt('clear timers', () => this.#timers.clearAll());
    attempt('stop mute sync', () => this.#mute.close());
    attempt('stop screen share', () => this.#screen.release());
    attempt('stop tracks', () => this.#media.release());
    attempt('close peer connection', () => this.#peer.close());
    attempt('unsubscribe signaling', () => this.#signaling.close());
    attempt('remove DOM listeners', () => this.#releasePageHide());
    this.#localStream = undefined;
    // 4 and 5. Report, announce once, let go of every listener, settle the promises.
    this.emitFinal(() => {
      for (const problem of problems) this.emit('error', problem);
      this.emit('stateChange', 'ended', previous);
      this.emit('ended', summary);
      this.#changed();
    });
    this.#resolveEnded(summary);
    this.#rejectStart(summary);
    this.#options.logger.info(`call ${this.id} ended: ${reason}`);
    return summary;
  }

  /**
   * Mutes or unmutes local tracks of a kind (`track.enabled`; the track keeps running) and tells the peer.
   * @throws TypeError when `kind` is not `'audio'` or `'video'`.
   */
  setMuted(kind: 'audio' | 'video', muted: boolean): void {
    assertKind(kind);
    if (!this.#summary) this.#mute.set(kind, Boolean(muted));
  }

  /**
   * Whether local tracks of a kind are muted.
   * @throws TypeError when `kind` is not `'audio'` or `'video'`.
   */
  isMuted(kind: 'audio' | 'video'): boolean {
    assertKind(kind);
    return this.#mute.isMuted(kind);
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
   * track is then stopped).
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
   * @throws (rejects) MediaAcquisitionError when the user cancels the picker, capture fails, or the
   * sender refuses the track.
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
   * @throws (rejects) MediaAcquisitionError when the sender refused the camera (`replaceTrack`; `cause` is
   * its error): the screen stays on the sender and `isScreenSharing` stays true, so a later call can retry.
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
    if (!this.#peer.hasChannels) {
      throw new HangupError('DATA_CHANNEL', 'the data channel is disabled (options.dataChannel is false)');
    }
    this.#peer.send(data);
  }

  /**
   * A summary of the call's statistics: round-trip time and candidate type of the selected pair, RTP
   * bitrates since the previous summary (`getStats()` and the `quality` event share the baseline), and the
   * inbound loss ratio. `{}` before the peer connection exists.
   * @throws (rejects) CallEndedError after the end.
   */
  getStats(): Promise<CallStats> {
    return this.#sampleStats();
  }

  /** A stats summary; with `maxAgeMs`, over a read shared with the session's other periodic reader. */
  #sampleStats(maxAgeMs?: number): Promise<CallStats> {
    return this.#stats.sample(
      this.#peer.stats(maxAgeMs),
      () => this.#summary && new CallEndedError(this.#summary),
    );
  }

  /** What the session still holds. All zero / false once it has ended. */
  liveResources(): LiveResources {
    return {
      tracks: this.#media.trackCount,
      // The session's data channels belong to the peer connection and are counted with it.
      peerConnection: this.#peer.held,
      timers: this.#timers.size,
      signalingSubscribed: this.#signaling.subscribed,
      domListeners: this.#removePageHide ? 1 : 0,
      queuedCandidates: this.#peer.queuedCandidates,
      pendingAcquisitions: this.#media.pendingCount,
    };
  }

  /** An immutable picture of the session; the same object until something changes. Bound to the session. */
  getSnapshot(): CallSnapshot {
    this.#snapshot ??= Object.freeze({
      state: this.#state,
      localStream: this.#localStream,
      remoteStream: this.#peer.remoteStream,
      elapsedMs: this.elapsedMs,
      remainingMs: this.remainingMs,
      endReason: this.endReason,
      muted: Object.freeze({ audio: this.#mute.isMuted('audio'), video: this.#mute.isMuted('video') }),
      remoteMuted: Object.freeze({
        audio: this.#mute.isRemoteMuted('audio'),
        video: this.#mute.isRemoteMuted('video'),
      }),
      screenSharing: this.#screen.active,
    });
    return this.#snapshot;
  }

  // ——— lifecycle ———

  async #acquireAndConnect(): Promise<void> {
    // The acquisition is asked for first and the peer connection built while it runs: constructing one is
    // a blocking call of a millisecond or so in @roamhq/wrtc, which then overlaps the camera's start
    // instead of following it. The negotiation built with it waits until the tracks are in.
    const acquisition = obtainLocalMedia(this.#options, this.#media);
    acquisition.catch(() => {});
    try {
      this.#peer.open();
      // Messages an adapter delivered from inside subscribe() can go to the negotiation's line now.
      this.#signaling.release();
    } catch (error) {
      // What the acquisition still brings is stopped on arrival: the media owner is released by teardown.
      this.teardown('error', error);
      return;
    }
    let stream: MediaStream | undefined;
    try {
      const acquired = await acquisition;
      stream = acquired.stream;
      if (acquired.videoError !== undefined && !this.#summary) {
        this.emit(
          'error',
          new MediaAcquisitionError('the camera (going on audio-only)', acquired.videoError),
        );
      }
    } catch (error) {
      this.teardown('media-error', new MediaAcquisitionError('local media', error));
      return;
    }
    // Ended while acquiring: the media owner has already stopped whatever arrived.
    if (this.#summary) return;
    try {
      if (stream) {
        this.#localStream = stream;
        const { media } = this.#options;
        this.#mute.alignNewStream(media !== false && isMediaStream(media));
        this.emit('localStream', stream);
        this.#changed();
      }
      if (!this.#transition('connecting')) return;
      this.#peer.addMedia(stream);
    } catch (error) {
      this.teardown('error', error);
    }
  }

  #onConnected(): void {
    // Runtimes may report `connected` several times in a row (@roamhq/wrtc does): only transitions count.
    if (this.#state === 'connecting') {
      this.#connectedAt = this.#options.clock.now();
      this.#callTimers.disarmConnect();
      if (!this.#transition('connected')) return;
      this.#callTimers.startCall(this.#connectedAt);
      this.#mute.announceIfMuted();
      this.#watch.start();
      this.#settleStart?.resolve();
      this.#settleStart = undefined;
      this.emit('connected');
    } else if (this.#state === 'reconnecting') {
      this.#ice.recovered();
      if (!this.#transition('connected')) return;
      this.emit('connected');
      // The peer may have missed mute changes while the path was down: send the full state.
      this.#mute.resync();
    }
  }

  /** Everything the parts need from the session, over its private state; split per part in sessionHosts. */
  #sessionHost(): SessionHost {
    return {
      options: this.#options,
      timers: this.#timers,
      state: () => this.#state,
      ended: () => this.#summary !== undefined,
      end: (reason, error) => void this.teardown(reason, error),
      transition: (to) => this.#transition(to),
      emit: (event, ...args) => void this.emit(event, ...args),
      changed: () => this.#changed(),
      started: () => this.#startedAt !== undefined,
      signaling: () => this.#signaling,
      peer: () => this.#peer,
      mute: () => this.#mute,
      ice: () => this.#ice,
      watch: () => this.#watch,
      connected: () => this.#onConnected(),
      localStream: () => this.#localStream,
      setLocalStream: (stream) => {
        this.#localStream = stream;
      },
      getStats: (maxAgeMs) => this.#sampleStats(maxAgeMs),
      endedError: () => (this.#summary ? new CallEndedError(this.#summary) : undefined),
      elapsed: () => ({ elapsedMs: this.elapsedMs, remainingMs: this.remainingMs }),
    };
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
    this.emit('stateChange', to, from);
    this.#changed();
    return !this.#summary;
  }

  /** The snapshot changed: rebuilt on the next read, subscribers told. */
  #changed(): void {
    this.#snapshot = undefined;
    this.notifySubscribers();
  }

  #rejectStart(summary: EndSummary): void {
    const settle = this.#settleStart;
    this.#settleStart = undefined;
    settle?.reject(new CallEndedError(summary));
  }
}

function assertKind(kind: unknown): asserts kind is 'audio' | 'video' {
  if (kind !== 'audio' && kind !== 'video') {
    throw new TypeError(`kind must be 'audio' or 'video' (got ${String(kind)})`);
  }
}
