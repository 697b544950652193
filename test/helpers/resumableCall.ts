import { WebSocket } from 'ws';
import {
  CallSession,
  type CallSessionOptions,
  type SignalingEvent,
  type SignalMessage,
  WebSocketSignaling,
} from '../../src/index.js';
import type { WrtcSide } from './wrtcCall.js';
import { recordingWrtcRuntime } from './wrtcRuntime.js';

/** One side of a real call over `WebSocketSignaling`, with everything it sent and received recorded. */
export interface ResumableSide extends WrtcSide {
  signaling: WebSocketSignaling;
  /** Every message the session handed to the adapter, in order. */
  sent: SignalMessage[];
  /** Every message the adapter delivered, in order (recorded apart from the session, even after it ended). */
  received: unknown[];
  /** The adapter's other events, in order (`interrupted`, `resumed`, `peer-left`, …). */
  control: SignalingEvent['type'][];
  /** The peer connections the session created (to call `restartIce()` and read the ICE credentials). */
  pcs: RTCPeerConnection[];
  remoteMutes: { kind: string; muted: boolean }[];
}

/**
 * A real @roamhq/wrtc session whose signaling is a resumable `WebSocketSignaling` to `url`. The app owns the
 * adapter (the session never closes it), so the test can watch it across an interruption.
 */
export function resumableSide(
  url: string,
  room: string,
  polite: boolean,
  options: Partial<CallSessionOptions> = {},
): ResumableSide {
  const signaling = new WebSocketSignaling({ url, room, WebSocket });
  const sent: SignalMessage[] = [];
  const received: unknown[] = [];
  const control: SignalingEvent['type'][] = [];
  signaling.subscribe((event) => {
    if (event.type === 'message') received.push(event.data);
    else control.push(event.type);
  });
  const recording = {
    send: (message: SignalMessage) => {
      sent.push(structuredClone(message));
      return signaling.send(message);
    },
    subscribe: (listener: (event: SignalingEvent) => void) => signaling.subscribe(listener),
  };
  const { runtime, pcs } = recordingWrtcRuntime();
  const debug: string[] = [];
  const session = new CallSession({
    signaling: recording,
    polite,
    runtime,
    connectTimeoutMs: 20_000,
    logger: { debug: (message) => debug.push(message), info: () => {}, warn: () => {}, error: () => {} },
    ...options,
  });
  const side: ResumableSide = {
    session,
    signaling,
    tracks: [],
    errors: [],
    debug,
    sent,
    received,
    control,
    pcs,
    remoteMutes: [],
  };
  session.on('localStream', (stream) => side.tracks.push(...stream.getTracks()));
  session.on('error', (error) => side.errors.push(error));
  session.on('remoteMute', (mute) => side.remoteMutes.push(mute));
  return side;
}

/** Waits until `check()` holds, polling; throws naming `what` after `ms`. */
export async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The ICE username fragment of a description (changes with an ICE restart). */
export function ufrag(description: RTCSessionDescription | null | undefined): string | undefined {
  return /a=ice-ufrag:(\S+)/.exec(description?.sdp ?? '')?.[1];
}
