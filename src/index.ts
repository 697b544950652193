/**
 * hangup: one-to-one WebRTC calls that really hang up.
 * @packageDocumentation
 */
export { CallSession, PEER_CLOSE_GRACE_MS } from './CallSession.js';
export type { Clock } from './clock.js';
export { realClock } from './clock.js';
export { attachStream, type MediaElementLike } from './dom/attachStream.js';
export {
  CallEndedError,
  HangupError,
  type HangupErrorCode,
  InvalidSignalError,
  isCallEndedError,
  isHangupError,
  isInvalidSignalError,
  isMediaAcquisitionError,
  MediaAcquisitionError,
} from './errors/index.js';
export type { Logger } from './logger.js';
export { silentLogger } from './logger.js';
export { MAX_QUEUED_DATA_BYTES, MAX_QUEUED_DATA_MESSAGES } from './media/DataChannelLink.js';
export type { DeviceRequest } from './media/deviceSwitch.js';
export type { RtcRuntime } from './runtime.js';
export {
  END_REASONS,
  type EndReason,
  type EndSummary,
  isEndReason,
  LOCALLY_CAUSED_END_REASONS,
} from './session/endReason.js';
export type {
  CallProgress,
  CallSessionEvents,
  CallSnapshot,
  CallStats,
  LiveResources,
  RemoteMute,
} from './session/events.js';
export type { CallSessionOptions } from './session/options.js';
export { CALL_STATE_TRANSITIONS, type CallState, canTransition } from './session/states.js';
export {
  type BroadcastChannelConstructorLike,
  type BroadcastChannelLike,
  BroadcastChannelSignaling,
  type BroadcastChannelSignalingOptions,
} from './signaling/BroadcastChannelSignaling.js';
export {
  createInMemorySignalingPair,
  type InMemorySide,
  type InMemorySignalingOptions,
  type InMemorySignalingPair,
} from './signaling/createInMemorySignalingPair.js';
export {
  DEFAULT_SIGNAL_LIMITS,
  parseSignalMessage,
  type SignalLimits,
} from './signaling/parseSignalMessage.js';
export type {
  SignalDescription,
  SignalingAdapter,
  SignalingEvent,
  SignalMessage,
  SignalMessageType,
} from './signaling/types.js';
export {
  type WebSocketCloseEventLike,
  type WebSocketConstructorLike,
  type WebSocketLike,
  type WebSocketMessageEventLike,
  type WebSocketReconnectOptions,
  WebSocketSignaling,
  type WebSocketSignalingOptions,
} from './signaling/WebSocketSignaling.js';
