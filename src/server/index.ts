/**
 * `hangup/server`: the Node-only reference relay for `WebSocketSignaling`. Needs the `ws` package.
 *
 * @packageDocumentation
 */

export {
  isFatalRelayError,
  isResumableCloseCode,
  MAX_RESUME_TOKEN_LENGTH,
  MAX_ROOM_NAME_LENGTH,
  RELAY_PROTOCOL_VERSION,
  type RelayClientFrame,
  RelayCloseCode,
  type RelayErrorCode,
  type RelayServerFrame,
} from '../signaling/relayProtocol.js';
export type { RedisClientOption as RelayRedisClient } from './cluster/redisConnection.js';
export {
  type ClusterRelayServer,
  createRelayServer,
  type RelayServer,
  type RelayServerOptions,
} from './createRelayServer.js';
