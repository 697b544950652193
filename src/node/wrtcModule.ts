/**
 * The parts of `@roamhq/wrtc` that `hangup/node` uses, described structurally so the package never imports
 * (or bundles) wrtc itself: the application passes its own `import wrtc from '@roamhq/wrtc'`.
 */

/** An I420 frame as wrtc's `RTCVideoSource.onFrame` takes it: `data` is width × height × 1.5 bytes. */
export interface I420Frame {
  width: number;
  height: number;
  data: Uint8Array;
}

/** 10 ms of signed 16-bit PCM as wrtc's `RTCAudioSource.onData` takes it. */
export interface PcmChunk {
  samples: Int16Array;
  sampleRate: number;
  bitsPerSample: 16;
  channelCount: 1;
  numberOfFrames: number;
}

/** `wrtc.nonstandard.RTCVideoSource`. */
export interface VideoSourceLike {
  createTrack(): MediaStreamTrack;
  onFrame(frame: I420Frame): void;
}

/** `wrtc.nonstandard.RTCAudioSource`. */
export interface AudioSourceLike {
  createTrack(): MediaStreamTrack;
  onData(chunk: PcmChunk): void;
}

/** What `createNodeMediaRuntime` needs from the `@roamhq/wrtc` module. */
export interface WrtcModuleLike {
  RTCPeerConnection: new (configuration?: RTCConfiguration) => RTCPeerConnection;
  MediaStream: new (tracks?: MediaStreamTrack[]) => MediaStream;
  nonstandard: {
    RTCVideoSource: new () => VideoSourceLike;
    RTCAudioSource: new () => AudioSourceLike;
  };
}
