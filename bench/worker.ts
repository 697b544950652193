/**
 * One measurement task in its own process (spawned by run.ts). Prints one `RESULT <json>` line. Runs in a
 * child process because @roamhq/wrtc may crash at exit, and so memory is measured on a fresh heap.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADAPTERS } from './adapters/index.js';
import {
  type AdapterName,
  type BenchAdapter,
  type CallHandle,
  getUserMedia,
  stopLeftovers,
  withTimeout,
} from './common.js';
import { drainFds, openFds, pause } from './fds.js';
import { startProfiling } from './profile.js';
import type { ShardReply, ShardRequest } from './shard.js';
import { rotate, type Summary, summarize } from './stats.js';

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
  /** concurrency, in one process: calls set up at once (waves); default: all N at once. */
  wave?: number;
  /**
   * concurrency: calls per process. When set, the N calls are spread over ceil(N / shard) child processes
   * (bench/shard.ts) and all N start at the same time; `wave` is then ignored.
   */
  shard?: number;
  /** latency: media acquired before the timed region, A sends, B receives only (`connectWithMedia`). */
  mediaFirst?: boolean;
}

/** One call from start to both sides released; returns its timings. */
async function oneCall(
  adapter: BenchAdapter,
  mediaFirst = false,
): Promise<{ connectMs: number; hangupMs: number; liveTracks: number }> {
  let start = () => adapter.connect();
  if (mediaFirst) {
    const connectWithMedia = adapter.connectWithMedia?.bind(adapter);
    if (!connectWithMedia) throw new Error(`${adapter.name} has no media-first scenario`);
    // Outside the timed region: only the libraries' own work is compared.
    const stream = await getUserMedia();
    start = () => connectWithMedia(stream);
  }
  const t0 = performance.now();
  const call = await withTimeout(start(), CALL_TIMEOUT_MS, `${adapter.name} connect`);
  const connectMs = performance.now() - t0;
  if (call.ready) await withTimeout(call.ready, CALL_TIMEOUT_MS, `${adapter.name} ready`);
  const t1 = performance.now();
  call.hangUp();
  await withTimeout(call.remoteEnded, CALL_TIMEOUT_MS, `${adapter.name} remote end`);
  const hangupMs = performance.now() - t1;
  const liveTracks = stopLeftovers(call.localTracks);
  return { connectMs, hangupMs, liveTracks };
}

async function latency(task: Task) {
  const adapters = task.adapters.map((name) => ADAPTERS[name]);
  for (let i = 0; i < task.warmup; i++) {
    for (const adapter of rotate(adapters, i)) {
      await oneCall(adapter, task.mediaFirst);
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
      const result = await oneCall(adapter, task.mediaFirst);
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
        tracksPerCall: task.mediaFirst ? 2 : 4,
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

/** A forked bench/shard.ts process, asked one thing at a time. */
interface Shard {
  request(request: ShardRequest): Promise<ShardReply>;
  close(): void;
  /** Ends the process at once, calls and all (after a failed round, its calls are in an unknown state). */
  kill(): void;
}

const here = dirname(fileURLToPath(import.meta.url));

function startShard(): Shard {
  // Compiled by bench/compile.ts next to this file (shard.mjs), or run from source under tsx.
  const compiled = import.meta.url.endsWith('.mjs');
  const child: ChildProcess = fork(join(here, compiled ? 'shard.mjs' : 'shard.ts'), [], {
    execArgv: compiled ? ['--expose-gc'] : ['--expose-gc', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let pending: { resolve(reply: ShardReply): void; reject(error: Error): void } | undefined;
  child.on('message', (reply: ShardReply) => {
    const waiting = pending;
    pending = undefined;
    if (reply.type === 'failed') waiting?.reject(new Error(`shard ${child.pid}: ${reply.message}`));
    else waiting?.resolve(reply);
  });
  child.on('exit', (code, signal) => {
    pending?.reject(new Error(`shard ${child.pid} exited (${signal ?? code}) during a round`));
    pending = undefined;
  });
  return {
    request(request) {
      return new Promise((resolve, reject) => {
        pending = { resolve, reject };
        child.send(request);
      });
    },
    close() {
      child.disconnect();
    },
    kill() {
      child.kill('SIGKILL');
    },
  };
}

/** Splits n calls over shards of at most `size` calls, as evenly as possible (25 over 10s: 9, 8, 8). */
function shardCounts(n: number, size: number): number[] {
  const shards = Math.ceil(n / size);
  return Array.from({ length: shards }, (_, i) => Math.floor(n / shards) + (i < n % shards ? 1 : 0));
}

/**
 * N calls started at the same moment, spread over processes; the time from the start until every shard
 * reports all of its calls connected (one IPC hop, well under a millisecond, on rounds of 10–3000 ms).
 */
async function shardedRound(shards: Shard[], counts: number[], adapter: AdapterName): Promise<number> {
  const t0 = performance.now();
  await Promise.all(shards.map((shard, i) => shard.request({ type: 'connect', adapter, count: counts[i]! })));
  const elapsed = performance.now() - t0;
  await Promise.all(shards.map((shard) => shard.request({ type: 'end' })));
  return elapsed;
}

/** Failed rounds tolerated per adapter and N before the measurement of that N is given up. */
const MAX_FAILED_ROUNDS = 3;

async function concurrency(task: Task) {
  const baseline = openFds();
  const adapters = task.adapters.map((name) => ADAPTERS[name]);
  const result: Record<string, Record<string, Summary & { failedRounds: number }>> = {};
  for (const n of task.concurrency ?? [1, 10, 25, 50]) {
    const counts = task.shard ? shardCounts(n, task.shard) : [];
    let shards = counts.map(() => startShard());
    const failed: Record<string, number> = {};
    // A round in which some call never connects is counted as failed, not sampled: its shards are
    // replaced (their calls are in an unknown state) and the measurement goes on. In one process
    // (--shard 0) there is nothing to replace, so a failure ends the task as before.
    const round = async (adapter: BenchAdapter): Promise<number | undefined> => {
      if (shards.length === 0) {
        const elapsed = await concurrentRound(adapter, n, task.wave ?? n);
        await drainFds(baseline);
        return elapsed;
      }
      try {
        return await shardedRound(shards, counts, adapter.name);
      } catch (error) {
        const count = (failed[adapter.name] ?? 0) + 1;
        failed[adapter.name] = count;
        const reason = String(error).split('\n')[0];
        process.stderr.write(
          `N = ${n}, ${adapter.name}: failed round ${count} (${reason}); shards replaced\n`,
        );
        if (count > MAX_FAILED_ROUNDS) throw error;
        for (const shard of shards) shard.kill();
        shards = counts.map(() => startShard());
        return undefined;
      }
    };
    try {
      for (let i = 0; i < task.warmup; i++) {
        for (const adapter of rotate(adapters, i)) await round(adapter);
      }
      const samples: Record<string, number[]> = Object.fromEntries(task.adapters.map((name) => [name, []]));
      for (let i = 0; i < task.runs; i++) {
        for (const adapter of rotate(adapters, i)) {
          const elapsed = await round(adapter);
          if (elapsed !== undefined) samples[adapter.name]!.push(elapsed);
        }
      }
      for (const [name, values] of Object.entries(samples)) {
        result[name] ??= {};
        result[name]![String(n)] = { ...summarize(values), failedRounds: failed[name] ?? 0 };
      }
    } finally {
      for (const shard of shards) shard.close();
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
  const stopProfiling = await startProfiling(`worker-${task.task}`);
  const result = await run(task);
  await stopProfiling();
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
