let nextId = 1;
const newId = (prefix: string): string => `${prefix}-${nextId++}`;

/**
 * A `MediaStreamTrack` stand-in with the parts call code touches: `kind`, `id`, `label`, `enabled`,
 * `readyState`, `stop()`, `getSettings()`, `clone()` and the `ended` event. `stop()` ends the track without
 * firing `ended` (as browsers do); {@link FakeMediaStreamTrack.endFromDevice} simulates the device or the
 * browser ending it (unplugged camera, "Stop sharing"), which does fire `ended`.
 */
export class FakeMediaStreamTrack extends EventTarget implements MediaStreamTrack {
  readonly id = newId('track');
  readonly kind: 'audio' | 'video';
  readonly label: string;
  readonly contentHint = '';
  readonly muted = false;
  enabled = true;
  readyState: MediaStreamTrackState = 'live';
  onended: ((event: Event) => void) | null = null;
  onmute: ((event: Event) => void) | null = null;
  onunmute: ((event: Event) => void) | null = null;
  /** When set, `stop()` throws it (after ending the track is NOT done): for testing teardown resilience. */
  stopError: unknown;
  /** How many times `stop()` was called. */
  stopCalls = 0;
  readonly #deviceId: string;

  constructor(kind: 'audio' | 'video', options: { label?: string; deviceId?: string } = {}) {
    super();
    this.kind = kind;
    this.label = options.label ?? `fake ${kind}`;
    this.#deviceId = options.deviceId ?? `fake-${kind}-device`;
  }

  stop(): void {
    this.stopCalls++;
    if (this.stopError !== undefined) throw this.stopError;
    this.readyState = 'ended';
  }

  /** Ends the track from outside (device gone, browser "Stop sharing"): fires `ended`. */
  endFromDevice(): void {
    if (this.readyState === 'ended') return;
    this.readyState = 'ended';
    const event = new Event('ended');
    if (!dispatchCallsHandlerProperties()) this.onended?.(event);
    this.dispatchEvent(event);
  }

  getSettings(): MediaTrackSettings {
    return { deviceId: this.#deviceId };
  }

  getConstraints(): MediaTrackConstraints {
    return {};
  }

  applyConstraints(): Promise<void> {
    return Promise.resolve();
  }

  getCapabilities(): MediaTrackCapabilities {
    return {};
  }

  clone(): FakeMediaStreamTrack {
    return new FakeMediaStreamTrack(this.kind, { label: this.label, deviceId: this.#deviceId });
  }
}

/** A `MediaStream` stand-in holding {@link FakeMediaStreamTrack}s. */
export class FakeMediaStream extends EventTarget implements MediaStream {
  readonly id = newId('stream');
  onaddtrack: ((event: MediaStreamTrackEvent) => void) | null = null;
  onremovetrack: ((event: MediaStreamTrackEvent) => void) | null = null;
  readonly #tracks: MediaStreamTrack[];

  constructor(tracks: Iterable<MediaStreamTrack> = []) {
    super();
    this.#tracks = [...tracks];
  }

  get active(): boolean {
    return this.#tracks.some((track) => track.readyState === 'live');
  }

  getTracks(): MediaStreamTrack[] {
    return [...this.#tracks];
  }

  getAudioTracks(): MediaStreamTrack[] {
    return this.#tracks.filter((track) => track.kind === 'audio');
  }

  getVideoTracks(): MediaStreamTrack[] {
    return this.#tracks.filter((track) => track.kind === 'video');
  }

  getTrackById(id: string): MediaStreamTrack | null {
    return this.#tracks.find((track) => track.id === id) ?? null;
  }

  addTrack(track: MediaStreamTrack): void {
    if (!this.#tracks.includes(track)) this.#tracks.push(track);
  }

  removeTrack(track: MediaStreamTrack): void {
    const index = this.#tracks.indexOf(track);
    if (index >= 0) this.#tracks.splice(index, 1);
  }

  clone(): FakeMediaStream {
    return new FakeMediaStream(this.#tracks.map((track) => track.clone()));
  }
}

/**
 * The fake behind a track a session exposes (`session.localStream.getVideoTracks()[0]`), to drive it
 * (`endFromDevice()`, `stopError`): a checked narrowing, so tests need no cast.
 * @throws TypeError when the track is not a {@link FakeMediaStreamTrack}.
 */
export function fakeTrack(track: MediaStreamTrack | undefined): FakeMediaStreamTrack {
  if (!(track instanceof FakeMediaStreamTrack)) throw new TypeError('not a FakeMediaStreamTrack');
  return track;
}

/** Builds a fake stream with one audio and/or one video track. */
export function createFakeMediaStream(
  kinds: { audio?: boolean; video?: boolean } = { audio: true, video: true },
): FakeMediaStream {
  const tracks: FakeMediaStreamTrack[] = [];
  if (kinds.audio) tracks.push(new FakeMediaStreamTrack('audio'));
  if (kinds.video) tracks.push(new FakeMediaStreamTrack('video'));
  return new FakeMediaStream(tracks);
}

let handlerPropertiesCalled: boolean | undefined;

/**
 * Whether this environment's `EventTarget#dispatchEvent` also calls `on<type>` properties (happy-dom's does,
 * Node's does not). The fakes fire each event once either way.
 * @internal
 */
export function dispatchCallsHandlerProperties(): boolean {
  if (handlerPropertiesCalled === undefined) {
    let called = false;
    // happy-dom only calls on<type> properties of EventTarget subclasses, so the probe is one.
    class HandlerProbe extends EventTarget {
      onhangupprobe = () => {
        called = true;
      };
    }
    const probe = new HandlerProbe();
    probe.dispatchEvent(new Event('hangupprobe'));
    handlerPropertiesCalled = called;
  }
  return handlerPropertiesCalled;
}
