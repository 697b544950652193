/**
 * `npx tsx bench/milestones.ts [calls]`: where the time to connected goes, hangup vs the raw pair.
 *
 * Wraps @roamhq/wrtc's createOffer / createAnswer / setLocalDescription / setRemoteDescription to note when
 * each starts (`>`) and settles (`<`), relative to the start of the call, then prints the median of every
 * milestone over `calls` calls per adapter (default 60, the first 10 not counted), adapters alternating.
 * Only the first occurrence of a milestone in a call is kept.
 */
import wrtc from '@roamhq/wrtc';
import { hangupAdapter } from './adapters/hangup.js';
import { rawAdapter } from './adapters/raw.js';
import { stopLeftovers } from './common.js';
import { pause } from './fds.js';
import { summarize } from './stats.js';

const calls = Number(process.argv[2] ?? 60);
const WARM_UP = 10;
const proto = (wrtc.RTCPeerConnection as unknown as { prototype: Record<string, unknown> }).prototype;
let t0 = 0;
let marks: Record<string, number> = {};
const mark = (name: string) => {
  marks[name] ??= performance.now() - t0;
};
for (const method of ['createOffer', 'createAnswer', 'setLocalDescription', 'setRemoteDescription']) {
  const original = proto[method] as (...args: unknown[]) => Promise<unknown>;
  proto[method] = function (this: unknown, ...args: unknown[]) {
    const type = (args[0] as { type?: string } | undefined)?.type;
    const name = type ? `${method}(${type})` : method;
    mark(`${name} >`);
    const result = original.apply(this, args);
    result.then(
      () => mark(`${name} <`),
      () => {},
    );
    return result;
  };
}

const samples: Record<string, Record<string, number[]>> = { raw: {}, hangup: {} };
for (let i = 0; i < calls; i++) {
  for (const adapter of i % 2 ? [rawAdapter, hangupAdapter] : [hangupAdapter, rawAdapter]) {
    marks = {};
    t0 = performance.now();
    const call = await adapter.connect();
    mark('connected');
    if (i >= WARM_UP) {
      const byMilestone = samples[adapter.name]!;
      for (const [name, at] of Object.entries(marks)) {
        byMilestone[name] ??= [];
        byMilestone[name].push(at);
      }
    }
    if (call.ready) await call.ready;
    call.hangUp();
    await call.remoteEnded;
    stopLeftovers(call.localTracks);
    await pause();
  }
}
for (const [adapter, byMilestone] of Object.entries(samples)) {
  process.stdout.write(`${adapter} (ms since the call started, median of ${calls - WARM_UP})\n`);
  const rows = Object.entries(byMilestone).map(([name, values]) => [name, summarize(values).median] as const);
  for (const [name, median] of rows.sort((a, b) => a[1] - b[1])) {
    process.stdout.write(`  ${name.padEnd(36)} ${median.toFixed(2)}\n`);
  }
}
// Exit at once: lingering wrtc objects must not get a chance to crash at exit.
process.exit(0);
