import wrtc from '@roamhq/wrtc';
import SimplePeer from 'simple-peer';
import { createInMemorySignalingPair } from '../../src/index.js';
import {
  type BenchAdapter,
  type CallHandle,
  deferred,
  getUserMedia,
  isLoopbackCandidate,
  loopbackSdp,
  RTC_CONFIGURATION,
} from '../common.js';

/**
 * simple-peer 9.11.1 on the same @roamhq/wrtc, the same media and the same in-memory signaling pair.
 * Connected is its `connect` event; hanging up is `destroy()`; the remote learns it from its own `close`
 * event (simple-peer notices the data channel closing). simple-peer never stops the stream it was given.
 */
export const simplePeerAdapter: BenchAdapter = {
  name: 'simple-peer',
  async connect(): Promise<CallHandle> {
    const pair = createInMemorySignalingPair();
    const [streamA, streamB] = await Promise.all([getUserMedia(), getUserMedia()]);
    const make = (initiator: boolean, stream: MediaStream) =>
      new SimplePeer({ initiator, wrtc, stream, config: RTC_CONFIGURATION, trickle: true });
    let a: SimplePeer.Instance | undefined = make(true, streamA);
    let b: SimplePeer.Instance | undefined = make(false, streamB);
    const connected = [deferred(), deferred()] as const;
    const remoteEnded = deferred();
    const unsubscribes: Array<() => void> = [];

    const wire = (peer: SimplePeer.Instance, index: 0 | 1, from: 'a' | 'b') => {
      // simple-peer emits `error` on destroy races; an unhandled one would throw.
      peer.on('error', () => {});
      peer.on('connect', () => connected[index].resolve());
      peer.on('signal', (data: SimplePeer.SignalData) => {
        const signal = data as { candidate?: RTCIceCandidateInit; sdp?: string };
        if (signal.candidate && !isLoopbackCandidate(signal.candidate.candidate)) return;
        const clean = signal.sdp ? { ...signal, sdp: loopbackSdp(signal.sdp) } : signal;
        pair[from].send(clean as never);
      });
      const to = from === 'a' ? 'b' : 'a';
      unsubscribes.push(
        pair[to].subscribe((event) => {
          const target = to === 'a' ? a : b;
          if (event.type === 'message' && target && !target.destroyed)
            target.signal(event.data as SimplePeer.SignalData);
        }),
      );
    };
    wire(a, 0, 'a');
    wire(b, 1, 'b');
    b.once('close', () => {
      b?.removeAllListeners();
      b = undefined;
      remoteEnded.resolve();
    });
    await Promise.all([connected[0].promise, connected[1].promise]);

    return {
      localTracks: [...streamA.getTracks(), ...streamB.getTracks()],
      hangUp() {
        const peer = a;
        a = undefined;
        peer?.destroy();
        peer?.removeAllListeners('signal');
        for (const unsubscribe of unsubscribes) unsubscribe();
      },
      remoteEnded: remoteEnded.promise,
    };
  },
};
