import { CallSession, createInMemorySignalingPair, type RtcRuntime } from '../../src/index.js';
import {
  type BenchAdapter,
  type CallHandle,
  getUserMedia,
  loopbackOnly,
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
  async connect(): Promise<CallHandle> {
    const pair = createInMemorySignalingPair();
    const localTracks: MediaStreamTrack[] = [];
    const make = (side: 'a' | 'b') => {
      const session = new CallSession({
        signaling: loopbackOnly(pair[side]),
        polite: side === 'a',
        runtime,
        rtcConfiguration: RTC_CONFIGURATION,
      });
      session.on('localStream', (stream) => localTracks.push(...stream.getTracks()));
      return session;
    };
    let a: CallSession | undefined = make('a');
    const b = make('b');
    const remoteEnded = b.ended.then(() => undefined);
    await Promise.all([a.start(), b.start()]);
    return {
      localTracks,
      hangUp() {
        a?.end();
        a = undefined;
      },
      remoteEnded,
    };
  },
};
