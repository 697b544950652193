/**
 * `hangup/testing`: what you need to unit-test call code without a browser or a network.
 * @packageDocumentation
 */
export { assertReleased, NOTHING_HELD, type ReportsLiveResources } from './assertReleased.js';
export { FakeRTCDataChannel } from './FakeRTCDataChannel.js';
export {
  createFakeTrackEvent,
  type FakePeerConnectionBehavior,
  type FakePeerConnectionStep,
  FakeRTCPeerConnection,
  FakeSender,
  FakeTransceiver,
  type HeldStep,
} from './FakeRTCPeerConnection.js';
export { FakeRuntime, type FakeRuntimeOptions, type PendingMediaRequest } from './FakeRuntime.js';
export { createFakeMediaStream, FakeMediaStream, FakeMediaStreamTrack, fakeTrack } from './fakeMedia.js';
export { ManualClock, settle } from './ManualClock.js';
export {
  type SignalingAdapterPair,
  type SignalingConformanceCase,
  type SignalingConformanceOptions,
  type SignalingConformanceOutcome,
  signalingAdapterConformance,
} from './signalingAdapterConformance.js';
