import { FakeRTCDataChannel } from './FakeRTCDataChannel.js';
import { dispatchCallsHandlerProperties, FakeMediaStream, FakeMediaStreamTrack } from './fakeMedia.js';

/** Methods of {@link FakeRTCPeerConnection} whose next call a test can make fail or hang. */
export type FakePeerConnectionStep =
  | 'createOffer'
  | 'createAnswer'
  | 'setLocalDescription'
  | 'setRemoteDescription'
  | 'addIceCandidate';

/** A promise the test settles by hand. */
export interface HeldStep {
  resolve(): void;
  reject(error: unknown): void;
}

/** Behaviour shared by the peer connections of one fake runtime. */
export interface FakePeerConnectionBehavior {
  /** Go `connecting` → `connected` by itself once an offer/answer exchange completes. */
  autoConnect: boolean;
  /** Emit one host candidate and the end-of-candidates `null` after each local description. */
  gatherCandidates: boolean;
  /**
   * The peer connections negotiated data channels may link to (a `FakeRuntime` passes all it created):
   * at `connected`, channels with the same negotiated `id` on the two connected peers open and talk.
   */
  peers?: readonly FakeRTCPeerConnection[];
}

let nextUfrag = 1;

const DATA_SECTION = 'm=application';

/** The `RTCRtpSender` stand-in of {@link FakeRTCPeerConnection}: records `replaceTrack` calls. */
export class FakeSender {
  track: MediaStreamTrack | null;
  replaceTrackCalls = 0;
  constructor(track: MediaStreamTrack | null) {
    this.track = track;
  }
  replaceTrack(track: MediaStreamTrack | null): Promise<void> {
    this.replaceTrackCalls++;
    this.track = track;
    return Promise.resolve();
  }
  getParameters(): RTCRtpSendParameters {
    return { encodings: [], transactionId: '', codecs: [], headerExtensions: [], rtcp: {} };
  }
  setParameters(): Promise<void> {
    return Promise.resolve();
  }
  getStats(): Promise<RTCStatsReport> {
    return Promise.resolve(new Map() as unknown as RTCStatsReport);
  }
}

/** The `RTCRtpTransceiver` stand-in of {@link FakeRTCPeerConnection}. */
export class FakeTransceiver {
  readonly sender: FakeSender;
  readonly receiver: { track: MediaStreamTrack };
  direction: RTCRtpTransceiverDirection;
  readonly mid: string | null = null;
  constructor(
    kind: 'audio' | 'video',
    direction: RTCRtpTransceiverDirection,
    track: MediaStreamTrack | null,
  ) {
    this.sender = new FakeSender(track);
    this.receiver = { track: new FakeMediaStreamTrack(kind) };
    this.direction = direction;
  }
  stop(): void {
    this.direction = 'stopped' as RTCRtpTransceiverDirection;
  }
}

/**
 * An `RTCPeerConnection` stand-in with a real signaling-state machine (stable / have-local-offer /
 * have-remote-offer, rollback), ICE credentials that change on restart, optional automatic candidates and
 * connection, and hooks to drive what a real connection would do:
 * {@link FakeRTCPeerConnection.setConnectionState}, {@link FakeRTCPeerConnection.emitTrack},
 * {@link FakeRTCPeerConnection.failNext}, {@link FakeRTCPeerConnection.holdNext}.
 * It fires both `on*` handlers and `addEventListener` listeners.
 */
export class FakeRTCPeerConnection extends EventTarget {
  readonly configuration: RTCConfiguration;
  signalingState: RTCSignalingState = 'stable';
  connectionState: RTCPeerConnectionState = 'new';
  iceConnectionState: RTCIceConnectionState = 'new';
  iceGatheringState: RTCIceGatheringState = 'new';
  localDescription: RTCSessionDescriptionInit | null = null;
  remoteDescription: RTCSessionDescriptionInit | null = null;
  /** Whether `close()` was called. */
  closed = false;
  /** When set, `close()` throws it (after closing): for testing teardown resilience. */
  closeError: unknown;
  /** Every candidate `addIceCandidate` accepted, in order. */
  readonly addedCandidates: RTCIceCandidateInit[] = [];
  /** Every description passed to `setRemoteDescription`, in order. */
  readonly remoteDescriptions: RTCSessionDescriptionInit[] = [];
  readonly transceivers: FakeTransceiver[] = [];
  /** Every data channel created on this connection. */
  readonly dataChannels: FakeRTCDataChannel[] = [];
  restartIceCalls = 0;
  /**
   * The `a=setup` this connection's answers carry. `'keep'` (the default) answers `active` the first time and
   * then whatever keeps the established DTLS role, as Chromium and @roamhq/wrtc do; `'active'` always answers
   * `active`, as Firefox does, which flips the role when this side answers a later offer.
   */
  answerSetup: 'keep' | 'active' | 'passive' = 'keep';
  /**
   * Whether a remote answer that would change the established DTLS role is rejected ("Failed to set SSL role
   * for the transport"), as Chromium and @roamhq/wrtc do. @default true
   */
  rejectDtlsRoleChange = true;

  onnegotiationneeded: ((event: Event) => void) | null = null;
  onicecandidate: ((event: RTCPeerConnectionIceEvent) => void) | null = null;
  ontrack: ((event: RTCTrackEvent) => void) | null = null;
  onconnectionstatechange: ((event: Event) => void) | null = null;
  oniceconnectionstatechange: ((event: Event) => void) | null = null;
  onicegatheringstatechange: ((event: Event) => void) | null = null;
  onsignalingstatechange: ((event: Event) => void) | null = null;
  ondatachannel: ((event: RTCDataChannelEvent) => void) | null = null;
  onicecandidateerror: ((event: Event) => void) | null = null;

  readonly #behavior: FakePeerConnectionBehavior;
  readonly #failures = new Map<FakePeerConnectionStep, unknown>();
  readonly #holds = new Map<FakePeerConnectionStep, HeldStep & { promise: Promise<void> }>();
  #ufrag = `u${nextUfrag++}`;
  #version = 0;
  #negotiationNeededQueued = false;
  /** Whether an offer/answer exchange with a data section has completed (see createDataChannel). */
  #dataNegotiated = false;
  #negotiationNeededPending = false;
  #remoteMediaSent = false;
  /** Our DTLS role, fixed by the first completed offer/answer exchange. */
  #dtlsRole: 'client' | 'server' | undefined;

  constructor(configuration: RTCConfiguration = {}, behavior?: FakePeerConnectionBehavior) {
    super();
    this.configuration = configuration;
    this.#behavior = behavior ?? { autoConnect: false, gatherCandidates: false };
  }

  // ——— test controls ———

  /** Makes the next call of `step` reject with `error`. */
  failNext(step: FakePeerConnectionStep, error: unknown = new Error(`${step} failed`)): void {
    this.#failures.set(step, error);
  }

  /** Makes the next call of `step` wait until the returned handle is settled. */
  holdNext(step: FakePeerConnectionStep): HeldStep {
    let handle!: HeldStep;
    const promise = new Promise<void>((resolve, reject) => {
      handle = { resolve, reject };
    });
    this.#holds.set(step, { ...handle, promise });
    return handle;
  }

  /** Sets `connectionState` (and the matching `iceConnectionState`) and fires the change events. */
  setConnectionState(state: RTCPeerConnectionState): void {
    if (this.closed) return;
    this.connectionState = state;
    this.iceConnectionState = state === 'connecting' ? 'checking' : (state as RTCIceConnectionState);
    this.#fire('iceconnectionstatechange', new Event('iceconnectionstatechange'));
    this.#fire('connectionstatechange', new Event('connectionstatechange'));
    if (state === 'connected') this.#linkDataChannels();
  }

  /** The other fake connection this one negotiated with (same runtime), if any. */
  findPeer(): FakeRTCPeerConnection | undefined {
    const others = (this.#behavior.peers ?? []).filter((pc) => pc !== this && !pc.closed);
    const remoteSdp = this.remoteDescription?.sdp;
    const matched = others.find((pc) => remoteSdp !== undefined && pc.localDescription?.sdp === remoteSdp);
    return matched ?? (others.length === 1 ? others[0] : undefined);
  }

  /** Fires `icecandidate` as if ICE gathered this candidate (or `null`: gathering complete). */
  emitIceCandidate(candidate: RTCIceCandidateInit | null): void {
    if (this.closed) return;
    const event = Object.assign(new Event('icecandidate'), {
      candidate: candidate ? { toJSON: () => candidate, ...candidate } : null,
    });
    this.#fire('icecandidate', event as unknown as RTCPeerConnectionIceEvent);
  }

  /** Fires `track` as if the peer's media arrived. */
  emitTrack(track: MediaStreamTrack, streams: MediaStream[]): void {
    if (this.closed) return;
    this.#fire('track', createFakeTrackEvent(track, streams));
  }

  /** Fires `negotiationneeded`. */
  fireNegotiationNeeded(): void {
    if (this.closed) return;
    this.#fire('negotiationneeded', new Event('negotiationneeded'));
  }

  /** The ICE username fragment of the current local generation. */
  get iceUfrag(): string {
    return this.#ufrag;
  }

  /** Whether any handler property is still set (a session must clear them all before closing). */
  hasHandlers(): boolean {
    return [
      this.onnegotiationneeded,
      this.onicecandidate,
      this.ontrack,
      this.onconnectionstatechange,
      this.oniceconnectionstatechange,
      this.ondatachannel,
    ].some((handler) => handler !== null);
  }

  // ——— RTCPeerConnection ———

  addTrack(track: MediaStreamTrack, ..._streams: MediaStream[]): FakeSender {
    this.#assertOpen('addTrack');
    const transceiver = new FakeTransceiver(track.kind as 'audio' | 'video', 'sendrecv', track);
    this.transceivers.push(transceiver);
    this.#queueNegotiationNeeded();
    return transceiver.sender;
  }

  addTransceiver(trackOrKind: MediaStreamTrack | string, init: RTCRtpTransceiverInit = {}): FakeTransceiver {
    this.#assertOpen('addTransceiver');
    const track = typeof trackOrKind === 'string' ? null : trackOrKind;
    const kind = (typeof trackOrKind === 'string' ? trackOrKind : trackOrKind.kind) as 'audio' | 'video';
    const transceiver = new FakeTransceiver(kind, init.direction ?? 'sendrecv', track);
    this.transceivers.push(transceiver);
    this.#queueNegotiationNeeded();
    return transceiver;
  }

  getSenders(): FakeSender[] {
    return this.transceivers.map((transceiver) => transceiver.sender);
  }

  getReceivers(): { track: MediaStreamTrack }[] {
    return this.transceivers.map((transceiver) => transceiver.receiver);
  }

  getTransceivers(): FakeTransceiver[] {
    return [...this.transceivers];
  }

  createDataChannel(label: string, init?: RTCDataChannelInit): FakeRTCDataChannel {
    this.#assertOpen('createDataChannel');
    const channel = new FakeRTCDataChannel(label, init);
    this.dataChannels.push(channel);
    // As the spec says: only the first channel, and only while no data section has been negotiated, makes
    // negotiation needed; later channels ride on the existing SCTP association.
    if (this.dataChannels.length === 1 && !this.#dataNegotiated) this.#queueNegotiationNeeded();
    if (this.connectionState === 'connected') queueMicrotask(() => this.#linkDataChannels());
    return channel;
  }

  async createOffer(options?: RTCOfferOptions): Promise<RTCSessionDescriptionInit> {
    await this.#step('createOffer');
    if (options?.iceRestart) this.#ufrag = `u${nextUfrag++}`;
    return { type: 'offer', sdp: this.#sdp('offer') };
  }

  async createAnswer(): Promise<RTCSessionDescriptionInit> {
    await this.#step('createAnswer');
    if (this.signalingState !== 'have-remote-offer') throw invalidState('createAnswer', this.signalingState);
    return { type: 'answer', sdp: this.#sdp('answer') };
  }

  async setLocalDescription(description: RTCSessionDescriptionInit): Promise<void> {
    await this.#step('setLocalDescription');
    const from = this.signalingState;
    if (description.type === 'rollback') {
      if (from !== 'have-local-offer') throw invalidState('rollback', from);
      this.localDescription = null;
      this.#setSignalingState('stable');
      return;
    }
    if (description.type === 'offer' && (from === 'stable' || from === 'have-local-offer')) {
      this.localDescription = description;
      this.#setSignalingState('have-local-offer');
    } else if (description.type === 'answer' && from === 'have-remote-offer') {
      this.#dtlsRole ??= setupOf(description.sdp) === 'passive' ? 'server' : 'client';
      this.localDescription = description;
      this.#noteDataSection(description.sdp);
      this.#setSignalingState('stable');
      this.#maybeAutoConnect();
    } else {
      throw invalidState(`setLocalDescription(${description.type})`, from);
    }
    this.#maybeGather();
  }

  async setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    await this.#step('setRemoteDescription');
    const from = this.signalingState;
    this.remoteDescriptions.push(description);
    if (description.type === 'offer' && from === 'stable') {
      this.remoteDescription = description;
      this.#setSignalingState('have-remote-offer');
    } else if (
      description.type === 'pranswer' &&
      (from === 'have-local-offer' || from === 'have-remote-pranswer')
    ) {
      this.remoteDescription = description;
      this.#setSignalingState('have-remote-pranswer');
    } else if (
      description.type === 'answer' &&
      (from === 'have-local-offer' || from === 'have-remote-pranswer')
    ) {
      const role = setupOf(description.sdp) === 'passive' ? 'client' : 'server';
      if (this.#dtlsRole && role !== this.#dtlsRole && this.rejectDtlsRoleChange) {
        this.remoteDescriptions.pop();
        throw operationError('Failed to set remote answer sdp: Failed to set SSL role for the transport.');
      }
      this.#dtlsRole ??= role;
      this.remoteDescription = description;
      this.#noteDataSection(description.sdp);
      this.#setSignalingState('stable');
      this.#maybeAutoConnect();
    } else {
      throw invalidState(`setRemoteDescription(${description.type})`, from);
    }
  }

  async addIceCandidate(candidate?: RTCIceCandidateInit | null): Promise<void> {
    await this.#step('addIceCandidate');
    if (!this.remoteDescription) throw invalidState('addIceCandidate without remote description', 'stable');
    if (candidate) this.addedCandidates.push(candidate);
  }

  restartIce(): void {
    if (this.closed) return;
    this.restartIceCalls++;
    this.#ufrag = `u${nextUfrag++}`;
    this.#queueNegotiationNeeded();
  }

  getStats(): Promise<RTCStatsReport> {
    return Promise.resolve(new Map() as unknown as RTCStatsReport);
  }

  getConfiguration(): RTCConfiguration {
    return this.configuration;
  }

  close(): void {
    if (!this.closed) {
      this.closed = true;
      this.signalingState = 'closed';
      this.connectionState = 'closed';
      this.iceConnectionState = 'closed';
      // Like a browser: own channels go `closed` without events; linked peers get `close`.
      for (const channel of this.dataChannels) channel.close();
    }
    if (this.closeError !== undefined) throw this.closeError;
  }

  // ——— internals ———

  async #step(step: FakePeerConnectionStep): Promise<void> {
    const held = this.#holds.get(step);
    if (held) {
      this.#holds.delete(step);
      await held.promise;
    } else {
      // Real runtimes never complete these synchronously.
      await Promise.resolve();
    }
    if (this.closed) throw invalidState(step, 'closed');
    const failure = this.#failures.get(step);
    if (failure !== undefined) {
      this.#failures.delete(step);
      throw failure;
    }
  }

  #assertOpen(what: string): void {
    if (this.closed) throw invalidState(what, 'closed');
  }

  #sdp(type: 'offer' | 'answer'): string {
    this.#version++;
    const media = this.transceivers
      .map(
        (transceiver, index) =>
          `m=${transceiver.receiver.track.kind} 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:${index}\r\n`,
      )
      .join('');
    // An offer carries a data section once a channel exists; an answer accepts the one the offer has.
    const data =
      type === 'offer'
        ? this.dataChannels.length > 0
        : (this.remoteDescription?.sdp?.includes(DATA_SECTION) ?? false);
    const application = data ? `${DATA_SECTION} 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:data\r\n` : '';
    const setup = type === 'offer' ? 'actpass' : this.#answerSetup();
    return `v=0\r\no=- 1 ${this.#version} IN IP4 127.0.0.1\r\ns=fake ${type}\r\nt=0 0\r\na=ice-ufrag:${this.#ufrag}\r\na=ice-pwd:fakepassword${this.#ufrag}\r\na=setup:${setup}\r\n${media}${application}`;
  }

  #answerSetup(): 'active' | 'passive' {
    if (this.answerSetup !== 'keep') return this.answerSetup;
    return this.#dtlsRole === 'server' ? 'passive' : 'active';
  }

  #noteDataSection(sdp: string | undefined): void {
    if (sdp?.includes(DATA_SECTION)) this.#dataNegotiated = true;
  }

  #setSignalingState(state: RTCSignalingState): void {
    this.signalingState = state;
    this.#fire('signalingstatechange', new Event('signalingstatechange'));
    if (state === 'stable' && this.#negotiationNeededPending) {
      this.#negotiationNeededPending = false;
      this.#queueNegotiationNeeded();
    }
  }

  #queueNegotiationNeeded(): void {
    if (this.#negotiationNeededQueued) return;
    this.#negotiationNeededQueued = true;
    queueMicrotask(() => {
      this.#negotiationNeededQueued = false;
      // As the spec says: outside 'stable' the event waits until the connection is stable again.
      if (this.signalingState !== 'stable') {
        this.#negotiationNeededPending = true;
        return;
      }
      this.fireNegotiationNeeded();
    });
  }

  #maybeGather(): void {
    if (!this.#behavior.gatherCandidates) return;
    const ufrag = this.#ufrag;
    queueMicrotask(() => {
      this.emitIceCandidate({
        candidate: `candidate:1 1 udp 2122260223 127.0.0.1 ${40000 + nextUfrag} typ host ufrag ${ufrag}`,
        sdpMid: '0',
        sdpMLineIndex: 0,
        usernameFragment: ufrag,
      });
      this.emitIceCandidate(null);
    });
  }

  #maybeAutoConnect(): void {
    if (!this.#behavior.autoConnect || this.connectionState === 'connected') return;
    queueMicrotask(() => {
      if (this.closed || this.connectionState === 'connected') return;
      this.setConnectionState('connecting');
      if (!this.#remoteMediaSent) {
        // Stand in for the peer's media arriving, so UIs under test see a remote stream.
        this.#remoteMediaSent = true;
        const stream = new FakeMediaStream([
          new FakeMediaStreamTrack('audio'),
          new FakeMediaStreamTrack('video'),
        ]);
        for (const track of stream.getTracks()) this.emitTrack(track, [stream]);
      }
      this.setConnectionState('connected');
    });
  }

  #linkDataChannels(): void {
    const peer = this.findPeer();
    if (!peer || peer.closed) return;
    for (const channel of this.dataChannels) {
      if (!channel.negotiated || channel.peer || channel.readyState !== 'connecting') continue;
      const match = peer.dataChannels.find(
        (other) =>
          other.negotiated && other.id === channel.id && !other.peer && other.readyState === 'connecting',
      );
      if (match) FakeRTCDataChannel.link(channel, match);
    }
  }

  #fire(type: string, event: Event): void {
    // happy-dom's dispatchEvent calls the on<type> property itself; Node's does not. Fire it exactly once.
    if (!dispatchCallsHandlerProperties()) {
      const handler = (this as unknown as Record<string, ((event: Event) => void) | null>)[`on${type}`];
      handler?.call(this, event);
    }
    this.dispatchEvent(event);
  }
}

/** The first `a=setup` value of `sdp`. */
function setupOf(sdp: string | undefined): string | undefined {
  return /^a=setup:(\w+)/m.exec(sdp ?? '')?.[1];
}

function operationError(message: string): DOMException | Error {
  return typeof DOMException === 'function'
    ? new DOMException(message, 'OperationError')
    : new Error(message);
}

function invalidState(what: string, state: string): DOMException | Error {
  const message = `${what} is not allowed in signaling state ${state}`;
  return typeof DOMException === 'function'
    ? new DOMException(message, 'InvalidStateError')
    : new Error(message);
}

/**
 * A `track` event as a peer connection fires it (`track`, `streams`, `receiver.track`), typed as the DOM's
 * `RTCTrackEvent`, for tests that call a captured `ontrack` handler themselves.
 */
export function createFakeTrackEvent(track: MediaStreamTrack, streams: MediaStream[]): RTCTrackEvent {
  const event = Object.assign(new Event('track'), { track, streams, receiver: { track } });
  // The fake carries only the fields call code reads; the DOM type has more.
  return event as unknown as RTCTrackEvent;
}
