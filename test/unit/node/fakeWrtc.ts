import type {
  AudioSourceLike,
  I420Frame,
  PcmChunk,
  VideoSourceLike,
  WrtcModuleLike,
} from '../../../src/node/index.js';
import { FakeMediaStream, FakeMediaStreamTrack, FakeRuntime } from '../../../src/testing/index.js';

/** A stand-in for `@roamhq/wrtc` whose sources record what they are fed, on the fake peer connection. */
export interface FakeWrtc extends WrtcModuleLike {
  runtime: FakeRuntime;
  videoSources: FakeVideoSource[];
  audioSources: FakeAudioSource[];
}

export class FakeVideoSource implements VideoSourceLike {
  readonly frames: { width: number; height: number; checksum: number }[] = [];
  readonly tracks: FakeMediaStreamTrack[] = [];
  createTrack(): MediaStreamTrack {
    const track = new FakeMediaStreamTrack('video');
    this.tracks.push(track);
    return track as unknown as MediaStreamTrack;
  }
  onFrame(frame: I420Frame): void {
    if (frame.data.length !== frame.width * frame.height * 1.5) throw new TypeError('not an I420 frame');
    let checksum = 0;
    for (let i = 0; i < frame.data.length; i += 7) checksum = (checksum * 31 + (frame.data[i] ?? 0)) | 0;
    this.frames.push({ width: frame.width, height: frame.height, checksum });
  }
}

export class FakeAudioSource implements AudioSourceLike {
  readonly chunks: PcmChunk[] = [];
  readonly tracks: FakeMediaStreamTrack[] = [];
  createTrack(): MediaStreamTrack {
    const track = new FakeMediaStreamTrack('audio');
    this.tracks.push(track);
    return track as unknown as MediaStreamTrack;
  }
  onData(chunk: PcmChunk): void {
    this.chunks.push(chunk);
  }
}

export function createFakeWrtc(runtime = new FakeRuntime()): FakeWrtc {
  const videoSources: FakeVideoSource[] = [];
  const audioSources: FakeAudioSource[] = [];
  return {
    runtime,
    videoSources,
    audioSources,
    RTCPeerConnection: runtime.RTCPeerConnection,
    MediaStream: FakeMediaStream as unknown as WrtcModuleLike['MediaStream'],
    nonstandard: {
      RTCVideoSource: class extends FakeVideoSource {
        constructor() {
          super();
          videoSources.push(this);
        }
      },
      RTCAudioSource: class extends FakeAudioSource {
        constructor() {
          super();
          audioSources.push(this);
        }
      },
    },
  };
}
