/**
 * `npx tsx bench/messagesPerCall.ts [calls]`: the signaling traffic of one call, hangup vs the raw pair, in the
 * `--media-first` scenario (A sends media, B receives only). Counts the messages each adapter hands to the
 * in-memory pair, by type, and the time spent structured-cloning them (at send and at delivery), per call.
 * Both adapters alternate, `calls` calls each (default 40). Asserts nothing.
 */
import { hangupAdapter } from './adapters/hangup.js';
import { rawAdapter } from './adapters/raw.js';
import { getUserMedia, stopLeftovers } from './common.js';
import { pause } from './fds.js';

const calls = Number(process.argv[2] ?? 40);
const clone = globalThis.structuredClone;
let counting = false;
let cloneMs = 0;
let sent: Record<string, number> = {};
// The pair clones each message once at send() (a bare message) and once per delivery (an event around it).
globalThis.structuredClone = ((value: unknown, options?: StructuredSerializeOptions) => {
  const started = performance.now();
  const copy = clone(value, options);
  if (!counting) return copy;
  cloneMs += performance.now() - started;
  const message = value as { type?: string; kind?: string };
  if (message.type !== 'message') {
    const type = message.type ?? message.kind ?? 'other';
    sent[type] = (sent[type] ?? 0) + 1;
  }
  return copy;
}) as typeof structuredClone;

const totals: Record<string, { sent: Record<string, number>; cloneMs: number }> = {};
for (let i = 0; i < calls; i++) {
  for (const adapter of i % 2 ? [rawAdapter, hangupAdapter] : [hangupAdapter, rawAdapter]) {
    const stream = await getUserMedia();
    sent = {};
    cloneMs = 0;
    counting = true;
    const call = await adapter.connectWithMedia!(stream);
    if (call.ready) await call.ready;
    call.hangUp();
    await call.remoteEnded;
    counting = false;
    stopLeftovers(call.localTracks);
    totals[adapter.name] ??= { sent: {}, cloneMs: 0 };
    const total = totals[adapter.name]!;
    for (const [type, count] of Object.entries(sent)) total.sent[type] = (total.sent[type] ?? 0) + count;
    total.cloneMs += cloneMs;
    await pause();
  }
}
for (const [name, total] of Object.entries(totals)) {
  const perCall = Object.entries(total.sent)
    .map(([type, count]) => `${type} ${(count / calls).toFixed(2)}`)
    .join(', ');
  process.stdout.write(
    `${name}: messages sent per call: ${perCall}; structuredClone ${(total.cloneMs / calls).toFixed(3)} ms per call\n`,
  );
}
// @roamhq/wrtc can crash at exit while closed connections are still reachable (see README, Node section).
(globalThis as { gc?: () => void }).gc?.();
process.exit(0);
