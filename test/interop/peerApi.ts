/**
 * The one interface the interop matrix drives, whatever runs the peer: a page in Chromium or Firefox
 * (page/peer.ts, through the browser driver) or a Node process on @roamhq/wrtc (nodePeer.ts). Every method takes
 * and returns plain JSON, so the browser implementation is a thin `evaluate` over the same calls.
 */
import type { EndReason, LiveResources } from '../../src/index.js';

/** How one peer joins a call. */
export interface PeerStartOptions {
  /** The relay's `ws://127.0.0.1:port` URL. */
  url: string;
  room: string;
  polite: boolean;
}

/** What arrived from the peer so far (cumulative counters). */
export interface MediaCounts {
  /** Video frames decoded (`framesDecoded` of inbound-rtp in browsers, RTCVideoSink frames in Node). */
  videoFrames: number;
  /** Audio packets received (inbound-rtp `packetsReceived`; RTCAudioSink chunks in Node). */
  audioPackets: number;
  /** Application messages received over the session's data channel. */
  messages: string[];
}

/** What a peer saw of its call. */
export interface PeerReport {
  /** `room:polite` or `room:impolite`: which side of which call (beacons from closing tabs carry it). */
  side: string;
  state: string;
  endReason: EndReason | undefined;
  /** `code: message` of every `error` event. */
  errors: string[];
  /** `remoteMute` events as `kind:muted`. */
  remoteMutes: string[];
  /** Remote ICE username fragment of the current remote description (changes on an ICE restart). */
  remoteUfrag: string | undefined;
  /** `liveResources()` right when the session ended (undefined while it runs). */
  resourcesAtEnd: LiveResources | undefined;
  /** Local tracks the session exposed that are not `ended` (checked when it ended). */
  liveTracksAtEnd: number | undefined;
  /** Milliseconds from the call's `start()` to its end (undefined while it runs). */
  endedAfterMs: number | undefined;
  /** The session's last log lines (browsers only), for a failing cell's message. */
  log?: string[];
}

/** One side of an interop call. */
export interface InteropPeer {
  /** `chromium`, `firefox` or `node`. */
  readonly runtime: string;
  /** Starts the call; resolves with the state once `start()` settled (`connected`, or `ended`). */
  start(options: PeerStartOptions): Promise<string>;
  counts(): Promise<MediaCounts>;
  report(): Promise<PeerReport>;
  send(text: string): Promise<void>;
  setMuted(kind: 'audio' | 'video', muted: boolean): Promise<void>;
  /** Switches the camera to a freshly acquired one; resolves with the new track's id. */
  switchCamera(): Promise<string>;
  /** Calls `restartIce()` on the session's peer connection (what a network change would trigger). */
  restartIce(): Promise<void>;
  /** Local hang-up. */
  end(): Promise<void>;
  /** Resolves once the call ended (bounded by the caller). */
  ended(): Promise<PeerReport>;
  /** Closes the peer's host: the tab (running `beforeunload`/`pagehide`) or, in Node, the session and socket. */
  close(): Promise<void>;
  /** Navigates the tab to another page (browsers only). */
  navigateAway?(): Promise<void>;
}
