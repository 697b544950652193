/**
 * hangup/node: helpers for Node peers (bots, tests, servers) on `@roamhq/wrtc`. The module is passed in by the
 * application; this entry never imports it, and the core never imports this entry.
 * @packageDocumentation
 */
export {
  createNodeMediaRuntime,
  type NodeMediaOptions,
  type NodeMediaRuntime,
} from './createNodeMediaRuntime.js';
export { createI420Frame, paintTestPattern, toneChunk } from './testPattern.js';
export type {
  AudioSourceLike,
  I420Frame,
  PcmChunk,
  VideoSourceLike,
  WrtcModuleLike,
} from './wrtcModule.js';
