/**
 * One shard of a concurrency round (forked by bench/worker.ts): holds some of the N calls in its own process.
 *
 * Why processes: @roamhq/wrtc keeps ~110–185 file descriptors per connected peer connection and ~500–800 per
 * call while gathering, and the hard `ulimit -n` here is 20 000 for each process. 50 calls (100 peer
 * connections) do not fit in one process; 5 processes of 10 calls do, and all 50 can start at the same time.
 * A browser app holds its one call in its own tab process anyway.
 *
 * Protocol (IPC, one request at a time from the coordinator):
 *   { type: 'connect', adapter, count } → starts `count` calls at once → { type: 'connected' }
 *   { type: 'end' } → hangs all of them up, waits until every remote side knows, releases descriptors
 *                      → { type: 'ended', liveTracks }
 *   any failure → { type: 'failed', message }
 */
import { ADAPTERS } from './adapters/index.js';
import { type AdapterName, type CallHandle, stopLeftovers, withTimeout } from './common.js';
import { drainFds, openFds } from './fds.js';
import { startProfiling } from './profile.js';

// A round of 10 calls connects in well under 2 s here; a call that has not connected in 20 s never will
// (simple-peer on @roamhq/wrtc sometimes stalls), and the coordinator then replaces this process.
const CALL_TIMEOUT_MS = 20_000;

export type ShardRequest = { type: 'connect'; adapter: AdapterName; count: number } | { type: 'end' };
export type ShardReply =
  | { type: 'connected' }
  | { type: 'ended'; liveTracks: number }
  | { type: 'failed'; message: string };

const baseline = openFds();
let calls: CallHandle[] = [];

async function handle(request: ShardRequest): Promise<ShardReply> {
  if (request.type === 'connect') {
    const adapter = ADAPTERS[request.adapter];
    calls = await withTimeout(
      Promise.all(Array.from({ length: request.count }, () => adapter.connect())),
      CALL_TIMEOUT_MS,
      `${adapter.name} x${request.count} connect`,
    );
    return { type: 'connected' };
  }
  // Outside the timed region: the raw pair's data channel must be open before its close can be noticed.
  await Promise.all(calls.map((call) => call.ready));
  for (const call of calls) call.hangUp();
  await withTimeout(Promise.all(calls.map((call) => call.remoteEnded)), CALL_TIMEOUT_MS, 'remote end');
  let liveTracks = 0;
  for (const call of calls) liveTracks += stopLeftovers(call.localTracks);
  calls = [];
  await drainFds(baseline);
  return { type: 'ended', liveTracks };
}

const stopProfiling = await startProfiling('shard');

process.on('message', (request: ShardRequest) => {
  handle(request).then(
    (reply) => process.send?.(reply),
    (error: unknown) =>
      process.send?.({
        type: 'failed',
        message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      } satisfies ShardReply),
  );
});
// The coordinator going away (it ended, or it crashed) ends the shard: exit at once, as the worker does,
// so lingering wrtc objects get no chance to crash at exit.
process.on('disconnect', () => {
  void stopProfiling().finally(() => process.exit(0));
});
