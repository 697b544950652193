/**
 * The reference relay in its own process, for resource tests: `createRelayServer` with the options in
 * `HANGUP_RELAY_OPTIONS` (JSON) on 127.0.0.1, its RSS sampled every 10 ms. Driven over IPC by
 * `relayProcess.ts`: it sends `{ port }` once listening, answers `mark` (restart the peak from now) and `report`
 * (RSS now, peak since the mark, how many times each log message was written), and exits on `stop`.
 */
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

const reply = (message: unknown): void => {
  process.send?.(message);
};
const collect = (): void => (globalThis as { gc?: () => void }).gc?.();
process.on('message', (message: { id: number; op: 'mark' | 'report' | 'retained' | 'stop' }) => {
  if (message.op === 'mark' || message.op === 'retained') collect();
  const usage = process.memoryUsage();
  const rss = usage.rss;
  const live = usage.heapUsed + usage.external;
  peakRss = Math.max(peakRss, rss);
  if (message.op === 'mark') peakRss = rss;
  if (message.op === 'stop') {
    clearInterval(sampler);
    void relay.close().then(() => {
      reply({ id: message.id, rss, live, peakRss, logCounts });
      process.disconnect();
    });
    return;
  }
  reply({ id: message.id, rss, live, peakRss, logCounts });
});
// The test process went away: nothing may outlive it.
process.on('disconnect', () => {
  clearInterval(sampler);
  void relay.close().then(() => process.exit(0));
});
reply({ port: relay.port });
