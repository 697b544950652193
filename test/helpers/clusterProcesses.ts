import { silentLogger } from '../../src/logger.js';
import { ClusterRooms, type ClusterRoomsOptions } from '../../src/server/cluster/ClusterRooms.js';

/**
 * Two `ClusterRooms` ("processes": each with its own Redis connections and process id) on one key prefix of a
 * test redis-server, with small limits and fast heartbeats; each is handed to `onStarted` for closing.
 */
export async function clusterProcesses(
  redisUrl: string,
  keyPrefix: string,
  onStarted: (rooms: ClusterRooms) => void,
  extra: Partial<ClusterRoomsOptions> = {},
): Promise<[ClusterRooms, ClusterRooms]> {
  const start = async () => {
    const rooms = await ClusterRooms.start({
      redis: redisUrl,
      logger: silentLogger,
      roomLimits: { maxPendingFrames: 8, maxPendingBytes: 10_000 },
      outboxLimits: { maxFrames: 8, maxBytes: 20_000 },
      resumeGraceMs: 5_000,
      maxDurationMs: undefined,
      keyPrefix,
      heartbeatMs: 500,
      reapMs: 250,
      maxBufferedBytes: 1 << 20,
      ...extra,
    });
    onStarted(rooms);
    return rooms;
  };
  return [await start(), await start()];
}
