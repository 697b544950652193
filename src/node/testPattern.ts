import type { I420Frame, PcmChunk } from './wrtcModule.js';

/**
 * Paints frame number `index` of a test pattern into `frame` (I420): a grey ramp with a bright bar that moves
 * one step per frame, so consecutive frames differ (an encoder sending an unchanging picture may skip frames,
 * and a receiver could not tell a frozen stream from a live one).
 */
export function paintTestPattern(frame: I420Frame, index: number): void {
  const { width, height, data } = frame;
  const lumaSize = width * height;
  const barWidth = Math.max(1, Math.floor(width / 8));
  const barStart = (index * 4) % width;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const inBar = x >= barStart && x < barStart + barWidth;
      data[row + x] = inBar ? 235 : 16 + Math.floor((x * 200) / width);
    }
  }
  // Chroma planes (each a quarter of the luma plane): a hue that drifts slowly with the frame number.
  const chromaSize = lumaSize / 4;
  data.fill(128 + ((index * 2) % 64), lumaSize, lumaSize + chromaSize);
  data.fill(128 - ((index * 2) % 64), lumaSize + chromaSize, lumaSize + 2 * chromaSize);
}

/** A blank I420 frame buffer of the given size (both dimensions even, as I420 requires). */
export function createI420Frame(width: number, height: number): I420Frame {
  return { width, height, data: new Uint8Array(width * height * 1.5) };
}

/**
 * Chunk number `index` (10 ms each) of a continuous sine tone, quiet enough not to clip: the phase carries
 * across chunks, so the tone has no clicks.
 */
export function toneChunk(index: number, sampleRate: number, frequencyHz: number): PcmChunk {
  const numberOfFrames = sampleRate / 100;
  const samples = new Int16Array(numberOfFrames);
  const first = index * numberOfFrames;
  for (let i = 0; i < numberOfFrames; i++) {
    samples[i] = Math.round(8_000 * Math.sin((2 * Math.PI * frequencyHz * (first + i)) / sampleRate));
  }
  return { samples, sampleRate, bitsPerSample: 16, channelCount: 1, numberOfFrames };
}
