import wrtc from '@roamhq/wrtc';
import type { RtcRuntime } from '../../src/index.js';
import { createNodeMediaRuntime, type NodeMediaRuntime, type WrtcModuleLike } from '../../src/node/index.js';

/** The `@roamhq/wrtc` module as `hangup/node` takes it. */
export const wrtcModule = wrtc as unknown as WrtcModuleLike;

/**
 * @roamhq/wrtc as a hangup runtime that sends real media: `hangup/node`'s generated test pattern and tone
 * (wrtc's own getUserMedia tracks send no RTP at all). Small and slow frames: the suite shares two cores.
 */
export const wrtcRuntime: NodeMediaRuntime = createNodeMediaRuntime(wrtcModule, {
  video: { width: 160, height: 120, frameRate: 10 },
});

/** wrtc's own getUserMedia (tracks that send nothing), for tests about acquisition itself. */
export const wrtcGetUserMediaRuntime: RtcRuntime = {
  RTCPeerConnection: wrtc.RTCPeerConnection as unknown as RtcRuntime['RTCPeerConnection'],
  getUserMedia: (constraints) => wrtc.getUserMedia(constraints) as unknown as Promise<MediaStream>,
};

/**
 * Counts the frames wrtc decodes from `track` (a remote video track) through `nonstandard.RTCVideoSink`, and
 * the audio chunks from `RTCAudioSink`. `stop()` detaches the sink; call it before the call ends.
 */
export function countFrames(track: MediaStreamTrack): { readonly count: number; stop(): void } {
  type Sink = { onframe?: (() => void) | null; ondata?: (() => void) | null; stop(): void };
  const sinks = wrtc.nonstandard as unknown as {
    RTCVideoSink: new (track: MediaStreamTrack) => Sink;
    RTCAudioSink: new (track: MediaStreamTrack) => Sink;
  };
  let count = 0;
  const video = track.kind === 'video';
  const sink = video ? new sinks.RTCVideoSink(track) : new sinks.RTCAudioSink(track);
  // wrtc's sinks dispatch `frame` / `data` events and call the matching `on…` property.
  const onEvent = () => {
    count++;
  };
  if (video) sink.onframe = onEvent;
  else sink.ondata = onEvent;
  return {
    get count() {
      return count;
    },
    stop() {
      sink.onframe = null;
      sink.ondata = null;
      sink.stop();
    },
  };
}

/** Resolves once `counter.count` grows by `more`, or rejects after `timeoutMs`. */
export async function framesArrive(
  counter: { readonly count: number },
  more: number,
  timeoutMs = 10_000,
): Promise<number> {
  const target = counter.count + more;
  const deadline = Date.now() + timeoutMs;
  while (counter.count < target) {
    if (Date.now() > deadline) {
      throw new Error(`only ${counter.count} of ${target} frames arrived within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return counter.count;
}

/** {@link wrtcRuntime} with every peer connection it builds kept in `pcs`, for tests that act on them. */
export function recordingWrtcRuntime(): { runtime: NodeMediaRuntime; pcs: RTCPeerConnection[] } {
  const pcs: RTCPeerConnection[] = [];
  const runtime = {
    ...wrtcRuntime,
    RTCPeerConnection: class extends wrtcRuntime.RTCPeerConnection {
      constructor(configuration?: RTCConfiguration) {
        super(configuration);
        pcs.push(this);
      }
    },
  };
  return { runtime, pcs };
}
