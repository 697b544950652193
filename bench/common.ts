import wrtc from '@roamhq/wrtc';
import type { SignalingAdapter, SignalMessage } from '../src/index.js';

/** The same configuration for every adapter: no STUN/TURN, host candidates only. */
export const RTC_CONFIGURATION: RTCConfiguration = { iceServers: [] };

/** The same media for every adapter: @roamhq/wrtc's fake camera and microphone. */
export const MEDIA_CONSTRAINTS: MediaStreamConstraints = { audio: true, video: true };

export const RTCPeerConnectionCtor = wrtc.RTCPeerConnection as unknown as typeof RTCPeerConnection;

export function getUserMedia(constraints: MediaStreamConstraints = MEDIA_CONSTRAINTS): Promise<MediaStream> {
  return wrtc.getUserMedia(constraints) as unknown as Promise<MediaStream>;
}

/**
 * One call as the harness sees it, whatever the library. `connect()` of an adapter resolves once both
 * sides are connected; then the harness hangs up side A and waits until side B knows.
 */
export interface CallHandle {
  /** Every local track of both sides, so the harness can check none is left running. */
  readonly localTracks: MediaStreamTrack[];
  /** Side A ends the call the way the library's users would. */
  hangUp(): void;
  /**
   * Resolves when the call can be hung up in a way the remote notices (the raw pair's data channel is open
   * on both sides). Awaited outside both timed regions.
   */
  readonly ready?: Promise<void>;
  /** Resolves when side B has learned that the call ended (and has released its side). */
  readonly remoteEnded: Promise<void>;
}

export interface BenchAdapter {
  readonly name: AdapterName;
  /** Starts a call on two fresh peers; resolves when both sides report connected. */
  connect(): Promise<CallHandle>;
  /**
   * The `--media-first` scenario (#13): media acquired by the harness before the timed region, so only the
   * libraries' own work is measured. A sends `stream`, B receives only. Absent: the adapter does not take part.
   */
  connectWithMedia?(stream: MediaStream): Promise<CallHandle>;
}

export type AdapterName = 'raw' | 'hangup' | 'simple-peer';
export const ADAPTER_NAMES: readonly AdapterName[] = ['raw', 'hangup', 'simple-peer'];

/** Only 127.0.0.1 host candidates are passed on: the issue asks for a pure loopback path. */
export function isLoopbackCandidate(candidate: string | undefined): boolean {
  return typeof candidate === 'string' && / 127\.0\.0\.1 \d+ typ host/.test(candidate);
}

/** Drops non-loopback `a=candidate` lines a description may carry (simple-peer reads them back). */
export function loopbackSdp(sdp: string): string {
  return sdp
    .split('\r\n')
    .filter((line) => !line.startsWith('a=candidate:') || isLoopbackCandidate(line))
    .join('\r\n');
}

/** A hangup signaling adapter that forwards only loopback candidates (same filter as the others). */
export function loopbackOnly(adapter: SignalingAdapter): SignalingAdapter {
  return {
    send(message: SignalMessage) {
      if (
        message.type === 'candidate' &&
        message.candidate &&
        !isLoopbackCandidate(message.candidate.candidate)
      ) {
        return;
      }
      return adapter.send(message);
    },
    subscribe: (listener) => adapter.subscribe(listener),
  };
}

/** Stops whatever the library left running, so one sample cannot leak into the next. */
export function stopLeftovers(tracks: MediaStreamTrack[]): number {
  let live = 0;
  for (const track of tracks) {
    if (track.readyState === 'live') {
      live++;
      track.stop();
    }
  }
  tracks.length = 0;
  return live;
}

/** A promise with its resolve function, for events that arrive later. */
export function deferred<T = void>(): {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
