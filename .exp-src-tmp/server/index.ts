/**
 * `hangup/server`: the Node-only reference relay for `WebSocketSignaling`. Needs the `ws` package.
 *
 * @packageDocumentation
 */

export {
  isFatalRelayError,
  MAX_ROOM_NAME_LENGTH,
  RELAY_PROTOCOL_VERSION,
  type RelayClientFrame,
  RelayCloseCode,
  type RelayErrorCode,
  type RelayServerFrame,
} from '../signaling/relayProtocol.js';
export { createRelayServer, type RelayServer, type RelayServerOptions } from './createRelayServer.js';
