/**
 * hangup: one-to-one WebRTC calls that really hang up.
 * @packageDocumentation
 */
export { CallSession } from './CallSession.js';
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
export type { DeviceRequest } from './media/DeviceSwitch.js';
export {
  END_REASONS,
  type EndReason,
  type EndSummary,
  isEndReason,
} from './model/endReason.js';
export type {
  CallProgress,
  CallSnapshot,
  CallStats,
  LiveResources,
  MuteState,
  RemoteMute,
} from './model/events.js';
export { CALL_STATE_TRANSITIONS, type CallState, canTransition } from './model/states.js';
export type { RtcRuntime } from './runtime.js';
export type { CallSessionEvents } from './session/events.js';
export type { CallSessionOptions } from './session/options.js';
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
  SignalingSource,
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
