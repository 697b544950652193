import { type Clock, realClock } from '../clock.js';
import type { RtcRuntime } from '../runtime.js';
import { PacedGenerator } from './PacedGenerator.js';
import { createI420Frame, paintTestPattern, toneChunk } from './testPattern.js';
import type { WrtcModuleLike } from './wrtcModule.js';

/** Options of {@link createNodeMediaRuntime}. */
export interface NodeMediaOptions {
  /** The generated video (a moving test pattern). */
  video?: {
    /** @default 320 */
    width?: number;
    /** @default 240 */
    height?: number;
    /** @default 15 */
    frameRate?: number;
  };
  /** The generated audio (a sine tone, 16-bit mono PCM in 10 ms chunks). */
  audio?: {
    /** @default 48_000 */
    sampleRate?: number;
    /** @default 440 */
    frequencyHz?: number;
  };
  /** Clock of the generators' timers (tests pass `ManualClock`). @default realClock */
  clock?: Clock;
}

/** An {@link RtcRuntime} whose `getUserMedia` returns generated tracks; see {@link createNodeMediaRuntime}. */
export interface NodeMediaRuntime extends RtcRuntime {
  /** Generators still running: one per generated track not yet stopped. 0 once every call has ended. */
  readonly runningGenerators: number;
}

/**
 * A runtime for Node peers that send real media. `@roamhq/wrtc`'s own `getUserMedia` tracks send no RTP at
 * all; the tracks this runtime's `getUserMedia` returns are fed by wrtc's `nonstandard.RTCVideoSource` (a
 * moving I420 test pattern) and `RTCAudioSource` (a tone), so the peer really receives and decodes them.
 *
 * Each generated track owns its generator: the track's `stop()` stops the generator and its timer before it
 * stops the track, synchronously. A session stops its tracks in `teardown()`, so when the call has ended no
 * generator runs; an acquisition that arrives after teardown is stopped on arrival like any other.
 *
 * @param wrtc the `@roamhq/wrtc` module (`import wrtc from '@roamhq/wrtc'`): hangup never imports it itself.
 * @throws TypeError when `wrtc` lacks `RTCPeerConnection`, `MediaStream` or the `nonstandard` sources, or an
 * option is out of range.
 * @example
 * ```ts
 * import wrtc from '@roamhq/wrtc';
 * import { CallSession } from 'hangup';
 * import { createNodeMediaRuntime } from 'hangup/node';
 *
 * const session = new CallSession({ signaling, polite: true, runtime: createNodeMediaRuntime(wrtc) });
 * ```
 */
export function createNodeMediaRuntime(
  wrtc: WrtcModuleLike,
  options: NodeMediaOptions = {},
): NodeMediaRuntime {
  const sources = wrtc?.nonstandard;
  if (
    typeof wrtc?.RTCPeerConnection !== 'function' ||
    typeof wrtc.MediaStream !== 'function' ||
    typeof sources?.RTCVideoSource !== 'function' ||
    typeof sources.RTCAudioSource !== 'function'
  ) {
    throw new TypeError(
      'createNodeMediaRuntime(wrtc): pass the @roamhq/wrtc module (RTCPeerConnection, MediaStream, nonstandard sources)',
    );
  }
  const width = positiveEven(options.video?.width ?? 320, 'video.width');
  const height = positiveEven(options.video?.height ?? 240, 'video.height');
  const frameRate = inRange(options.video?.frameRate ?? 15, 1, 60, 'video.frameRate');
  const sampleRate = options.audio?.sampleRate ?? 48_000;
  if (![8_000, 16_000, 32_000, 44_100, 48_000].includes(sampleRate)) {
    throw new TypeError('options.audio.sampleRate must be one of 8000, 16000, 32000, 44100, 48000');
  }
  const frequencyHz = inRange(options.audio?.frequencyHz ?? 440, 20, sampleRate / 2, 'audio.frequencyHz');
  const clock = options.clock ?? realClock;
  const running = new Set<PacedGenerator>();

  /** Ties `generator` to `track`: stopping the track stops the generator first. */
  const own = (track: MediaStreamTrack, generator: PacedGenerator): MediaStreamTrack => {
    running.add(generator);
    const stopTrack = track.stop;
    const stopBoth = (): void => {
      generator.stop();
      running.delete(generator);
      stopTrack.call(track);
    };
    try {
      // wrtc's `stop` is a read-only prototype property: assignment fails, an own property does not.
      Object.defineProperty(track, 'stop', { configurable: true, writable: true, value: stopBoth });
    } catch (error) {
      stopBoth();
      throw error;
    }
    return track;
  };

  const videoTrack = (): MediaStreamTrack => {
    const source = new sources.RTCVideoSource();
    const track = source.createTrack();
    const frame = createI420Frame(width, height);
    return own(
      track,
      new PacedGenerator(clock, 1000 / frameRate, 1, (index) => {
        paintTestPattern(frame, index);
        source.onFrame(frame);
      }),
    );
  };

  const audioTrack = (): MediaStreamTrack => {
    const source = new sources.RTCAudioSource();
    const track = source.createTrack();
    // Up to 50 ms of catch-up after a late timer; anything older is lost, as it would be from a real mic.
    return own(
      track,
      new PacedGenerator(clock, 10, 5, (index) => source.onData(toneChunk(index, sampleRate, frequencyHz))),
    );
  };

  return {
    RTCPeerConnection: wrtc.RTCPeerConnection,
    async getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream> {
      if (!constraints?.audio && !constraints?.video) {
        throw new TypeError('getUserMedia: at least one of audio and video must be requested');
      }
      const tracks: MediaStreamTrack[] = [];
      try {
        if (constraints.audio) tracks.push(audioTrack());
        if (constraints.video) tracks.push(videoTrack());
        return new wrtc.MediaStream(tracks);
      } catch (error) {
        // Nothing half-made keeps running.
        for (const track of tracks) track.stop();
        throw error;
      }
    },
    get runningGenerators() {
      // A generator whose source refused a frame stopped by itself while its track lives on.
      let count = 0;
      for (const generator of running) if (generator.running) count++;
      return count;
    },
  };
}

function positiveEven(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 2 || value > 1920 || value % 2 !== 0) {
    throw new TypeError(`options.${name} must be an even integer from 2 to 1920`);
  }
  return value;
}

function inRange(value: number, min: number, max: number, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new TypeError(`options.${name} must be a number from ${min} to ${max}`);
  }
  return value;
}
