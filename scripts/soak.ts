/**
 * Soak: many real calls in one process with @roamhq/wrtc, then proof that nothing leaked.
 *
 *   npm run soak                       # 1000 sequential calls, then 50 concurrent calls
 *   npm run soak -- --calls 200 --concurrent 20 --wave 10
 *
 * For every call: both sessions connect, one hangs up, the other sees `remote-hangup`; then both sessions
 * must report `liveResources()` all zero and every local track must be `ended`. The heap is measured after a
 * forced GC (run with `node --expose-gc`, as the npm script does) at the start, after every 100 calls and at the
 * end. The script never calls `process.exit`: if anything (a timer, a socket, a peer connection) were still
 * alive, the process would hang instead of exiting, which is part of the test.
 */
import { readdirSync } from 'node:fs';
import wrtc from '@roamhq/wrtc';
import {
  CallSession,
  createInMemorySignalingPair,
  type LiveResources,
  type RtcRuntime,
} from '../src/index.js';

const args = process.argv.slice(2);
const option = (flag: string, fallback: number): number => {
  const index = args.indexOf(flag);
  const value = index >= 0 ? Number(args[index + 1]) : fallback;
  if (!Number.isInteger(value) || value < 0) throw new TypeError(`${flag} must be a non-negative integer`);
  return value;
};
const SEQUENTIAL = option('--calls', 1000);
const CONCURRENT = option('--concurrent', 50);
const WAVE = option('--wave', 10);
const CONNECT_TIMEOUT_MS = 20_000;

const gc = (globalThis as { gc?: () => void }).gc;

/** heapUsed in MiB after a full GC (twice, with a turn in between, so finalizers and weak refs settle). */
async function heapAfterGc(): Promise<number> {
  if (gc) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
    gc();
  }
  return Math.round((process.memoryUsage().heapUsed / 1024 / 1024) * 10) / 10;
}

/** Open file descriptors of this process (Linux), or -1 where /proc is unavailable. */
function openFds(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return -1;
  }
}

interface CallResult {
  leaks: string[];
  connectMs: number;
  /** How the side that did not hang up saw the end ('remote-hangup' expected). */
  remoteReason: string;
}

function isZero(live: LiveResources): boolean {
  return Object.values(live).every((value) => value === 0 || value === false);
}

/** A call whose two sessions have been started and have connected (or failed to). */
interface OpenCall {
  index: number;
  a: CallSession;
  b: CallSession;
  pair: ReturnType<typeof createInMemorySignalingPair>;
  tracks: MediaStreamTrack[];
  leaks: string[];
  connectMs: number;
}

/** Starts both sessions of one call and waits until both are connected. */
async function openCall(index: number): Promise<OpenCall> {
  const tracks: MediaStreamTrack[] = [];
  const runtime: RtcRuntime = {
    RTCPeerConnection: wrtc.RTCPeerConnection as unknown as RtcRuntime['RTCPeerConnection'],
    getUserMedia: async (constraints) => {
      const stream = (await wrtc.getUserMedia(constraints)) as unknown as MediaStream;
      tracks.push(...stream.getTracks());
      return stream;
    },
  };
  const pair = createInMemorySignalingPair();
  const common = { runtime, connectTimeoutMs: CONNECT_TIMEOUT_MS, endOnPageHide: false };
  const a = new CallSession({ signaling: pair.a, polite: true, ...common });
  const b = new CallSession({ signaling: pair.b, polite: false, ...common });
  const leaks: string[] = [];
  const started = Date.now();
  try {
    await Promise.all([a.start(), b.start()]);
  } catch (error) {
    leaks.push(`call ${index} did not connect: ${(error as Error).message}`);
  }
  return { index, a, b, pair, tracks, leaks, connectMs: Date.now() - started };
}

/** Hangs up from A, waits for B to end, and checks that both released everything. */
async function closeCall(call: OpenCall): Promise<CallResult> {
  const { index, a, b, pair, tracks, leaks } = call;
  a.end();
  const endB = await b.ended;
  for (const [name, session] of [
    ['A', a],
    ['B', b],
  ] as const) {
    const live = session.liveResources();
    if (!isZero(live)) leaks.push(`call ${index} ${name}: ${JSON.stringify(live)}`);
  }
  const running = tracks.filter((track) => track.readyState !== 'ended').length;
  if (running > 0) leaks.push(`call ${index}: ${running} tracks still live`);
  // Dropped at once: @roamhq/wrtc can crash at exit while stopped tracks are reachable.
  tracks.length = 0;
  pair.close();
  return { leaks, connectMs: call.connectMs, remoteReason: endB.reason };
}

async function main(): Promise<void> {
  if (!gc)
    process.stdout.write('warning: no global gc(); run with node --expose-gc for meaningful heap figures\n');
  const heap: { after: string; heapUsedMiB: number; openFds: number }[] = [];
  const leaks: string[] = [];
  const connectTimes: number[] = [];
  const remoteReasons: Record<string, number> = {};
  const countReason = (reason: string): void => {
    remoteReasons[reason] = (remoteReasons[reason] ?? 0) + 1;
  };
  const began = Date.now();
  heap.push({ after: 'start', heapUsedMiB: await heapAfterGc(), openFds: openFds() });
  process.stdout.write(`soak: start heapUsed ${heap[0]?.heapUsedMiB} MiB, open fds ${heap[0]?.openFds}\n`);

  for (let index = 1; index <= SEQUENTIAL; index++) {
    const result = await closeCall(await openCall(index));
    leaks.push(...result.leaks);
    connectTimes.push(result.connectMs);
    countReason(result.remoteReason);
    if (index % 100 === 0 || index === SEQUENTIAL) {
      const heapUsedMiB = await heapAfterGc();
      const fds = openFds();
      heap.push({ after: `${index} sequential`, heapUsedMiB, openFds: fds });
      process.stdout.write(
        `soak: ${index} sequential calls, heapUsed ${heapUsedMiB} MiB, open fds ${fds}, leaks ${leaks.length}\n`,
      );
    }
  }
  const sequentialSeconds = (Date.now() - began) / 1000;

  const concurrentBegan = Date.now();
  let peakFds = 0;
  if (CONCURRENT > 0) {
    // All calls are up at the same time. They are set up in waves: @roamhq/wrtc needs ~800 file descriptors
    // per call while ICE gathers (~230 once connected), and 50 simultaneous set-ups exceed a 20 000 fd limit.
    const open: OpenCall[] = [];
    for (let first = 0; first < CONCURRENT; first += WAVE) {
      const wave = Array.from({ length: Math.min(WAVE, CONCURRENT - first) }, (_, i) =>
        openCall(SEQUENTIAL + first + i + 1),
      );
      open.push(...(await Promise.all(wave)));
      peakFds = Math.max(peakFds, openFds());
    }
    const allConnected = open.filter(
      (call) => call.a.state === 'connected' && call.b.state === 'connected',
    ).length;
    process.stdout.write(
      `soak: ${allConnected}/${CONCURRENT} calls connected at the same time, open fds ${openFds()}\n`,
    );
    if (allConnected !== CONCURRENT)
      leaks.push(`only ${allConnected} of ${CONCURRENT} concurrent calls were connected at once`);
    const results = await Promise.all(open.map((call) => closeCall(call)));
    open.length = 0;
    for (const result of results) {
      leaks.push(...result.leaks);
      countReason(result.remoteReason);
    }
    const heapUsedMiB = await heapAfterGc();
    heap.push({ after: `${CONCURRENT} concurrent`, heapUsedMiB, openFds: openFds() });
    process.stdout.write(
      `soak: ${CONCURRENT} concurrent calls ended, heapUsed ${heapUsedMiB} MiB, leaks ${leaks.length}\n`,
    );
  }
  const concurrentSeconds = (Date.now() - concurrentBegan) / 1000;
  heap.push({ after: 'end', heapUsedMiB: await heapAfterGc(), openFds: openFds() });

  const sorted = [...connectTimes].sort((x, y) => x - y);
  const percentile = (p: number): number =>
    sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  const firstAfter100 = heap.find((entry) => entry.after === '100 sequential')?.heapUsedMiB;
  const lastSequential = [...heap].reverse().find((entry) => entry.after.endsWith('sequential'))?.heapUsedMiB;
  const summary = {
    sequentialCalls: SEQUENTIAL,
    concurrentCalls: CONCURRENT,
    leakedResources: leaks.length,
    // The callee's end reason: 'remote-hangup' when the bye wins, 'peer-left' when the data channel's close
    // overtakes it (see docs/reliability.md).
    remoteReasons,
    sequentialSeconds,
    concurrentSeconds,
    connectMs: { p50: percentile(0.5), p95: percentile(0.95), max: sorted.at(-1) ?? 0 },
    // Growth between the 100th and the last sequential call, after GC: flat means a few MiB of noise at most.
    peakOpenFdsConcurrent: peakFds,
    heapGrowthMiB:
      firstAfter100 !== undefined && lastSequential !== undefined
        ? Math.round((lastSequential - firstAfter100) * 10) / 10
        : undefined,
    heap,
    node: process.version,
  };
  process.stdout.write(`soak summary: ${JSON.stringify(summary, null, 2)}\n`);
  for (const leak of leaks.slice(0, 20)) process.stdout.write(`leak: ${leak}\n`);
  if (leaks.length > 0) process.exitCode = 1;
  process.stdout.write('soak: done; the process should now exit by itself\n');
}

void main();
