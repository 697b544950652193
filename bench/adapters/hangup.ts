import { CallSession, createInMemorySignalingPair, type RtcRuntime } from '../../src/index.js';
import {
  type BenchAdapter,
  type CallHandle,
  getUserMedia,
  loopbackOnly,
  MEDIA_CONSTRAINTS,
  RTC_CONFIGURATION,
  RTCPeerConnectionCtor,
} from '../common.js';

const runtime: RtcRuntime = { RTCPeerConnection: RTCPeerConnectionCtor, getUserMedia };

/**
 * hangup as its users write it: two CallSessions over the in-memory signaling pair, default media
 * (`{ audio: true, video: true }` through the runtime's getUserMedia), `end()` on one side; the other side
 * learns it from the `bye` and ends with `'remote-hangup'`.
 */
export const hangupAdapter: BenchAdapter = {
  name: 'hangup',
  // The same constraints as the other adapters (also hangup's default), stated so it is plain to see.
  connect: () => hangupCall(MEDIA_CONSTRAINTS, MEDIA_CONSTRAINTS),
  // Media acquired by the harness before the timed region: A sends it (and owns it), B receives only.
  connectWithMedia: (stream) => hangupCall(stream, false),
};

/**
 * The two sessions of one bench call over a fresh in-memory pair: A polite with `mediaA`, B with `mediaB`,
 * default options otherwise, loopback candidates only.
 */
export function hangupSessions(
  mediaA: MediaStreamConstraints | MediaStream,
  mediaB: MediaStreamConstraints | false,
  rtcRuntime: RtcRuntime = runtime,
): [CallSession, CallSession] {
  const pair = createInMemorySignalingPair();
  const make = (side: 'a' | 'b') =>
    new CallSession({
      signaling: loopbackOnly(pair[side]),
      polite: side === 'a',
      runtime: rtcRuntime,
      media: side === 'a' ? mediaA : mediaB,
      rtcConfiguration: RTC_CONFIGURATION,
    });
  return [make('a'), make('b')];
}

async function hangupCall(
  mediaA: MediaStreamConstraints | MediaStream,
  mediaB: MediaStreamConstraints | false,
): Promise<CallHandle> {
  const [first, b] = hangupSessions(mediaA, mediaB);
  let a: CallSession | undefined = first;
  const remoteEnded = b.ended.then(() => undefined);
  await Promise.all([a.start(), b.start()]);
  // Collected once connected, as the raw and simple-peer adapters do: a `localStream` listener would put
  // the harness's own getTracks() calls (native in @roamhq/wrtc) on hangup's path to the first offer.
  const localTracks = [...(a.localStream?.getTracks() ?? []), ...(b.localStream?.getTracks() ?? [])];
  return {
    localTracks,
    hangUp() {
      a?.end();
      a = undefined;
    },
    remoteEnded,
  };
}
