/**
 * Where the hang-up's time goes, hangup against the raw pair (`npm run bench:hangup [-- calls]`; compiled
 * first like the bench, see bench/compile.ts). Media acquired before each call, A sends it, B receives only,
 * as in `--media-first`. Each call is timed from the moment A hangs up:
 *
 * - hangup: when A's `end()` returns, when B's `teardown('remote-hangup')` starts and returns, when B's
 *   `ended` settles;
 * - raw pair: when A's `channel.close(); pc.close()` returns, when B's `close` handler starts closing its
 *   connection, and when B is done;
 * - for each, how long one `pc.close()` takes (A's and B's together, in setup and hang-up alike).
 *
 * Prints the min / median / max of every mark over `calls` calls per adapter (default 60, the first 10 not
 * counted), the adapters alternating.
 */
import type { RtcRuntime } from '../src/index.js';
import { hangupSessions } from './adapters/hangup.js';
import { rawAdapter } from './adapters/raw.js';
import { getUserMedia, RTCPeerConnectionCtor, stopLeftovers } from './common.js';
import { pause } from './fds.js';
import { summarize } from './stats.js';

const calls = Number(process.argv[2] ?? 60);
const WARM_UP = 10;
const marks = new Map<string, number[]>();
const note = (name: string, ms: number) => {
  const list = marks.get(name) ?? [];
  list.push(ms);
  marks.set(name, list);
};

// Both adapters build their connections from @roamhq/wrtc's constructor: its close() is timed for each, and
// the first close after the raw pair's A returned is the raw pair's B starting to close.
const proto = (RTCPeerConnectionCtor as unknown as { prototype: { close(): void } }).prototype;
const originalClose = proto.close;
let measuring: 'hangup' | 'raw' = 'hangup';
let rawHungUpAt: number | undefined;
proto.close = function (this: unknown): void {
  if (rawHungUpAt !== undefined) {
    note('raw: B starts closing', performance.now() - rawHungUpAt);
    rawHungUpAt = undefined;
  }
  const started = performance.now();
  originalClose.call(this);
  note(`${measuring}: one pc.close()`, performance.now() - started);
};
const runtime: RtcRuntime = { RTCPeerConnection: RTCPeerConnectionCtor, getUserMedia };

async function hangupCall(stream: MediaStream): Promise<void> {
  const [a, b] = hangupSessions(stream, false, runtime);
  let t0: number | undefined;
  // The session ends itself through its public teardown(): wrapping it on the instance marks B's start and end.
  const teardown = b.teardown.bind(b);
  b.teardown = (reason, error) => {
    if (t0 !== undefined) note('hangup: B teardown starts', performance.now() - t0);
    const summary = teardown(reason, error);
    if (t0 !== undefined) note('hangup: B teardown returns', performance.now() - t0);
    return summary;
  };
  const remoteEnded = b.ended.then(() => performance.now() - (t0 ?? 0));
  await Promise.all([a.start(), b.start()]);
  await pause();
  t0 = performance.now();
  a.end();
  note('hangup: A end() returns', performance.now() - t0);
  note('hangup: B ended', await remoteEnded);
}

async function rawCall(stream: MediaStream): Promise<void> {
  const call = await rawAdapter.connectWithMedia!(stream);
  await call.ready;
  await pause();
  const t0 = performance.now();
  call.hangUp();
  note('raw: A hangUp() returns', performance.now() - t0);
  rawHungUpAt = t0;
  await call.remoteEnded;
  note('raw: B ended', performance.now() - t0);
  rawHungUpAt = undefined;
  stopLeftovers(call.localTracks);
}

for (let i = 0; i < calls; i++) {
  const forHangup = await getUserMedia();
  measuring = 'hangup';
  await hangupCall(forHangup);
  const forRaw = await getUserMedia();
  measuring = 'raw';
  await rawCall(forRaw);
  for (const track of forRaw.getTracks()) track.stop();
  await pause();
  if (i === WARM_UP - 1) marks.clear();
}
console.log(`ms after A hangs up, min / median / max over ${calls - WARM_UP} calls each:`);
for (const [name, values] of [...marks].sort(([x], [y]) => x.localeCompare(y))) {
  const { min, median, max } = summarize(values);
  console.log(`${name.padEnd(28)} ${min.toFixed(2)} / ${median.toFixed(2)} / ${max.toFixed(2)}`);
}
// @roamhq/wrtc can crash in its native shutdown on a natural exit after real calls (README, Node section).
process.exit(0);
