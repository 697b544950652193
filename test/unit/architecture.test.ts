import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layout's rules, checked on the source itself (every import, type-only ones included):
 * - shared types (`model/`) import nothing else from src/; utilities (`util/`) only `model/`; root leaf
 *   modules (clock, logger, runtime) nothing;
 * - no two folders import each other, directly or through others (the folder graph has no cycle);
 * - the core never imports `testing/`, `react/` or `server/`.
 */
const SRC = path.resolve(__dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(name) ? [full] : [];
  });
}

/** The node a file belongs to: its top-level folder under src/, or the root file itself. */
function nodeOf(file: string): string {
  const relative = path.relative(SRC, file).split(path.sep);
  return relative.length === 1 ? (relative[0] ?? '') : `${relative[0]}/`;
}

/** Relative imports and re-exports of a file, resolved to files under src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:import|export)\s[^'";]*?from\s*'(\.[^']+)'/g)].map((m) => m[1]);
  specifiers.push(...[...text.matchAll(/import\(\s*'(\.[^']+)'\s*\)/g)].map((m) => m[1]));
  return specifiers
    .filter((s): s is string => s !== undefined)
    .map((s) => path.resolve(path.dirname(file), s).replace(/\.js$/, '.ts'));
}

function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(SRC)) {
    const from = nodeOf(file);
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const target of importsOf(file)) {
      const to = nodeOf(target);
      if (to !== from) edges.add(to);
    }
  }
  return graph;
}

/** A cycle in the graph as a path (`a → b → a`), or undefined. */
function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'visiting') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('architecture', () => {
  const graph = folderGraph();

  it('finds the folders it is meant to check (the scan works)', () => {
    expect([...graph.keys()]).toEqual(
      expect.arrayContaining([
        'model/',
        'util/',
        'session/',
        'signaling/',
        'peer/',
        'media/',
        'CallSession.ts',
      ]),
    );
    expect(graph.get('CallSession.ts')?.has('peer/')).toBe(true);
  });

  it('the cycle finder finds a planted cycle (so the real check can fail)', () => {
    const planted = new Map([
      ['a/', new Set(['b/'])],
      ['b/', new Set(['c/'])],
      ['c/', new Set(['a/'])],
    ]);
    expect(findCycle(planted)).toEqual(['a/', 'b/', 'c/', 'a/']);
  });

  it('no two folders import each other, directly or through others', () => {
    expect(findCycle(graph)).toBeUndefined();
  });

  it('shared types import nothing else from src/, utilities only shared types', () => {
    expect([...(graph.get('model/') ?? [])]).toEqual([]);
    expect([...(graph.get('util/') ?? [])].filter((to) => to !== 'model/' && to !== 'clock.ts')).toEqual([]);
    for (const leaf of ['clock.ts', 'logger.ts', 'runtime.ts']) {
      expect([...(graph.get(leaf) ?? [])], leaf).toEqual([]);
    }
  });

  it('the core never imports testing/, react/, server/ or node/', () => {
    for (const [from, edges] of graph) {
      if (['testing/', 'react/', 'server/', 'node/'].includes(from)) continue;
      for (const entry of ['testing/', 'react/', 'server/', 'node/'])
        expect(edges.has(entry), `${from} -> ${entry}`).toBe(false);
    }
  });
});
