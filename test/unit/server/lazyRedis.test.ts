// @vitest-environment node
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Cluster mode's Redis client must never be loaded by the core or the single-process relay: only a dynamic
// `import()` (taken in cluster mode) may lead to it. This follows every static import from each entry point.

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../../src');

/** Every module reachable from `entry` through static imports and re-exports (type-only ones are erased: skipped). */
function staticClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    // `import … from '…'` and `export … from '…'`, not `import('…')`, not `import type` / `export type`.
    for (const match of source.matchAll(/^(?:import|export)\s(?!type\s)[^;]*?from\s+'([^']+)'/gms)) {
      const specifier = match[1]!;
      if (!specifier.startsWith('.')) {
        seen.add(specifier);
        continue;
      }
      visit(join(dirname(file), specifier.replace(/\.js$/, '.ts')));
    }
  };
  visit(entry);
  return seen;
}

describe('ioredis is loaded only in cluster mode', () => {
  it.each(['index.ts', 'testing/index.ts', 'react/index.ts', 'server/index.ts'])(
    '%s reaches neither ioredis nor the cluster room logic through static imports',
    (entry) => {
      const reached = [...staticClosure(join(SRC, entry))];
      expect(reached.filter((module) => module === 'ioredis')).toEqual([]);
      expect(reached.filter((module) => module.includes('/cluster/'))).toEqual([]);
      // The scan does follow the relay's own modules (so an empty result above means something).
      if (entry === 'server/index.ts')
        expect(reached.some((module) => module.endsWith('LocalRooms.ts'))).toBe(true);
    },
  );

  it('the relay reaches the cluster module by dynamic import only', () => {
    const source = readFileSync(join(SRC, 'server/createRelayServer.ts'), 'utf8');
    expect(source).toMatch(/await import\('\.\/cluster\/ClusterRooms\.js'\)/);
    const connection = readFileSync(join(SRC, 'server/cluster/redisConnection.ts'), 'utf8');
    expect(connection).toMatch(/await import\('ioredis'\)/);
    expect(connection).not.toMatch(/^import[^;]*from 'ioredis'/m);
  });
});
