import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

/**
 * `--cpu-prof` for a bench process: when `HANGUP_BENCH_CPU_PROF` names a directory, samples this process's
 * main thread through the inspector and returns a function that writes `<dir>/<label>-<pid>.cpuprofile`.
 * (node's own `--cpu-prof` flag wrote only the first few hundred milliseconds here: the workers end with
 * `process.exit()` right after their result.) Open the file in Chrome DevTools or speedscope.
 */
export async function startProfiling(label: string): Promise<() => Promise<void>> {
  const dir = process.env.HANGUP_BENCH_CPU_PROF;
  if (!dir) return async () => {};
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  // 100 µs: the native calls that matter here take 50–1000 µs.
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${label}-${process.pid}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    process.stderr.write(`cpu profile: ${file}\n`);
    session.disconnect();
  };
}
