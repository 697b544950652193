import { createInMemorySignalingPair } from '../../src/index.js';
import {
  type BenchAdapter,
  type CallHandle,
  deferred,
  getUserMedia,
  isLoopbackCandidate,
  RTC_CONFIGURATION,
  RTCPeerConnectionCtor,
} from '../common.js';

type RawSignal =
  | { kind: 'description'; description: RTCSessionDescriptionInit }
  | { kind: 'candidate'; candidate: RTCIceCandidateInit };

/**
 * The practical floor: two bare RTCPeerConnections with the same tracks plus one data channel, one
 * offer/answer, trickled loopback candidates, over the same in-memory signaling pair hangup uses. Hanging up
 * is `pc.close()`; the remote learns it from its data channel's `close` event. Tracks are not stopped: that
 * is what a raw pair does unless the application remembers to. Connected is `connectionState === 'connected'` on
 * both sides (the same criterion hangup uses); the data channel may open a moment later, and the harness
 * waits for it outside the timed regions.
 */
export const rawAdapter: BenchAdapter = {
  name: 'raw',
  async connect(): Promise<CallHandle> {
    const [streamA, streamB] = await Promise.all([getUserMedia(), getUserMedia()]);
    return rawCall(streamA, streamB);
  },
  connectWithMedia: (stream) => rawCall(stream, undefined),
};

/** The raw pair: A sends `streamA`; B sends `streamB`, or receives only without one. */
async function rawCall(streamA: MediaStream, streamB: MediaStream | undefined): Promise<CallHandle> {
  const pair = createInMemorySignalingPair();
  let a: RTCPeerConnection | undefined = new RTCPeerConnectionCtor(RTC_CONFIGURATION);
  let b: RTCPeerConnection | undefined = new RTCPeerConnectionCtor(RTC_CONFIGURATION);
  const connected = [deferred(), deferred()] as const;
  const remoteEnded = deferred();
  const channelOpenB = deferred();
  const unsubscribes: Array<() => void> = [];
  // A per-side chain, so a candidate is never added before the remote description it belongs to.
  const chains = [Promise.resolve(), Promise.resolve()];

  const wire = (pc: RTCPeerConnection, index: 0 | 1, send: (signal: RawSignal) => void) => {
    pc.onicecandidate = (event) => {
      if (event.candidate && isLoopbackCandidate(event.candidate.candidate)) {
        send({ kind: 'candidate', candidate: event.candidate.toJSON() });
      }
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'connected') connected[index].resolve();
    };
  };
  const send = (from: 'a' | 'b') => (signal: RawSignal) => pair[from].send(signal as never);
  wire(a, 0, send('a'));
  wire(b, 1, send('b'));

  for (const track of streamA.getTracks()) a.addTrack(track, streamA);
  const channelA = a.createDataChannel('bye');
  b.ondatachannel = (event) => {
    channelOpenB.resolve();
    event.channel.onclose = () => {
      // The remote side releases its own connection when it learns of the end.
      const pcB = b;
      b = undefined;
      if (pcB) closeQuietly(pcB);
      event.channel.onclose = null;
      remoteEnded.resolve();
    };
  };

  unsubscribes.push(
    pair.b.subscribe((event) => {
      if (event.type !== 'message' || !b) return;
      const signal = event.data as RawSignal;
      const pc = b;
      chains[1] = chains[1]!
        .then(async () => {
          if (signal.kind === 'candidate') return pc.addIceCandidate(signal.candidate);
          await pc.setRemoteDescription(signal.description);
          for (const track of streamB?.getTracks() ?? []) pc.addTrack(track, streamB!);
          const answer = await pc.createAnswer();
          await pc.setLocalDescription(answer);
          send('b')({ kind: 'description', description: { type: answer.type, sdp: answer.sdp } });
        })
        .catch(ignoreOnceClosed(() => b));
    }),
    pair.a.subscribe((event) => {
      if (event.type !== 'message' || !a) return;
      const signal = event.data as RawSignal;
      const pc = a;
      chains[0] = chains[0]!
        .then(() =>
          signal.kind === 'candidate'
            ? pc.addIceCandidate(signal.candidate)
            : pc.setRemoteDescription(signal.description),
        )
        .catch(ignoreOnceClosed(() => a));
    }),
  );

  const offer = await a.createOffer();
  await a.setLocalDescription(offer);
  send('a')({ kind: 'description', description: { type: offer.type, sdp: offer.sdp } });
  await Promise.all([connected[0].promise, connected[1].promise]);

  return {
    localTracks: [...streamA.getTracks(), ...(streamB?.getTracks() ?? [])],
    hangUp() {
      const pcA = a;
      a = undefined;
      channelA.close();
      if (pcA) closeQuietly(pcA);
      for (const unsubscribe of unsubscribes) unsubscribe();
    },
    ready: channelOpenB.promise,
    remoteEnded: remoteEnded.promise,
  };
}

/**
 * A candidate still in line when its connection is closed (a late trickle after the hang-up) fails with
 * "RTCPeerConnection is closed": expected then, and not worth an unhandled rejection. Any other failure
 * still surfaces.
 */
function ignoreOnceClosed(current: () => RTCPeerConnection | undefined) {
  return (error: unknown) => {
    if (current()) throw error;
  };
}

function closeQuietly(pc: RTCPeerConnection): void {
  pc.onicecandidate = null;
  pc.onconnectionstatechange = null;
  pc.ondatachannel = null;
  pc.close();
}
