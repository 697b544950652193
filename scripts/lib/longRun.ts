import { spawnSync } from 'node:child_process';

/**
 * Runs a vitest file set with a case count taken from `--runs N` (and an optional `--seed S`), passed to the
 * tests through environment variables. Prints the seed first, so a failing long run can be replayed with
 * `--seed`; fast-check also prints seed and path of the shrunk counterexample.
 */
export function longRun(options: {
  name: string;
  files: string[];
  runsVariable: string;
  seedVariable?: string;
  defaultRuns: number;
  project?: string;
}): never {
  const args = process.argv.slice(2);
  const flagValue = (flag: string): string | undefined => {
    const index = args.indexOf(flag);
    if (index >= 0) return args[index + 1];
    const inline = args.find((arg) => arg.startsWith(`${flag}=`));
    return inline?.slice(flag.length + 1);
  };
  const runs = Number(flagValue('--runs') ?? options.defaultRuns);
  if (!Number.isInteger(runs) || runs <= 0) {
    process.stderr.write(`${options.name}: --runs must be a positive integer\n`);
    process.exit(2);
  }
  const env: NodeJS.ProcessEnv = { ...process.env, [options.runsVariable]: String(runs) };
  let seed: number | undefined;
  if (options.seedVariable) {
    seed = Number(flagValue('--seed') ?? Math.floor(Math.random() * 2 ** 31));
    env[options.seedVariable] = String(seed);
  }
  process.stdout.write(
    `${options.name}: ${runs} runs per property${seed === undefined ? '' : `, seed ${seed}`}\n`,
  );
  const started = Date.now();
  const result = spawnSync(
    'npx',
    // Long runs outlast vitest's 5 s default test timeout by design.
    ['vitest', 'run', '--project', options.project ?? 'unit', '--testTimeout=1800000', ...options.files],
    { stdio: 'inherit', env },
  );
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const code = result.status ?? 1;
  process.stdout.write(
    `${options.name}: ${code === 0 ? 'passed' : 'FAILED'} in ${seconds} s (${runs} runs per property${seed === undefined ? '' : `, seed ${seed}`})\n`,
  );
  process.exit(code);
}
