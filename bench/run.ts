/**
 * `npm run bench [-- flags]`: hangup vs a raw RTCPeerConnection pair vs simple-peer on @roamhq/wrtc,
 * loopback only. Each measurement runs in a child process (bench/worker.ts) with --expose-gc.
 *
 * Flags:
 *   --quick                 fewer samples (runs 10, warm-up 3, memory 1 x 50 calls, concurrency 1/10/25/50 x 3)
 *   --runs N                latency samples per adapter (default 30)
 *   --warmup N              warm-up rounds before sampling (default 5)
 *   --memory-calls N        sequential calls per memory measurement (default 200)
 *   --memory-runs N         memory measurements per adapter, each in a fresh process (default 5)
 *   --concurrency 1,10,25   concurrent call counts (default 1,10,25,50)
 *   --concurrency-runs N    samples per adapter and count (default 30)
 *   --shard N               concurrency: calls per child process (default 10); all N calls start at once,
 *                           spread over ceil(N / shard) processes (the fd limit is per process)
 *   --shard 0 --wave N      concurrency in one process instead, set up in waves of N (0 = all at once)
 *   --only latency,memory,concurrency
 *   --adapters raw,hangup,simple-peer
 *   --json FILE             also write the raw results as JSON
 *   --cpu-prof              profile each measuring process (inspector, 100 µs) into bench/profiles/
 *   --media-first           latency with media acquired before the timed region (#13): A sends it, B receives
 *                           only, so only the libraries' own work differs (raw and hangup take part)
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADAPTER_NAMES, type AdapterName } from './common.js';
import { compileBench } from './compile.js';
import { rotate, type Summary, summarize } from './stats.js';

const here = dirname(fileURLToPath(import.meta.url));

let worker: string | undefined;
/** The worker, compiled once per run (see bench/compile.ts for why not tsx). */
function compiledWorker(): string {
  worker ??= compileBench().worker;
  return worker;
}

interface Flags {
  runs: number;
  warmup: number;
  memoryCalls: number;
  memoryRuns: number;
  concurrency: number[];
  concurrencyRuns: number;
  wave: number;
  shard: number;
  only: string[];
  adapters: AdapterName[];
  json: string | undefined;
  cpuProf: boolean;
  mediaFirst: boolean;
}

function parseFlags(argv: string[]): Flags {
  const quick = argv.includes('--quick');
  const value = (name: string): string | undefined => {
    const index = argv.indexOf(name);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const int = (name: string, fallback: number) => {
    const raw = value(name);
    const parsed = raw === undefined ? fallback : Number.parseInt(raw, 10);
    if (!Number.isInteger(parsed) || parsed < 0)
      throw new TypeError(`${name} needs a whole number, got ${raw}`);
    return parsed;
  };
  const list = (name: string, fallback: string[]) => value(name)?.split(',').filter(Boolean) ?? fallback;
  const mediaFirst = argv.includes('--media-first');
  // simple-peer has no media-first scenario: the comparison is hangup against the raw pair.
  const adapters = list('--adapters', mediaFirst ? ['raw', 'hangup'] : [...ADAPTER_NAMES]) as AdapterName[];
  for (const name of adapters) {
    if (!ADAPTER_NAMES.includes(name))
      throw new TypeError(`unknown adapter ${name} (${ADAPTER_NAMES.join(', ')})`);
  }
  return {
    runs: int('--runs', quick ? 10 : 30),
    warmup: int('--warmup', quick ? 3 : 5),
    memoryCalls: int('--memory-calls', quick ? 50 : 200),
    memoryRuns: int('--memory-runs', quick ? 1 : 5),
    concurrency: list('--concurrency', ['1', '10', '25', '50']).map(Number),
    concurrencyRuns: int('--concurrency-runs', quick ? 3 : 30),
    wave: int('--wave', 0),
    shard: int('--shard', 10),
    only: list('--only', ['latency', 'memory', 'concurrency']),
    adapters,
    json: value('--json'),
    cpuProf: argv.includes('--cpu-prof'),
    mediaFirst,
  };
}

/**
 * Runs one task in a fresh process; the RESULT line counts even if wrtc crashes on the way out. A child
 * killed by a signal before its result (@roamhq/wrtc segfaults now and then, in any adapter) is run again,
 * at most twice, and said so on stderr; any other failure is thrown.
 */
function runTask(task: object, flags: Flags): Record<string, unknown> {
  const nodeArgs = ['--expose-gc'];
  const env = flags.cpuProf ? { ...process.env, HANGUP_BENCH_CPU_PROF: join(here, 'profiles') } : process.env;
  for (let attempt = 1; ; attempt++) {
    const child = spawnSync(process.execPath, [...nodeArgs, compiledWorker(), JSON.stringify(task)], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    // Profile paths and notes from the children.
    if (flags.cpuProf) process.stderr.write(child.stderr);
    const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (line) {
      if (child.status !== 0)
        process.stderr.write(`note: worker exited with ${child.signal ?? child.status} after its result\n`);
      return JSON.parse(line.slice('RESULT '.length)) as Record<string, unknown>;
    }
    const failure = `bench task ${JSON.stringify(task)} failed (status ${child.status}, signal ${child.signal})`;
    if (child.signal && attempt < 3) {
      process.stderr.write(`note: ${failure}; running it again\n`);
      continue;
    }
    throw new Error(`${failure}:\n${child.stderr}`);
  }
}

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '–');
const triple = (s: Summary) => `${ms(s.min)} / ${ms(s.median)} / ${ms(s.max)}`;
const ratio = (value: number, floor: number | undefined) =>
  floor === undefined || !Number.isFinite(floor) || floor === 0 ? '–' : `${(value / floor).toFixed(2)}×`;

function table(headers: string[], rows: string[][]): string {
  const lines = [headers, headers.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
  return lines.join('\n');
}

interface LatencyResult {
  connect: Summary;
  hangup: Summary;
  liveTracksPerCall: Summary;
  tracksPerCall: number;
}

function main() {
  const flags = parseFlags(process.argv.slice(2));
  const started = performance.now();
  const results: Record<string, unknown> = {};
  const out: string[] = [];
  const say = (text: string) => {
    out.push(text);
    process.stdout.write(`${text}\n`);
  };
  say(
    `hangup bench — ${new Date().toISOString()} — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
  );
  say(`flags: ${JSON.stringify(flags)}\n`);

  if (flags.only.includes('latency')) {
    const latency = runTask(
      {
        task: 'latency',
        adapters: flags.adapters,
        runs: flags.runs,
        warmup: flags.warmup,
        mediaFirst: flags.mediaFirst,
      },
      flags,
    ) as Record<string, LatencyResult>;
    results.latency = latency;
    const raw = latency.raw;
    say(
      `### Time to connected and to the remote knowing the call ended (ms, min / median / max, ${flags.runs} runs${flags.mediaFirst ? '; media acquired before the timed region, A sends, B receives only' : ''})\n`,
    );
    say(
      table(
        ['adapter', 'connect', 'vs raw', 'remote learns of hang-up', 'vs raw', 'local tracks live after end'],
        Object.entries(latency).map(([name, r]) => [
          name,
          triple(r.connect),
          ratio(r.connect.median, raw?.connect.median),
          triple(r.hangup),
          ratio(r.hangup.median, raw?.hangup.median),
          `${r.liveTracksPerCall.max} of ${r.tracksPerCall}`,
        ]),
      ),
    );
    say('');
  }

  if (flags.only.includes('memory')) {
    // Each sample is a fresh process per adapter (a clean heap), adapters alternating round by round. One
    // process's figure moves by about ±1 KB per call (what gc() leaves behind varies), hence several.
    type MemorySample = { heapBytesPerCall: number; steadyHeapBytesPerCall: number; rssBytesPerCall: number };
    const samples: Record<string, MemorySample[]> = Object.fromEntries(
      flags.adapters.map((name) => [name, []]),
    );
    for (let round = 0; round < flags.memoryRuns; round++) {
      for (const adapter of rotate(flags.adapters, round)) {
        const result = runTask(
          { task: 'memory', adapters: [adapter], runs: 0, warmup: flags.warmup, calls: flags.memoryCalls },
          flags,
        ) as Record<string, MemorySample>;
        samples[adapter]!.push(result[adapter]!);
      }
    }
    const memory = Object.fromEntries(
      Object.entries(samples).map(([name, list]) => [
        name,
        {
          heap: summarize(list.map((m) => m.heapBytesPerCall)),
          steady: summarize(list.map((m) => m.steadyHeapBytesPerCall)),
          rss: summarize(list.map((m) => m.rssBytesPerCall)),
        },
      ]),
    );
    results.memory = { samples, summary: memory };
    const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)}`;
    const kbTriple = (s: Summary) => `${kb(s.min)} / ${kb(s.median)} / ${kb(s.max)}`;
    const vsRaw = (name: string, pick: (m: (typeof memory)[string]) => Summary) => {
      const raw = memory.raw;
      return raw ? `${kb(pick(memory[name]!).median - pick(raw).median)} KB` : '–';
    };
    say(
      `### Memory per call (KB, min / median / max over ${flags.memoryRuns} processes of ${flags.memoryCalls} sequential calls each, after global.gc())\n`,
    );
    say(
      table(
        [
          'adapter',
          'heapUsed Δ / call',
          'vs raw (median)',
          'second half only',
          'vs raw (median)',
          'rss Δ / call (native, informative)',
        ],
        Object.entries(memory).map(([name, m]) => [
          name,
          kbTriple(m.heap),
          vsRaw(name, (x) => x.heap),
          kbTriple(m.steady),
          vsRaw(name, (x) => x.steady),
          kb(m.rss.median),
        ]),
      ),
    );
    say('');
  }

  if (flags.only.includes('concurrency')) {
    // One process per N: a count the machine cannot hold (file descriptors, say) must not cost the others.
    const concurrency: Record<string, Record<string, Summary & { failedRounds?: number }>> = {};
    const failures: string[] = [];
    for (const n of flags.concurrency) {
      try {
        const byAdapter = runTask(
          {
            task: 'concurrency',
            adapters: flags.adapters,
            runs: flags.concurrencyRuns,
            // Warm-up is about calls per process (JIT, wrtc's pools): 10 rounds of 1 call, 2 rounds of 10.
            warmup: Math.max(Math.min(flags.warmup, 2), Math.ceil(10 / n)),
            concurrency: [n],
            ...(flags.shard > 0 ? { shard: flags.shard } : flags.wave > 0 && { wave: flags.wave }),
          },
          flags,
        ) as Record<string, Record<string, Summary & { failedRounds?: number }>>;
        for (const [name, byN] of Object.entries(byAdapter))
          concurrency[name] = { ...concurrency[name], ...byN };
      } catch (error) {
        const reason = String(error).includes('Too many open files')
          ? 'too many open files (lower --shard, or raise ulimit -n)'
          : String(error).split('\n')[0];
        failures.push(`N = ${n}: ${reason}`);
        // The whole story (the child's stderr) goes to stderr; the table keeps one line.
        process.stderr.write(`${String(error)}\n`);
      }
    }
    results.concurrency = concurrency;
    say(
      `### Time until all N concurrent calls are connected (ms, min / median / max, ${flags.concurrencyRuns} runs; ${
        flags.shard > 0
          ? `all started at once, at most ${flags.shard} calls per process`
          : flags.wave > 0
            ? `one process, set up in waves of ${flags.wave}`
            : 'all started at once in one process'
      })\n`,
    );
    const rows: string[][] = [];
    for (const n of flags.concurrency) {
      for (const [name, byN] of Object.entries(concurrency)) {
        const s = byN[String(n)];
        if (!s) continue;
        rows.push([
          String(n),
          name,
          triple(s),
          ratio(s.median, concurrency.raw?.[String(n)]?.median),
          String(s.failedRounds ?? 0),
        ]);
      }
    }
    say(table(['N', 'adapter', 'all connected', 'vs raw', 'failed rounds (not sampled)'], rows));
    for (const failure of failures) say(`\nnot measured: ${failure}`);
    say('');
  }

  say(`total ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (flags.json) writeFileSync(flags.json, `${JSON.stringify({ flags, results }, null, 2)}\n`);
}

main();
