/**
 * The reference relay in its own process, for resource tests: `createRelayServer` with the options in
 * `HANGUP_RELAY_OPTIONS` (JSON) on 127.0.0.1, its RSS sampled every 10 ms and its event-loop delay monitored.
 * Driven over IPC by `relayProcess.ts`: it sends `{ port }` once listening, then answers
 * - `mark`: collect garbage, restart the peak RSS and the loop-delay maximum from now;
 * - `report`: RSS now, peak RSS and longest loop delay since the mark, `live` (V8 heap in use + external memory such
 *   as socket buffers), how many times each log message was written;
 * - `retained`: the same after collecting garbage, so `live` is what the relay actually holds (RSS after a
 *   collection also counts pages the allocators keep for reuse);
 * - `stop`: close the relay, answer, exit.
 * Needs `--expose-gc`.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createRelayServer } from '../../src/server/index.js';

const options = JSON.parse(process.env.HANGUP_RELAY_OPTIONS ?? '{}') as Record<string, unknown>;
const logCounts: Record<string, number> = {};
const count = (message: string): void => {
  logCounts[message] = (logCounts[message] ?? 0) + 1;
};
const relay = await createRelayServer({
  ...options,
  port: 0,
  host: '127.0.0.1',
  logger: { debug: () => {}, info: count, warn: count, error: count },
});

let peakRss = process.memoryUsage.rss();
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 10);
// How long the relay's event loop was held up at worst: the longest a client waited because of the relay itself.
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

const reply = (message: unknown): void => {
  process.send?.(message);
};
const collect = (): void => (globalThis as { gc?: () => void }).gc?.();
const stopMonitoring = (): void => {
  clearInterval(sampler);
  loopDelay.disable();
};

process.on('message', (message: { id: number; op: 'mark' | 'report' | 'retained' | 'stop' }) => {
  if (message.op === 'mark' || message.op === 'retained') collect();
  const usage = process.memoryUsage();
  const rss = usage.rss;
  const live = usage.heapUsed + usage.external;
  peakRss = Math.max(peakRss, rss);
  if (message.op === 'mark') {
    peakRss = rss;
    loopDelay.reset();
  }
  const report = { id: message.id, rss, live, peakRss, maxLoopDelayMs: loopDelay.max / 1e6, logCounts };
  if (message.op === 'stop') {
    stopMonitoring();
    void relay.close().then(() => {
      reply(report);
      process.disconnect();
    });
    return;
  }
  reply(report);
});
// The test process went away: nothing may outlive it.
process.on('disconnect', () => {
  stopMonitoring();
  void relay.close().then(() => process.exit(0));
});
reply({ port: relay.port });
