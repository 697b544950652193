import { CallEndedError } from './errors/CallEndedError.js';
import type { HangupError } from './errors/HangupError.js';
import { type DeviceRequest, DeviceSwitch } from './media/DeviceSwitch.js';
import { isMediaStream } from './media/localMedia.js';
import { MediaOwner } from './media/MediaOwner.js';
import { MuteSync } from './media/MuteSync.js';
import { ScreenShare } from './media/ScreenShare.js';
import { StatsSampler } from './media/StatsSampler.js';
import { type EndReason, type EndSummary, LOCALLY_CAUSED_END_REASONS } from './model/endReason.js';
import type { CallSnapshot, CallStats, LiveResources } from './model/events.js';
import { type CallState, canTransition } from './model/states.js';
import { PeerLink } from './peer/PeerLink.js';
import { acquireAndConnect } from './session/acquireAndConnect.js';
import { CallTimers } from './session/CallTimers.js';
import { afterConnected, beforeConnected } from './session/connectedSteps.js';
import { IceRecovery } from './session/IceRecovery.js';
import { type CallSessionOptions, type ResolvedOptions, resolveOptions } from './session/options.js';
import { PageHideListeners } from './session/PageHideListeners.js';
import { SessionEmitter } from './session/SessionEmitter.js';
import { SilentPathWatch } from './session/SilentPathWatch.js';
import { type SessionHost, sessionHosts } from './session/sessionHosts.js';
import { attemptStep, endSummary } from './session/teardownSteps.js';
import { SignalingLink } from './signaling/SignalingLink.js';
import { assertKind } from './util/assertKind.js';
import { Deferred } from './util/Deferred.js';
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
  readonly #ended = new Deferred<EndSummary>();
  /** Random per session; useful in logs. */
  readonly id = randomId();
  /** Resolves once with the summary when the call ends; never rejects. */
  readonly ended = this.#ended.promise;

  readonly #options: ResolvedOptions;
  readonly #timers: TimerSet;
  readonly #media = new MediaOwner();
  readonly #stats = new StatsSampler();
  readonly #qualityStats = new StatsSampler();
  readonly #pageHide = new PageHideListeners();
  readonly #host: SessionHost;
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
  #start: Deferred<void> | undefined;
  #startedAt: number | undefined;
  #connectedAt: number | undefined;
  #localStream: MediaStream | undefined;

  /**
   * @throws TypeError for invalid options (missing signaling, negative durations, no WebRTC runtime), with
   * a message that says how to fix it.
   */
  constructor(options: CallSessionOptions) {
    super();
    this.#options = resolveOptions(options);
    this.#timers = new TimerSet(this.#options.clock);
    // A stream handed in is the session's from now on (unless the app keeps it): whatever ends the call, even
    // before start(), stops it.
    const { media, stopProvidedStream } = this.#options;
    if (stopProvidedStream && media !== false && isMediaStream(media)) this.#media.own(media.getTracks());
    this.#host = this.#sessionHost();
    const hosts = sessionHosts(this.#host);
    this.#signaling = new SignalingLink(this.#options, hosts.signaling);
    this.#peer = new PeerLink(this.#options, hosts.peer);
    this.#mute = new MuteSync(this.#timers, this.#options.clock, hosts.mute);
    this.#callTimers = new CallTimers(this.#timers, this.#options, hosts.timers);
    this.#ice = new IceRecovery(this.#timers, this.#options, hosts.timers);
    const { clock, maxIceRestarts } = this.#options;
    this.#watch = new SilentPathWatch(this.#timers, () => clock.now(), maxIceRestarts, hosts.watch);
    this.#screen = new ScreenShare(hosts.media);
    this.#devices = new DeviceSwitch(hosts.media, this.#screen);
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
    if (this.#start) return this.#start.promise;
    this.#start = new Deferred();
    const { promise } = this.#start;
    promise.catch(() => {});
    if (this.#summary) {
      this.#start.reject(new CallEndedError(this.#summary));
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
    if (this.#options.endOnPageHide) this.#pageHide.listen(() => this.teardown('page-hide'));
    this.#callTimers.armConnect();
    if (!this.#transition('starting')) return promise;
    void acquireAndConnect(this.#host);
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
    const now = this.#options.clock.now();
    const summary = endSummary(reason, error, this.#startedAt, this.#connectedAt, now);
    this.#summary = summary;
    this.silence();
    const problems: HangupError[] = [];
    // Each step returns the failures it collected (one per track, say) or throws one; none stops the others.
    const attempt = (step: string, work: () => unknown): void => attemptStep(problems, step, work);
    // 2. Tell the peer, while the channel is still ours; the data channel is the second path.
    if (this.#startedAt !== undefined && LOCALLY_CAUSED_END_REASONS.has(reason)) {
      const bye = { type: 'bye', reason } as const;
      attempt('send bye', () => this.#signaling.sendFinal(bye));
      attempt('send bye over the data channel', () => this.#peer.sendControl(this.#signaling.stamp(bye)));
    }
    // 3. Release everything, in the order of docs/teardown.md.
    attempt('clear timers', () => this.#timers.close());
    attempt('stop mute sync', () => this.#mute.close());
    attempt('stop screen share', () => this.#screen.release());
    attempt('stop tracks', () => this.#media.release());
    attempt('close peer connection', () => this.#peer.close());
    attempt('unsubscribe signaling', () => this.#signaling.close());
    attempt('remove DOM listeners', () => this.#pageHide.close());
    this.#localStream = undefined;
    // 4 and 5. Report, announce once, let go of every listener, settle the promises.
    this.emitFinal(() => {
      for (const problem of problems) this.emit('error', problem);
      this.emit('stateChange', 'ended', previous);
      this.emit('ended', summary);
      this.changed();
    });
    this.#ended.resolve(summary);
    // A start() already resolved at `connected` stays resolved.
    this.#start?.reject(new CallEndedError(summary));
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
    this.#peer.send(data);
  }

  /**
   * A summary of the call's statistics: round-trip time and candidate type of the selected pair, RTP
   * bitrates since the previous `getStats()` (the `quality` event keeps a baseline of its own), and the
   * inbound loss ratio. `{}` before the peer connection exists.
   * @throws (rejects) CallEndedError after the end.
   */
  getStats(): Promise<CallStats> {
    return this.#stats.sample(this.#peer.stats(), this.#host.endedError);
  }

  /** What the session still holds. All zero / false once it has ended. */
  liveResources(): LiveResources {
    return {
      tracks: this.#media.trackCount,
      // The session's data channels belong to the peer connection and are counted with it.
      peerConnection: this.#peer.held,
      timers: this.#timers.size,
      signalingSubscribed: this.#signaling.subscribed,
      domListeners: this.#pageHide.count,
      queuedCandidates: this.#peer.queuedCandidates,
      pendingAcquisitions: this.#media.pendingCount,
    };
  }

  protected override takeSnapshot(): CallSnapshot {
    return {
      state: this.#state,
      localStream: this.#localStream,
      remoteStream: this.#peer.remoteStream,
      elapsedMs: this.elapsedMs,
      remainingMs: this.remainingMs,
      endReason: this.endReason,
      muted: this.#mute.both('local'),
      remoteMuted: this.#mute.both('remote'),
      screenSharing: this.#screen.active,
    };
  }

  /** The connection reached `connected`: the first time, or again after a recovery. */
  #onConnected(): void {
    // Runtimes may report `connected` several times in a row (@roamhq/wrtc does): only transitions count.
    const first = this.#state === 'connecting';
    if (!first && this.#state !== 'reconnecting') return;
    this.#connectedAt ??= this.#options.clock.now();
    beforeConnected(this.#host, first);
    if (!this.#transition('connected')) return;
    afterConnected(this.#host, first, this.#connectedAt);
    // A listener may have ended the call during those steps (an error event from a failed send).
    if (this.#summary) return;
    // Before `connected` is emitted: a listener that ends the call then must not reject start().
    this.#start?.resolve();
    this.emit('connected');
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
      changed: () => this.changed(),
      started: () => this.#startedAt !== undefined,
      signaling: () => this.#signaling,
      peer: () => this.#peer,
      mute: () => this.#mute,
      ice: () => this.#ice,
      watch: () => this.#watch,
      callTimers: () => this.#callTimers,
      owner: this.#media,
      connected: () => this.#onConnected(),
      localStream: () => this.#localStream,
      publishLocalStream: (stream) => {
        if (this.#summary) return;
        this.#localStream = stream;
        this.emit('localStream', stream);
        this.changed();
      },
      // Its own baseline, apart from the app's getStats(); over a read it may share with the watch.
      sampleQuality: (maxAgeMs) =>
        this.#qualityStats.sample(this.#peer.stats({ reader: 'quality', maxAgeMs }), this.#host.endedError),
      endedError: () => (this.#summary ? new CallEndedError(this.#summary) : undefined),
      elapsed: () => ({ elapsedMs: this.elapsedMs, remainingMs: this.remainingMs }),
    };
  }

  /** Moves along the transition table; returns false when the session ended meanwhile (or on a bug). */
  #transition(to: CallState): boolean {
    const from = this.#state;
    if (!canTransition(from, to) || to === 'ended') {
      if (from !== 'ended') this.#options.logger.error(`illegal transition ${from} -> ${to} ignored (a bug)`);
      return false;
    }
    this.#state = to;
    this.emit('stateChange', to, from);
    this.changed();
    return !this.#summary;
  }
}
