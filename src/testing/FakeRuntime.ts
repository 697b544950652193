import type { RtcRuntime } from '../runtime.js';
import { type FakePeerConnectionBehavior, FakeRTCPeerConnection } from './FakeRTCPeerConnection.js';
import { FakeMediaStream, FakeMediaStreamTrack } from './fakeMedia.js';

/** A media request the test settles by hand (see {@link FakeRuntime.holdMedia}). */
export interface PendingMediaRequest {
  readonly constraints: MediaStreamConstraints | DisplayMediaStreamOptions | undefined;
  readonly kind: 'user' | 'display';
  /** Resolves with fresh fake tracks matching the constraints; returns the stream. */
  resolve(): FakeMediaStream;
  reject(error: unknown): void;
}

/** Options of {@link FakeRuntime}. */
export interface FakeRuntimeOptions {
  /**
   * Peer connections go `connected` by themselves once an offer/answer exchange completes.
   * @default true
   */
  autoConnect?: boolean;
  /**
   * Each local description is followed by one host candidate and `null`.
   * @default true
   */
  gatherCandidates?: boolean;
}

/**
 * A complete fake WebRTC runtime for unit tests: pass it as `runtime` to `CallSession`. It records every
 * peer connection and track it creates, so a test can assert that all tracks were stopped and every
 * connection closed, and it lets the test decide how media requests end ({@link FakeRuntime.holdMedia},
 * {@link FakeRuntime.failMedia}).
 *
 * @example
 * ```ts
 * const runtime = new FakeRuntime();
 * const session = new CallSession({ signaling, polite: true, runtime });
 * // ...
 * expect(runtime.liveTracks()).toEqual([]);
 * ```
 */
export class FakeRuntime implements RtcRuntime {
  /** Every peer connection created, in order. */
  readonly peerConnections: FakeRTCPeerConnection[] = [];
  /** Every local track handed out by getUserMedia / getDisplayMedia. */
  readonly tracks: FakeMediaStreamTrack[] = [];
  /** Media requests waiting for the test (while {@link FakeRuntime.holdMedia} is on). */
  readonly pendingMedia: PendingMediaRequest[] = [];
  /** Every getUserMedia constraints object received. */
  readonly mediaRequests: (MediaStreamConstraints | DisplayMediaStreamOptions | undefined)[] = [];
  /**
   * Builds {@link FakeRTCPeerConnection}s, typed as both the fake and the DOM type, so a test can drive what
   * it creates (`new runtime.RTCPeerConnection().setConnectionState(...)`) and hand it to DOM-typed code.
   */
  readonly RTCPeerConnection: new (
    configuration?: RTCConfiguration,
  ) => FakeRTCPeerConnection & RTCPeerConnection;
  readonly behavior: FakePeerConnectionBehavior;

  #hold = false;
  #failure: unknown;
  #failuresLeft = 0;

  constructor(options: FakeRuntimeOptions = {}) {
    this.behavior = {
      autoConnect: options.autoConnect ?? true,
      gatherCandidates: options.gatherCandidates ?? true,
      peers: this.peerConnections,
    };
    const runtime = this;
    this.RTCPeerConnection = class extends FakeRTCPeerConnection {
      constructor(configuration?: RTCConfiguration) {
        super(configuration, runtime.behavior);
        runtime.peerConnections.push(this);
      }
    } as unknown as FakeRuntime['RTCPeerConnection'];
    this.getUserMedia = this.getUserMedia.bind(this);
    this.getDisplayMedia = this.getDisplayMedia.bind(this);
  }

  /** The most recent peer connection. */
  get lastPeerConnection(): FakeRTCPeerConnection | undefined {
    return this.peerConnections.at(-1);
  }

  /** From now on, media requests wait in {@link FakeRuntime.pendingMedia} until the test settles them. */
  holdMedia(hold = true): void {
    this.#hold = hold;
  }

  /** The next `times` media requests reject with `error` (e.g. a `NotAllowedError` DOMException). */
  failMedia(error: unknown, times = 1): void {
    this.#failure = error;
    this.#failuresLeft = times;
  }

  /** Tracks handed out and not yet ended. */
  liveTracks(): FakeMediaStreamTrack[] {
    return this.tracks.filter((track) => track.readyState !== 'ended');
  }

  /** Peer connections created and not closed. */
  openPeerConnections(): FakeRTCPeerConnection[] {
    return this.peerConnections.filter((pc) => !pc.closed);
  }

  getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream> {
    return this.#request('user', constraints, {
      audio: Boolean(constraints?.audio),
      video: Boolean(constraints?.video),
    });
  }

  getDisplayMedia(options?: DisplayMediaStreamOptions): Promise<MediaStream> {
    return this.#request('display', options, { audio: Boolean(options?.audio), video: true });
  }

  #request(
    kind: 'user' | 'display',
    constraints: MediaStreamConstraints | DisplayMediaStreamOptions | undefined,
    kinds: { audio: boolean; video: boolean },
  ): Promise<MediaStream> {
    this.mediaRequests.push(constraints);
    const make = (): FakeMediaStream => {
      const created: FakeMediaStreamTrack[] = [];
      if (kinds.audio) created.push(new FakeMediaStreamTrack('audio'));
      if (kinds.video)
        created.push(new FakeMediaStreamTrack('video', kind === 'display' ? { label: 'screen' } : {}));
      this.tracks.push(...created);
      return new FakeMediaStream(created);
    };
    if (this.#failuresLeft > 0) {
      this.#failuresLeft--;
      const failure = this.#failure;
      return Promise.resolve().then(() => Promise.reject(failure));
    }
    if (!this.#hold) return Promise.resolve().then((): MediaStream => make());
    return new Promise<MediaStream>((resolve, reject) => {
      const request: PendingMediaRequest = {
        constraints,
        kind,
        resolve: () => {
          this.#forget(request);
          const stream = make();
          resolve(stream);
          return stream;
        },
        reject: (error) => {
          this.#forget(request);
          reject(error);
        },
      };
      this.pendingMedia.push(request);
    });
  }

  #forget(request: PendingMediaRequest): void {
    const index = this.pendingMedia.indexOf(request);
    if (index >= 0) this.pendingMedia.splice(index, 1);
  }
}
