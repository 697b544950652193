import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidSignalError, isInvalidSignalError } from '../../../src/errors/InvalidSignalError.js';
import { DEFAULT_SIGNAL_LIMITS, parseSignalMessage } from '../../../src/signaling/parseSignalMessage.js';
import type { SignalMessage } from '../../../src/signaling/types.js';

// Adversarial structures for parseSignalMessage, complementing the JSON / fc.anything properties in
// test/unit/parseSignalMessage.test.ts: a valid message is taken apart and one node somewhere in it is
// replaced by something hostile (Proxy with lying or throwing traps, accessor, forbidden key, symbol key,
// non-plain object, huge string, deep nesting). Same knob: HANGUP_FUZZ_RUNS (`npm run fuzz -- --runs N`).

const FUZZ_RUNS = Number(process.env.HANGUP_FUZZ_RUNS ?? 2000);
const TIMEOUT_MS = Math.max(30_000, FUZZ_RUNS * 2);

/** Counts every getter / Proxy `get` the parser runs: it promises to read through descriptors only. */
let sideEffects = 0;
const spy = <T>(read: () => T): T => {
  sideEffects++;
  return read();
};

const baseMessages: fc.Arbitrary<SignalMessage> = fc.constantFrom<SignalMessage>(
  { type: 'description', description: { type: 'offer', sdp: 'v=0\r\na=ice-ufrag:x\r\n' } },
  { type: 'description', description: { type: 'rollback' } },
  {
    type: 'candidate',
    candidate: {
      candidate: 'candidate:1 1 udp 1 192.0.2.1 9 typ host',
      sdpMid: '0',
      sdpMLineIndex: 0,
      usernameFragment: 'x',
    },
  },
  { type: 'candidate', candidate: null },
  { type: 'bye', reason: 'hangup', callId: 'c-1' },
  { type: 'mute', kind: 'audio', muted: true },
);

type Poison = (node: Record<string, unknown>) => unknown;

const throwing = (): never => {
  throw new Error('trap');
};

/** Ways to turn one object node into something hostile; each returns the replacement node. */
const poisons: fc.Arbitrary<[string, Poison]> = fc.constantFrom<[string, Poison]>(
  [
    'throwing getter',
    (node) => Object.defineProperty({ ...node }, 'x', { enumerable: true, get: () => spy(throwing) }),
  ],
  [
    'getter on a known field',
    (node) => {
      const [key] = Object.keys(node);
      const copy = { ...node };
      if (key) Object.defineProperty(copy, key, { enumerable: true, get: () => spy(() => node[key]) });
      return copy;
    },
  ],
  [
    'own __proto__',
    (node) =>
      Object.defineProperty({ ...node }, '__proto__', { value: { polluted: true }, enumerable: true }),
  ],
  ['own constructor', (node) => ({ ...node, constructor: { prototype: { polluted: true } } })],
  ['own prototype', (node) => ({ ...node, prototype: {} })],
  ['symbol key', (node) => ({ ...node, [Symbol('s')]: 1 })],
  [
    'non-enumerable key',
    (node) => Object.defineProperty({ ...node }, 'hidden', { value: 1, enumerable: false }),
  ],
  ['class instance', (node) => Object.assign(new (class Message {})(), node)],
  ['foreign prototype', (node) => Object.assign(Object.create({ inherited: true }), node)],
  ['Date', () => new Date(0)],
  ['Map', (node) => new Map(Object.entries(node))],
  ['function', () => () => 'x'],
  ['bigint', () => 10n],
  ['symbol', () => Symbol('v')],
  ['proxy: ownKeys throws', (node) => new Proxy(node, { ownKeys: throwing })],
  ['proxy: descriptor throws', (node) => new Proxy(node, { getOwnPropertyDescriptor: throwing })],
  ['proxy: getPrototypeOf throws', (node) => new Proxy(node, { getPrototypeOf: throwing })],
  [
    'proxy: lies about keys',
    (node) => new Proxy(node, { ownKeys: () => [...Reflect.ownKeys(node), 'ghost'] }),
  ],
  [
    'proxy: get trap',
    (node) => new Proxy(node, { get: (target, key) => spy(() => Reflect.get(target, key)) }),
  ],
  [
    'proxy: changes its answers',
    (node) => {
      let reads = 0;
      return new Proxy(node, {
        getOwnPropertyDescriptor: (target, key) => {
          reads++;
          const descriptor = Reflect.getOwnPropertyDescriptor(target, key);
          return descriptor && reads > 1 ? { ...descriptor, value: { changed: reads } } : descriptor;
        },
      });
    },
  ],
  [
    'revoked proxy',
    (node) => {
      const { proxy, revoke } = Proxy.revocable(node, {});
      revoke();
      return proxy;
    },
  ],
  ['array with extra key', (node) => Object.assign(Object.values(node), { extra: 1 })],
  // biome-ignore lint/suspicious/noSparseArray: a hole is the point of the case
  ['sparse array', () => [1, , 3]],
  ['huge string', () => 'x'.repeat(DEFAULT_SIGNAL_LIMITS.maxSdpBytes + 1)],
  ['huge multibyte string', () => '€'.repeat(Math.ceil(DEFAULT_SIGNAL_LIMITS.maxSdpBytes / 3) + 1)],
  [
    'deep nesting',
    () => {
      let deep: unknown = {};
      for (let i = 0; i < 10_000; i++) deep = { d: deep };
      return deep;
    },
  ],
  [
    'deep arrays',
    () => {
      let deep: unknown = [];
      for (let i = 0; i < 10_000; i++) deep = [deep];
      return deep;
    },
  ],
  ['wide object', () => Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i]))],
  ['frozen', (node) => Object.freeze({ ...node })],
  ['null prototype', (node) => Object.assign(Object.create(null), node)],
);

/** Every object node of a message, as the path to it (the root is []). */
function objectPaths(value: unknown, path: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [];
  const paths = [path];
  for (const [key, child] of Object.entries(value)) paths.push(...objectPaths(child, [...path, key]));
  return paths;
}

/** Replaces the node at `path` (or one of its fields, when `field` is set) with the poisoned version. */
function plant(message: SignalMessage, path: string[], poison: Poison, field: boolean): unknown {
  const root = structuredClone(message) as Record<string, unknown>;
  if (path.length === 0) return field ? { ...root, extra: poison(root) } : poison(root);
  let parent = root;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
  const last = path.at(-1) as string;
  const node = parent[last] as Record<string, unknown>;
  parent[last] = field ? { ...node, extra: poison(node) } : poison(node);
  return root;
}

/** The only allowed outcomes: a fresh, plain, valid message that re-parses to itself, or InvalidSignalError. */
function checkOutcome(data: unknown): 'valid' | 'invalid' {
  let result: SignalMessage;
  sideEffects = 0;
  try {
    result = parseSignalMessage(data);
  } catch (error) {
    expect(sideEffects).toBe(0);
    expect(isInvalidSignalError(error)).toBe(true);
    expect(error).toBeInstanceOf(InvalidSignalError);
    return 'invalid';
  }
  expect(sideEffects).toBe(0);
  expect(result).not.toBe(data);
  expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
  expect(parseSignalMessage(result)).toEqual(result);
  expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  return 'valid';
}

describe('parseSignalMessage fuzz: adversarial structures planted in valid messages', () => {
  it(
    'yields only a valid message or InvalidSignalError, and never runs a getter or get trap',
    () => {
      const outcomes = { valid: 0, invalid: 0 };
      fc.assert(
        fc.property(baseMessages, fc.nat(), poisons, fc.boolean(), (message, pick, [, poison], field) => {
          const paths = objectPaths(message);
          const path = paths[pick % paths.length] as string[];
          outcomes[checkOutcome(plant(message, path, poison, field))]++;
        }),
        { numRuns: FUZZ_RUNS },
      );
      // Both outcomes occur (a planted field on a known message is dropped; most poisons are rejected).
      expect(outcomes.invalid).toBeGreaterThan(0);
    },
    TIMEOUT_MS,
  );

  it(
    'yields only a valid message or InvalidSignalError for arbitrary JSON text with hostile keys',
    () => {
      const key = fc.oneof(
        fc.constantFrom(
          '__proto__',
          'constructor',
          'prototype',
          'type',
          'description',
          'candidate',
          'sdp',
          'reason',
          'kind',
          'muted',
          'callId',
          'toString',
          'valueOf',
          'hasOwnProperty',
        ),
        fc.string({ maxLength: 6 }),
      );
      const json = fc.letrec((tie) => ({
        value: fc.oneof(
          { depthSize: 'small', withCrossShrink: true },
          fc.jsonValue({ maxDepth: 1 }),
          fc.dictionary(key, tie('value'), { maxKeys: 6 }),
          fc.array(tie('value'), { maxLength: 4 }),
        ),
      })).value;
      fc.assert(
        fc.property(json, (value) => {
          // Through JSON.parse, as a WebSocket frame would arrive: `__proto__` becomes an own key there.
          checkOutcome(JSON.parse(JSON.stringify(value).replaceAll('"_proto_"', '"__proto__"')));
        }),
        { numRuns: FUZZ_RUNS },
      );
    },
    TIMEOUT_MS,
  );

  it('rejects JSON text with an own __proto__ key at any depth', () => {
    for (const text of [
      '{"__proto__":{"x":1},"type":"bye","reason":"hangup"}',
      '{"type":"candidate","candidate":{"candidate":"c","__proto__":null}}',
      '{"type":"description","description":{"type":"offer","sdp":"v=0","constructor":{}}}',
    ]) {
      expect(() => parseSignalMessage(JSON.parse(text))).toThrow(InvalidSignalError);
    }
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
