import type { Clock } from '../clock.js';
import { realClock } from '../clock.js';
import type { Logger } from '../logger.js';
import { isLogger, safeLogger, silentLogger } from '../logger.js';
import { DEFAULT_MAX_REMOTE_CANDIDATES } from '../peer/IceCandidateQueue.js';
import type { RtcRuntime } from '../runtime.js';
import { resolveRuntime } from '../runtime.js';
import { isSignalingAdapter } from '../signaling/SignalingLink.js';
import type { SignalingSource } from '../signaling/types.js';

/** Options of `new CallSession(options)`. */
export interface CallSessionOptions {
  /**
   * How messages reach the peer. Required. An adapter instance stays the app's (never closed by the
   * session); a function returning one is called in `start()`, and that adapter is owned and closed at
   * teardown, after the `bye`.
   * @example signaling: () => new WebSocketSignaling({ url, room })
   */
  signaling: SignalingSource;
  /** Perfect-negotiation role: exactly one of the two peers must be polite. Required. */
  polite: boolean;
  /**
   * Local media: constraints to acquire, a `MediaStream` the app already has, or `false` to receive only.
   * @default { audio: true, video: true }
   */
  media?: MediaStreamConstraints | MediaStream | false;
  /**
   * Whether a stream handed in through `media` is owned: stopped at teardown, whenever the call ends (even
   * before `start()`). With `false` the app keeps it: `localStream` is then a stream of the session's own
   * holding the same tracks (a device switch or screen share swaps tracks there, never in the app's
   * stream), and the session stops only tracks it acquired itself.
   * @default true
   */
  stopProvidedStream?: boolean;
  /**
   * Passed to `RTCPeerConnection`.
   * @default {}
   */
  rtcConfiguration?: RTCConfiguration;
  /**
   * Milliseconds from `start()` to the first `connected`, media acquisition included; `0` disables.
   * @default 30_000
   */
  connectTimeoutMs?: number;
  /** Call length limit in milliseconds, counted from the first `connected`; expiry ends with `'expired'`. */
  maxDurationMs?: number;
  /**
   * `expiring` fires this long before expiry.
   * @default 30_000
   */
  expiryWarningMs?: number;
  /**
   * Period of `tick` while a duration is being counted.
   * @default 1_000
   */
  tickMs?: number;
  /**
   * How long an ICE `disconnected` may last before an ICE restart.
   * @default 3_000
   */
  disconnectGraceMs?: number;
  /**
   * ICE restarts tried before ending with `'ice-failed'`.
   * @default 2
   */
  maxIceRestarts?: number;
  /**
   * How long one ICE restart may take before the next (or the end).
   * @default 10_000
   */
  iceRestartTimeoutMs?: number;
  /**
   * Cap on remote candidates buffered before the remote description; overflow is an `error` event.
   * @default 256
   */
  maxQueuedCandidates?: number;
  /**
   * Most remote candidates one ICE generation (one set of the peer's ICE credentials, renewed by an ICE
   * restart) may bring to the peer connection, queued ones and those its description lists included;
   * over the whole call, at most twice this. The rest are dropped, with one `CANDIDATE_LIMIT` error event
   * per generation. Real endpoints send tens per generation (host addresses of each interface over UDP
   * and TCP, a reflexive one, a few relays); every remote candidate costs the runtime connection objects
   * and ICE checks, and on @roamhq/wrtc a few thousand froze the event loop for seconds and made `end()`
   * take tens of seconds. 64 leaves headroom for a multi-homed dual-stack peer (a four-section
   * @roamhq/wrtc offer before bundling lists 32) and keeps what a peer can pile up small (figures in
   * docs/reliability.md).
   * @default 64
   */
  maxRemoteCandidates?: number;
  /** Stamped on outbound messages; inbound messages carrying another `callId` are dropped. */
  callId?: string;
  /**
   * Where a window exists, `pagehide` ends the call with `'page-hide'`.
   * @default true
   */
  endOnPageHide?: boolean;
  /**
   * The WebRTC implementation. In Node pass `@roamhq/wrtc`'s `RTCPeerConnection` and `getUserMedia`.
   * @default the browser's globals
   */
  runtime?: RtcRuntime;
  /**
   * Time source for every timer (tests pass `ManualClock` from `hangup/testing`).
   * @default real timers
   */
  clock?: Clock;
  /**
   * Diagnostics. SDP and candidates are never logged above `debug`.
   * @default silent
   */
  logger?: Logger;
  /**
   * When acquiring `media` constraints that ask for both audio and video fails, try audio alone and go on
   * as an audio-only call (an `error` event with a `MediaAcquisitionError` says why video was dropped).
   * When audio alone fails too, the call ends with `'media-error'` carrying the original error.
   * @default false
   */
  fallbackToAudioOnly?: boolean;
  /**
   * Period of the `quality` event (a `getStats()` summary) while connected; `0` or absent: no event.
   * @default undefined (off)
   */
  statsIntervalMs?: number;
  /**
   * Whether the session opens its data channels (`send()`/`message`, and the second path of `bye`).
   * Both peers must agree. Turn off only to keep SDP free of a data section.
   * @default true
   */
  dataChannel?: boolean;
}

/** Options after validation, with every default filled in. */
export interface ResolvedOptions {
  readonly signaling: SignalingSource;
  readonly polite: boolean;
  readonly media: MediaStreamConstraints | MediaStream | false;
  readonly stopProvidedStream: boolean;
  readonly rtcConfiguration: RTCConfiguration;
  readonly connectTimeoutMs: number;
  readonly maxDurationMs: number | undefined;
  readonly expiryWarningMs: number;
  readonly tickMs: number;
  readonly disconnectGraceMs: number;
  readonly maxIceRestarts: number;
  readonly iceRestartTimeoutMs: number;
  readonly maxQueuedCandidates: number;
  readonly maxRemoteCandidates: number;
  readonly callId: string | undefined;
  readonly endOnPageHide: boolean;
  readonly runtime: RtcRuntime;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly fallbackToAudioOnly: boolean;
  readonly statsIntervalMs: number;
  readonly dataChannel: boolean;
}

/**
 * Validates options and fills in defaults.
 * @throws TypeError for a missing or malformed option, with a message that says how to fix it.
 */
export function resolveOptions(options: CallSessionOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('CallSession needs an options object: new CallSession({ signaling, polite })');
  }
  const { signaling } = options;
  if (typeof signaling !== 'function' && !isSignalingAdapter(signaling)) {
    throw new TypeError(
      'options.signaling must be a SignalingAdapter with send() and subscribe() (e.g. createInMemorySignalingPair().a), or a function returning one',
    );
  }
  if (typeof options.polite !== 'boolean') {
    throw new TypeError('options.polite must be true on exactly one of the two peers and false on the other');
  }
  const media = options.media ?? { audio: true, video: true };
  if (media !== false && (typeof media !== 'object' || media === null)) {
    throw new TypeError(
      'options.media must be MediaStreamConstraints, a MediaStream, or false (receive only)',
    );
  }
  if (options.callId !== undefined && (typeof options.callId !== 'string' || options.callId === '')) {
    throw new TypeError('options.callId must be a non-empty string when given');
  }
  const maxDurationMs = options.maxDurationMs;
  if (maxDurationMs !== undefined) positive('maxDurationMs', maxDurationMs);
  const expiryWarningMs = nonNegative('expiryWarningMs', options.expiryWarningMs ?? 30_000);
  return {
    signaling,
    polite: options.polite,
    media,
    stopProvidedStream: boolean('stopProvidedStream', options.stopProvidedStream ?? true),
    rtcConfiguration: plainObject('rtcConfiguration', options.rtcConfiguration ?? {}),
    connectTimeoutMs: nonNegative('connectTimeoutMs', options.connectTimeoutMs ?? 30_000),
    maxDurationMs,
    expiryWarningMs,
    tickMs: positive('tickMs', options.tickMs ?? 1_000),
    disconnectGraceMs: nonNegative('disconnectGraceMs', options.disconnectGraceMs ?? 3_000),
    maxIceRestarts: integer('maxIceRestarts', options.maxIceRestarts ?? 2),
    iceRestartTimeoutMs: positive('iceRestartTimeoutMs', options.iceRestartTimeoutMs ?? 10_000),
    maxQueuedCandidates: integer('maxQueuedCandidates', options.maxQueuedCandidates ?? 256),
    maxRemoteCandidates: integer(
      'maxRemoteCandidates',
      options.maxRemoteCandidates ?? DEFAULT_MAX_REMOTE_CANDIDATES,
      1,
    ),
    callId: options.callId,
    endOnPageHide: boolean('endOnPageHide', options.endOnPageHide ?? true),
    runtime: resolveRuntime(options.runtime),
    clock: resolveClock(options.clock),
    logger: resolveLogger(options.logger),
    fallbackToAudioOnly: options.fallbackToAudioOnly ?? false,
    statsIntervalMs: nonNegative('statsIntervalMs', options.statsIntervalMs ?? 0),
    dataChannel: boolean('dataChannel', options.dataChannel ?? true),
  };
}

function resolveClock(clock: Clock | undefined): Clock {
  if (clock === undefined) return realClock;
  const valid =
    typeof clock === 'object' &&
    clock !== null &&
    typeof clock.now === 'function' &&
    typeof clock.setTimeout === 'function' &&
    typeof clock.clearTimeout === 'function';
  if (!valid) {
    throw new TypeError(
      'options.clock must have now(), setTimeout(fn, ms) and clearTimeout(handle) (e.g. new ManualClock())',
    );
  }
  return clock;
}

function resolveLogger(logger: Logger | undefined): Logger {
  if (logger === undefined) return silentLogger;
  if (!isLogger(logger)) {
    throw new TypeError('options.logger must have debug(), info(), warn() and error() (console works)');
  }
  return safeLogger(logger);
}

function boolean(name: string, value: boolean): boolean {
  if (typeof value !== 'boolean')
    throw new TypeError(`options.${name} must be true or false (got ${String(value)})`);
  return value;
}

function plainObject<T>(name: string, value: T): T {
  if (typeof value !== 'object' || value === null) throw new TypeError(`options.${name} must be an object`);
  return value;
}

function nonNegative(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(
      `options.${name} must be a finite number of milliseconds >= 0 (got ${String(value)})`,
    );
  }
  return value;
}

function positive(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`options.${name} must be a finite number of milliseconds > 0 (got ${String(value)})`);
  }
  return value;
}

function integer(name: string, value: number, min = 0): number {
  if (!Number.isInteger(value) || value < min) {
    throw new TypeError(`options.${name} must be a whole number >= ${min} (got ${String(value)})`);
  }
  return value;
}
