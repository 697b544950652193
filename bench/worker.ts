/**
 * One measurement task in its own process (spawned by run.ts). Prints one `RESULT <json>` line. Runs in a
 * child process because @roamhq/wrtc may crash at exit, and so memory is measured on a fresh heap.
 */
import { readdirSync } from 'node:fs';
import { hangupAdapter } from './adapters/hangup.js';
import { rawAdapter } from './adapters/raw.js';
import { simplePeerAdapter } from './adapters/simplePeer.js';
import {
  type AdapterName,
  type BenchAdapter,
  type CallHandle,
  stopLeftovers,
  withTimeout,
} from './common.js';
import { rotate, type Summary, summarize } from './stats.js';

const ADAPTERS: Record<AdapterName, BenchAdapter> = {
  raw: rawAdapter,
  hangup: hangupAdapter,
  'simple-peer': simplePeerAdapter,
};

const CALL_TIMEOUT_MS = 20_000;

interface Task {
  task: 'latency' | 'concurrency' | 'memory';
  adapters: AdapterName[];
  runs: number;
  warmup: number;
  /** memory: sequential calls measured. */
  calls?: number;
  /** concurrency: call counts. */
  concurrency?: number[];
  /** concurrency: calls set up at once (waves); default: all N at once. */
  wave?: number;
}

/** One call from start to both sides released; returns its timings. */
async function oneCall(
  adapter: BenchAdapter,
): Promise<{ connectMs: number; hangupMs: number; liveTracks: number }> {
  const t0 = performance.now();
  const call = await withTimeout(adapter.connect(), CALL_TIMEOUT_MS, `${adapter.name} connect`);
  const connectMs = performance.now() - t0;
  if (call.ready) await withTimeout(call.ready, CALL_TIMEOUT_MS, `${adapter.name} ready`);
  const t1 = performance.now();
  call.hangUp();
  await withTimeout(call.remoteEnded, CALL_TIMEOUT_MS, `${adapter.name} remote end`);
  const hangupMs = performance.now() - t1;
  const liveTracks = stopLeftovers(call.localTracks);
  return { connectMs, hangupMs, liveTracks };
}

/** Lets @roamhq/wrtc finish closing on its own threads before the next sample starts. */
const pause = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

async function latency(task: Task) {
  const adapters = task.adapters.map((name) => ADAPTERS[name]);
  for (let i = 0; i < task.warmup; i++) {
    for (const adapter of rotate(adapters, i)) {
      await oneCall(adapter);
      await pause();
    }
  }
  const samples = Object.fromEntries(
    task.adapters.map((name) => [
      name,
      { connect: [] as number[], hangup: [] as number[], live: [] as number[] },
    ]),
  );
  for (let i = 0; i < task.runs; i++) {
    for (const adapter of rotate(adapters, i)) {
      const result = await oneCall(adapter);
      const sample = samples[adapter.name]!;
      sample.connect.push(result.connectMs);
      sample.hangup.push(result.hangupMs);
      sample.live.push(result.liveTracks);
      await pause();
    }
  }
  return Object.fromEntries(
    Object.entries(samples).map(([name, s]) => [
      name,
      {
        connect: summarize(s.connect),
        hangup: summarize(s.hangup),
        liveTracksPerCall: summarize(s.live),
        tracksPerCall: 4,
      },
    ]),
  );
}

/**
 * N calls up at the same time; the time until the last of them is connected. At most `wave` calls are set
 * up at once: the next wave starts when every call of the previous one is connected (@roamhq/wrtc holds
 * ~500–800 file descriptors per call while gathering, ~100 once connected, against a hard limit of 20000).
 * The same schedule for every adapter; with `wave >= n` all N start together.
 */
async function concurrentRound(adapter: BenchAdapter, n: number, wave: number): Promise<number> {
  const t0 = performance.now();
  const calls: CallHandle[] = [];
  for (let first = 0; first < n; first += wave) {
    const size = Math.min(wave, n - first);
    calls.push(
      ...(await withTimeout(
        Promise.all(Array.from({ length: size }, () => adapter.connect())),
        CALL_TIMEOUT_MS * 3,
        `${adapter.name} x${n} connect (calls ${first + 1}–${first + size})`,
      )),
    );
  }
  const elapsed = performance.now() - t0;
  await Promise.all(calls.map((call) => call.ready));
  for (const call of calls) call.hangUp();
  await withTimeout(
    Promise.all(calls.map((call) => call.remoteEnded)),
    CALL_TIMEOUT_MS,
    `${adapter.name} x${n} end`,
  );
  for (const call of calls) stopLeftovers(call.localTracks);
  calls.length = 0;
  return elapsed;
}

/**
 * @roamhq/wrtc releases a closed connection's sockets and pipes on its own threads, later: rounds of 25 or
 * 50 calls back to back would pile them up past the descriptor limit. Between rounds, wait (at most 10 s)
 * until the process holds no more descriptors than before the first round. Linux only; elsewhere a pause.
 */
function openFds(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}

async function drainFds(baseline: number | undefined): Promise<void> {
  await pause(20);
  if (baseline === undefined) return;
  const deadline = performance.now() + 10_000;
  while ((openFds() ?? 0) > baseline + 20 && performance.now() < deadline) await pause(20);
}

async function concurrency(task: Task) {
  const baseline = openFds();
  const adapters = task.adapters.map((name) => ADAPTERS[name]);
  const result: Record<string, Record<string, Summary>> = {};
  for (const n of task.concurrency ?? [1, 10, 25, 50]) {
    for (let i = 0; i < task.warmup; i++) {
      for (const adapter of rotate(adapters, i)) {
        await concurrentRound(adapter, n, task.wave ?? n);
        await drainFds(baseline);
      }
    }
    const samples: Record<string, number[]> = Object.fromEntries(task.adapters.map((name) => [name, []]));
    for (let i = 0; i < task.runs; i++) {
      for (const adapter of rotate(adapters, i)) {
        samples[adapter.name]!.push(await concurrentRound(adapter, n, task.wave ?? n));
        await drainFds(baseline);
      }
    }
    for (const [name, values] of Object.entries(samples)) {
      result[name] ??= {};
      result[name]![String(n)] = summarize(values);
    }
  }
  return result;
}

async function collect(): Promise<{ heapUsed: number; rss: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  // Several rounds with turns of the event loop between them: wrappers released by wrtc's threads and
  // FinalizationRegistry callbacks need a tick to go.
  for (let i = 0; i < 6; i++) {
    gc();
    await pause(20);
  }
  const usage = process.memoryUsage();
  return { heapUsed: usage.heapUsed, rss: usage.rss };
}

/**
 * One adapter per process: heapUsed after `calls` sequential calls minus before, per call. The first calls
 * of a process also pay one-off costs (JIT code, inline caches, wrtc's pools), so the warm-up is at least 20
 * calls and the second half of the run is reported on its own as the steady-state growth per call.
 */
async function memory(task: Task) {
  const [name] = task.adapters;
  const adapter = ADAPTERS[name!];
  const calls = task.calls ?? 200;
  const half = Math.floor(calls / 2);
  for (let i = 0; i < Math.max(task.warmup, 20); i++) await oneCall(adapter);
  const before = await collect();
  let mid = before;
  for (let i = 0; i < calls; i++) {
    if (i === half) mid = await collect();
    await oneCall(adapter);
    await pause(1);
  }
  const after = await collect();
  return {
    [adapter.name]: {
      calls,
      heapBytesPerCall: (after.heapUsed - before.heapUsed) / calls,
      steadyHeapBytesPerCall: (after.heapUsed - mid.heapUsed) / (calls - half),
      rssBytesPerCall: (after.rss - before.rss) / calls,
      heapUsedBefore: before.heapUsed,
      heapUsedAfter: after.heapUsed,
    },
  };
}

async function main() {
  const task = JSON.parse(process.argv[2] ?? '{}') as Task;
  const run = { latency, concurrency, memory }[task.task];
  if (!run) throw new Error(`unknown task ${task.task}`);
  const result = await run(task);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

main().then(
  // Exit at once: the result is out, and lingering wrtc objects must not get a chance to crash a clean run.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
