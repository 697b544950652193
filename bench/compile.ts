import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Compiles the measuring processes (worker, shard and the hang-up marks, with `src/` and the adapters bundled in) to plain
 * JavaScript in `node_modules/.cache/hangup-bench/` (out of the linters' and the package's way), the way tsup builds the package: esbuild, no `keepNames`. Run under tsx
 * instead, every function of `src/` would carry tsx's `__name(...)` wrapper (about 0.14 ms per call on the
 * hang-up path here), which users of the built package never run and the raw pair mostly does not have.
 * Dependencies stay external, so @roamhq/wrtc and simple-peer load from node_modules as usual.
 */
export function compileBench(): { worker: string; hangupMarks: string; dir: string } {
  const dir = join(here, '..', 'node_modules', '.cache', 'hangup-bench');
  buildSync({
    entryPoints: {
      worker: join(here, 'worker.ts'),
      shard: join(here, 'shard.ts'),
      hangupMarks: join(here, 'hangupMarks.ts'),
    },
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
  });
  return { worker: join(dir, 'worker.mjs'), hangupMarks: join(dir, 'hangupMarks.mjs'), dir };
}
