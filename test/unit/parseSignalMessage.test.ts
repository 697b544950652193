import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidSignalError, isInvalidSignalError } from '../../src/errors/InvalidSignalError.js';
import { END_REASONS } from '../../src/model/endReason.js';
import {
  DEFAULT_SIGNAL_LIMITS,
  parseSignalMessage,
  type SignalLimits,
} from '../../src/signaling/parseSignalMessage.js';
import type { SignalMessage } from '../../src/signaling/types.js';

const FUZZ_RUNS = Number(process.env.HANGUP_FUZZ_RUNS ?? 2000);

const offer = (sdp = 'v=0\r\n'): unknown => ({ type: 'description', description: { type: 'offer', sdp } });
const candidateMessage = (candidate: unknown): unknown => ({ type: 'candidate', candidate });

/** Asserts that parsing throws an InvalidSignalError whose message matches `reason`. */
function expectInvalid(data: unknown, reason: RegExp, limits?: Partial<SignalLimits>): InvalidSignalError {
  let thrown: unknown;
  try {
    parseSignalMessage(data, limits);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(InvalidSignalError);
  const error = thrown as InvalidSignalError;
  expect(error.code).toBe('INVALID_SIGNAL');
  expect(error.message).toMatch(reason);
  return error;
}

describe('parseSignalMessage: valid messages', () => {
  const valid: [string, SignalMessage][] = [
    ['offer', { type: 'description', description: { type: 'offer', sdp: 'v=0 offer' } }],
    ['answer', { type: 'description', description: { type: 'answer', sdp: 'v=0 answer' } }],
    ['pranswer', { type: 'description', description: { type: 'pranswer', sdp: 'v=0 pr' } }],
    ['rollback without sdp', { type: 'description', description: { type: 'rollback' } }],
    ['rollback with empty sdp', { type: 'description', description: { type: 'rollback', sdp: '' } }],
    ['end-of-candidates', { type: 'candidate', candidate: null }],
    [
      'bare candidate',
      { type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 1.2.3.4 5 typ host' } },
    ],
    ['empty candidate string', { type: 'candidate', candidate: { candidate: '' } }],
    [
      'full candidate',
      {
        type: 'candidate',
        candidate: { candidate: 'candidate:1', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'abcd' },
      },
    ],
    [
      'candidate with nulls',
      {
        type: 'candidate',
        candidate: { candidate: 'candidate:1', sdpMid: null, sdpMLineIndex: null, usernameFragment: null },
      },
    ],
    ['candidate index 1023', { type: 'candidate', candidate: { candidate: 'c', sdpMLineIndex: 1023 } }],
    ['mute audio', { type: 'mute', kind: 'audio', muted: true }],
    ['mute video', { type: 'mute', kind: 'video', muted: false }],
    ['with callId', { type: 'bye', reason: 'hangup', callId: 'call-1' }],
    ...END_REASONS.map((reason): [string, SignalMessage] => [`bye ${reason}`, { type: 'bye', reason }]),
  ];

  it.each(valid)('accepts %s and returns an equal copy', (_name, message) => {
    const parsed = parseSignalMessage(message);
    expect(parsed).toEqual(message);
    expect(parsed).not.toBe(message);
  });

  it.each(valid)('accepts %s after a JSON round trip', (_name, message) => {
    expect(parseSignalMessage(JSON.parse(JSON.stringify(message)))).toEqual(message);
  });

  it('returns fresh nested objects, never the input ones', () => {
    const input = {
      type: 'candidate',
      candidate: { candidate: 'c', sdpMid: '0' },
      callId: 'x',
    };
    const parsed = parseSignalMessage(input) as Extract<SignalMessage, { type: 'candidate' }>;
    expect(parsed).not.toBe(input);
    expect(parsed.candidate).not.toBe(input.candidate);
    input.candidate.sdpMid = 'changed';
    expect(parsed.candidate?.sdpMid).toBe('0');

    const description = { type: 'offer', sdp: 'v=0' };
    const parsedOffer = parseSignalMessage({ type: 'description', description }) as Extract<
      SignalMessage,
      { type: 'description' }
    >;
    expect(parsedOffer.description).not.toBe(description);
  });

  it('returns plain objects with Object.prototype', () => {
    const parsed = parseSignalMessage(
      Object.assign(Object.create(null), { type: 'candidate', candidate: { candidate: 'c' } }),
    ) as Extract<SignalMessage, { type: 'candidate' }>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(parsed.candidate)).toBe(Object.prototype);
  });

  it('drops unknown fields, at the top and nested', () => {
    const parsed = parseSignalMessage({
      type: 'mute',
      kind: 'audio',
      muted: true,
      extra: { nested: [1, 2, { deep: 'x' }] },
    });
    expect(parsed).toEqual({ type: 'mute', kind: 'audio', muted: true });
    expect(Object.keys(parsed)).toEqual(['type', 'kind', 'muted']);

    const candidate = parseSignalMessage(candidateMessage({ candidate: 'c', foo: 1, relatedAddress: 'x' }));
    expect(candidate).toEqual({ type: 'candidate', candidate: { candidate: 'c' } });
  });

  it('treats undefined fields as absent', () => {
    const parsed = parseSignalMessage({
      type: 'description',
      description: { type: 'rollback', sdp: undefined },
      callId: undefined,
    });
    expect(parsed).toEqual({ type: 'description', description: { type: 'rollback' } });
    expect('callId' in parsed).toBe(false);
    expect('sdp' in (parsed as Extract<SignalMessage, { type: 'description' }>).description).toBe(false);

    const candidate = parseSignalMessage(candidateMessage({ candidate: 'c', sdpMid: undefined }));
    expect(candidate).toStrictEqual({ type: 'candidate', candidate: { candidate: 'c' } });
  });

  it('normalises sdpMLineIndex -0 to 0', () => {
    const parsed = parseSignalMessage(candidateMessage({ candidate: 'c', sdpMLineIndex: -0 })) as Extract<
      SignalMessage,
      { type: 'candidate' }
    >;
    expect(Object.is(parsed.candidate?.sdpMLineIndex, 0)).toBe(true);
  });

  it('does not mutate the input', () => {
    const input = { type: 'bye', reason: 'hangup', callId: 'c1', extra: [1] };
    const copy = structuredClone(input);
    parseSignalMessage(input);
    expect(input).toEqual(copy);
  });

  it('documents its defaults', () => {
    expect(DEFAULT_SIGNAL_LIMITS).toEqual({
      maxSdpBytes: 262_144,
      maxCandidateBytes: 4_096,
      maxStringBytes: 256,
      maxDepth: 8,
      maxKeys: 64,
    });
    expect(Object.isFrozen(DEFAULT_SIGNAL_LIMITS)).toBe(true);
  });
});

describe('parseSignalMessage: shape rejections', () => {
  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', '{"type":"bye","reason":"hangup"}'],
    ['a number', 42],
    ['a boolean', true],
    ['a bigint', 1n],
    ['a symbol', Symbol('x')],
    ['a function', () => ({ type: 'bye', reason: 'hangup' })],
  ])('rejects %s', (_name, data) => {
    expectInvalid(data, /expected an object/);
  });

  it('rejects an array', () => {
    expectInvalid([{ type: 'bye', reason: 'hangup' }], /got an array/);
  });

  it.each([
    ['a Date', new Date()],
    ['a Map', new Map([['type', 'bye']])],
    ['a class instance', new (class Message {})()],
    ['a boxed String', new String('x')],
    ['an object inheriting a valid message', Object.create({ type: 'bye', reason: 'hangup' })],
    ['an Error', new Error('x')],
    ['a RegExp', /x/],
  ])('rejects %s at the root as non-plain', (_name, data) => {
    expectInvalid(data, /not a plain object/);
  });

  it('rejects non-plain objects nested anywhere', () => {
    expectInvalid(
      { type: 'description', description: new Date() },
      /message\.description is not a plain object/,
    );
    expectInvalid({ type: 'bye', reason: 'hangup', extra: { when: new Date() } }, /message\.extra\.when/);
    expectInvalid({ type: 'bye', reason: 'hangup', extra: [new Uint8Array(2)] }, /not a plain object/);
    const arrayLike = Object.setPrototypeOf([1], Object.prototype);
    expectInvalid({ type: 'bye', reason: 'hangup', extra: arrayLike }, /not a plain array/);
    class MyArray extends Array {}
    expectInvalid({ type: 'bye', reason: 'hangup', extra: MyArray.from([1]) }, /not a plain array/);
  });

  it('accepts plain arrays in unknown fields but rejects extra keys on them', () => {
    expect(parseSignalMessage({ type: 'bye', reason: 'hangup', extra: [1, 'x', null] })).toEqual({
      type: 'bye',
      reason: 'hangup',
    });
    const tagged = Object.assign([1], { tag: 'x' });
    expectInvalid({ type: 'bye', reason: 'hangup', extra: tagged }, /non-index key/);
  });

  it.each([
    ['a function', () => 1],
    ['a bigint', 10n],
    ['a symbol', Symbol('s')],
  ])('rejects %s value anywhere', (_name, value) => {
    expectInvalid({ type: 'bye', reason: 'hangup', extra: value }, /cannot hold/);
    expectInvalid({ type: 'bye', reason: 'hangup', extra: { nested: [value] } }, /cannot hold/);
  });

  it.each(['__proto__', 'constructor', 'prototype'])('rejects an own %s key at any level', (key) => {
    const root = JSON.parse(`{"type":"bye","reason":"hangup","${key}":{}}`);
    expectInvalid(root, new RegExp(`message\\.${key} is a forbidden key`));

    const nested = JSON.parse(`{"type":"candidate","candidate":{"candidate":"c","${key}":{"x":1}}}`);
    expectInvalid(nested, /message\.candidate\.\S+ is a forbidden key/);

    const deep = JSON.parse(`{"type":"bye","reason":"hangup","a":[{"b":{"${key}":1}}]}`);
    expectInvalid(deep, /forbidden key/);
  });

  it('rejects an own __proto__ key that changes nothing (JSON.parse creates it as data)', () => {
    const data = JSON.parse('{"type":"mute","kind":"audio","muted":true,"__proto__":{"polluted":true}}');
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expectInvalid(data, /__proto__/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects symbol keys', () => {
    expectInvalid({ type: 'bye', reason: 'hangup', [Symbol('x')]: 1 }, /symbol key/);
  });

  it('rejects non-enumerable properties', () => {
    const data = { reason: 'hangup' };
    Object.defineProperty(data, 'type', { value: 'bye', enumerable: false });
    expectInvalid(data, /message\.type is not enumerable/);
  });
});

describe('parseSignalMessage: getters and proxies', () => {
  it('rejects an accessor property without invoking it', () => {
    let calls = 0;
    const data = {
      reason: 'hangup',
      get type() {
        calls++;
        return 'bye';
      },
    };
    expectInvalid(data, /message\.type is an accessor property/);
    expect(calls).toBe(0);
  });

  it('rejects a throwing getter without invoking it', () => {
    const data = { type: 'bye', reason: 'hangup' };
    Object.defineProperty(data, 'extra', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    expectInvalid(data, /accessor/);
  });

  it('rejects a setter-only property and nested accessors', () => {
    const nested = { candidate: 'c' };
    Object.defineProperty(nested, 'sdpMid', { enumerable: true, set() {} });
    expectInvalid(candidateMessage(nested), /candidate\.sdpMid is an accessor/);
  });

  it.each(['getPrototypeOf', 'ownKeys', 'getOwnPropertyDescriptor', 'get', 'has'] as const)(
    'turns a throwing Proxy %s trap into InvalidSignalError',
    (trap) => {
      const boom = new Error(`trap ${trap}`);
      const proxy = new Proxy(
        { type: 'bye', reason: 'hangup' },
        {
          [trap]: () => {
            throw boom;
          },
        },
      );
      let thrown: unknown;
      try {
        parseSignalMessage(proxy);
      } catch (error) {
        thrown = error;
      }
      // `get` and `has` are never used, so those proxies parse; every other trap throws and is wrapped.
      if (trap === 'get' || trap === 'has') {
        expect(thrown).toBeUndefined();
      } else {
        expect(thrown).toBeInstanceOf(InvalidSignalError);
        expect((thrown as Error).cause).toBe(boom);
      }
    },
  );

  it('turns a revoked proxy into InvalidSignalError', () => {
    const { proxy, revoke } = Proxy.revocable({ type: 'bye', reason: 'hangup' }, {});
    revoke();
    const error = expectInvalid(proxy, /threw/);
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it('turns a nested throwing proxy into InvalidSignalError', () => {
    const nested = new Proxy(
      { candidate: 'c' },
      {
        ownKeys() {
          throw 'not even an Error';
        },
      },
    );
    const error = expectInvalid(candidateMessage(nested), /threw/);
    expect(error.cause).toBe('not even an Error');
  });

  it('reads each property once, so a proxy cannot change its answer between check and copy', () => {
    let reads = 0;
    const proxy = new Proxy(
      { type: 'candidate', candidate: { candidate: 'c' } },
      {
        getOwnPropertyDescriptor(target, key) {
          reads++;
          const descriptor = Reflect.getOwnPropertyDescriptor(target, key);
          // Answers differently the second time it is asked about `candidate`.
          if (key === 'candidate' && reads > 2 && descriptor) descriptor.value = { candidate: 1 };
          return descriptor;
        },
      },
    );
    expect(parseSignalMessage(proxy)).toEqual({ type: 'candidate', candidate: { candidate: 'c' } });
    expect(reads).toBe(2);
  });

  it('rejects a proxy that lists a key it then denies', () => {
    const proxy = new Proxy(
      { type: 'bye', reason: 'hangup' },
      {
        getOwnPropertyDescriptor: (target, key) =>
          key === 'reason' ? undefined : Reflect.getOwnPropertyDescriptor(target, key),
      },
    );
    expectInvalid(proxy, /vanished/);
  });
});

describe('parseSignalMessage: depth and key budget', () => {
  function nest(levels: number): unknown {
    let value: unknown = 'leaf';
    for (let i = 0; i < levels; i++) value = { inner: value };
    return value;
  }

  it('accepts nesting up to maxDepth and rejects one level more', () => {
    // The message itself is level 1, so `extra` may hold maxDepth - 1 levels.
    const depth = DEFAULT_SIGNAL_LIMITS.maxDepth;
    expect(() => parseSignalMessage({ type: 'bye', reason: 'hangup', extra: nest(depth - 1) })).not.toThrow();
    expectInvalid({ type: 'bye', reason: 'hangup', extra: nest(depth) }, /nested deeper than 8 levels/);
  });

  it('counts arrays as levels', () => {
    let value: unknown = 1;
    for (let i = 0; i < 7; i++) value = [value];
    expect(() => parseSignalMessage({ type: 'bye', reason: 'hangup', extra: value })).not.toThrow();
    expectInvalid({ type: 'bye', reason: 'hangup', extra: [value] }, /nested deeper/);
  });

  it('survives very deep nesting without a stack overflow', () => {
    expectInvalid({ type: 'bye', reason: 'hangup', extra: nest(100_000) }, /nested deeper/);
  });

  it('honours a custom maxDepth', () => {
    expectInvalid(offer(), /nested deeper than 1 levels/, { maxDepth: 1 });
    expect(() => parseSignalMessage(offer(), { maxDepth: 2 })).not.toThrow();
  });

  it('accepts exactly maxKeys keys and rejects one more', () => {
    const base = { type: 'bye', reason: 'hangup' };
    const exact: Record<string, unknown> = { ...base };
    for (let i = 0; Object.keys(exact).length < DEFAULT_SIGNAL_LIMITS.maxKeys; i++) exact[`k${i}`] = i;
    expect(() => parseSignalMessage(exact)).not.toThrow();
    expectInvalid({ ...exact, one: 'more' }, /too many keys \(more than 64/);
  });

  it('counts keys over the whole message, array elements included', () => {
    const data = { type: 'bye', reason: 'hangup', list: [1, 2, 3], obj: { x: 1, y: 2 } };
    // 4 top-level keys + 3 elements + 2 keys = 9
    expect(() => parseSignalMessage(data, { maxKeys: 9 })).not.toThrow();
    expectInvalid(data, /too many keys/, { maxKeys: 8 });
  });

  it('rejects huge objects and arrays', () => {
    expectInvalid({ type: 'bye', reason: 'hangup', extra: new Array(100_000).fill(0) }, /too many keys/);
    const wide = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]));
    expectInvalid({ type: 'bye', reason: 'hangup', ...wide }, /too many keys/);
  });
});

describe('parseSignalMessage: field rejections', () => {
  it.each([
    ['missing type', { reason: 'hangup' }, /type must be a string, got undefined/],
    ['numeric type', { type: 1 }, /type must be a string, got 1/],
    ['unknown type', { type: 'hello' }, /unknown type 'hello'/],
    ['type with different case', { type: 'BYE', reason: 'hangup' }, /unknown type/],
    ['peer-left is not a message', { type: 'peer-left' }, /unknown type/],
  ])('rejects %s', (_name, data, reason) => {
    expectInvalid(data, reason);
  });

  it('does not echo a huge unknown type in full', () => {
    const error = expectInvalid({ type: 'x'.repeat(100_000) }, /unknown type/);
    expect(error.message.length).toBeLessThan(200);
  });

  it.each([
    ['missing description', { type: 'description' }, /description must be an object, got undefined/],
    ['null description', { type: 'description', description: null }, /description must be an object/],
    ['string description', { type: 'description', description: 'v=0' }, /description must be an object/],
    ['array description', { type: 'description', description: [] }, /got an array/],
    ['missing description.type', { type: 'description', description: { sdp: 'v=0' } }, /description\.type/],
    [
      'bad description.type',
      { type: 'description', description: { type: 'OFFER', sdp: 'v=0' } },
      /description\.type/,
    ],
    [
      'offer without sdp',
      { type: 'description', description: { type: 'offer' } },
      /sdp is required for offer/,
    ],
    [
      'answer without sdp',
      { type: 'description', description: { type: 'answer' } },
      /sdp is required for answer/,
    ],
    [
      'pranswer without sdp',
      { type: 'description', description: { type: 'pranswer' } },
      /required for pranswer/,
    ],
    [
      'offer with empty sdp',
      { type: 'description', description: { type: 'offer', sdp: '' } },
      /must not be empty/,
    ],
    ['numeric sdp', { type: 'description', description: { type: 'answer', sdp: 5 } }, /sdp must be a string/],
    [
      'null sdp',
      { type: 'description', description: { type: 'rollback', sdp: null } },
      /sdp must be a string/,
    ],
  ])('rejects a description with %s', (_name, data, reason) => {
    expectInvalid(data, reason);
  });

  it.each([
    ['missing candidate', { type: 'candidate' }, /candidate must be an object or null, got undefined/],
    ['string candidate', candidateMessage('candidate:1'), /candidate must be an object or null/],
    [
      'missing candidate.candidate',
      candidateMessage({ sdpMid: '0' }),
      /candidate\.candidate must be a string/,
    ],
    [
      'null candidate.candidate',
      candidateMessage({ candidate: null }),
      /candidate\.candidate must be a string/,
    ],
    ['numeric sdpMid', candidateMessage({ candidate: 'c', sdpMid: 0 }), /sdpMid must be a string or null/],
    ['object ufrag', candidateMessage({ candidate: 'c', usernameFragment: {} }), /usernameFragment must be/],
    ['string sdpMLineIndex', candidateMessage({ candidate: 'c', sdpMLineIndex: '0' }), /sdpMLineIndex/],
    ['negative sdpMLineIndex', candidateMessage({ candidate: 'c', sdpMLineIndex: -1 }), /sdpMLineIndex/],
    ['fractional sdpMLineIndex', candidateMessage({ candidate: 'c', sdpMLineIndex: 0.5 }), /sdpMLineIndex/],
    ['sdpMLineIndex 1024', candidateMessage({ candidate: 'c', sdpMLineIndex: 1024 }), /sdpMLineIndex/],
    ['NaN sdpMLineIndex', candidateMessage({ candidate: 'c', sdpMLineIndex: Number.NaN }), /sdpMLineIndex/],
    [
      'infinite sdpMLineIndex',
      candidateMessage({ candidate: 'c', sdpMLineIndex: Infinity }),
      /sdpMLineIndex/,
    ],
  ])('rejects a candidate with %s', (_name, data, reason) => {
    expectInvalid(data, reason);
  });

  it.each([
    ['missing reason', { type: 'bye' }],
    ['unknown reason', { type: 'bye', reason: 'bored' }],
    ['numeric reason', { type: 'bye', reason: 0 }],
    ['reason with different case', { type: 'bye', reason: 'Hangup' }],
  ])('rejects a bye with %s', (_name, data) => {
    expectInvalid(data, /reason must be an EndReason/);
  });

  it.each([
    ['missing kind', { type: 'mute', muted: true }, /kind must be 'audio' or 'video'/],
    ['bad kind', { type: 'mute', kind: 'screen', muted: true }, /kind must be/],
    ['missing muted', { type: 'mute', kind: 'audio' }, /muted must be a boolean/],
    ['string muted', { type: 'mute', kind: 'audio', muted: 'true' }, /muted must be a boolean/],
    ['numeric muted', { type: 'mute', kind: 'video', muted: 1 }, /muted must be a boolean/],
  ])('rejects a mute with %s', (_name, data, reason) => {
    expectInvalid(data, reason);
  });

  it.each([
    ['empty', ''],
    ['numeric', 7],
    ['null', null],
    ['object', { id: 'x' }],
    ['boolean', true],
  ])('rejects a %s callId', (_name, callId) => {
    expectInvalid({ type: 'bye', reason: 'hangup', callId }, /callId must be a non-empty string/);
  });
});

describe('parseSignalMessage: size limits', () => {
  const { maxSdpBytes, maxCandidateBytes, maxStringBytes } = DEFAULT_SIGNAL_LIMITS;

  it('accepts an SDP of exactly 256 KiB and rejects one byte more', () => {
    expect(() => parseSignalMessage(offer('v'.repeat(maxSdpBytes)))).not.toThrow();
    expectInvalid(offer('v'.repeat(maxSdpBytes + 1)), /description\.sdp is larger than 262144 bytes/);
  });

  it('counts SDP size in UTF-8 bytes, not UTF-16 code units', () => {
    // 'é' is 2 bytes, '€' 3, '😀' 4 (one surrogate pair, 2 code units).
    const twoByte = 'é'.repeat(maxSdpBytes / 2);
    expect(() => parseSignalMessage(offer(twoByte))).not.toThrow();
    expectInvalid(offer(`${twoByte}a`), /larger than/);

    const emoji = '😀'.repeat(maxSdpBytes / 4);
    expect(() => parseSignalMessage(offer(emoji))).not.toThrow();
    expectInvalid(offer(`${emoji}a`), /larger than/);

    const threeByte = `${'€'.repeat((maxSdpBytes - 1) / 3)}a`;
    expect(new TextEncoder().encode(threeByte).length).toBe(maxSdpBytes);
    expect(() => parseSignalMessage(offer(threeByte))).not.toThrow();
    expectInvalid(offer(`${threeByte}a`), /larger than/);
  });

  it('counts a lone surrogate as 3 bytes, like TextEncoder', () => {
    const lone = '\ud800';
    expect(() => parseSignalMessage(offer(lone), { maxSdpBytes: 3 })).not.toThrow();
    expectInvalid(offer(lone), /larger than 2 bytes/, { maxSdpBytes: 2 });
    const pair = '\ud83d\ude00';
    expect(() => parseSignalMessage(offer(pair), { maxSdpBytes: 4 })).not.toThrow();
    expectInvalid(offer(pair), /larger than 3 bytes/, { maxSdpBytes: 3 });
  });

  it('agrees with TextEncoder on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }).filter(Boolean), (sdp) => {
        const bytes = new TextEncoder().encode(sdp).length;
        expect(() => parseSignalMessage(offer(sdp), { maxSdpBytes: bytes })).not.toThrow();
        expect(() => parseSignalMessage(offer(sdp), { maxSdpBytes: bytes - 1 })).toThrow(InvalidSignalError);
      }),
      { numRuns: Math.min(FUZZ_RUNS, 500) },
    );
  });

  it('limits a rollback sdp too', () => {
    const rollback = (sdp: string) => ({ type: 'description', description: { type: 'rollback', sdp } });
    expect(() => parseSignalMessage(rollback('x'.repeat(maxSdpBytes)))).not.toThrow();
    expectInvalid(rollback('x'.repeat(maxSdpBytes + 1)), /larger than/);
  });

  it('accepts a candidate of exactly 4 KiB and rejects one byte more', () => {
    expect(() =>
      parseSignalMessage(candidateMessage({ candidate: 'c'.repeat(maxCandidateBytes) })),
    ).not.toThrow();
    expectInvalid(
      candidateMessage({ candidate: 'c'.repeat(maxCandidateBytes + 1) }),
      /candidate\.candidate is larger than 4096 bytes/,
    );
    expectInvalid(candidateMessage({ candidate: `${'c'.repeat(maxCandidateBytes - 1)}é` }), /larger than/);
  });

  it('limits sdpMid, usernameFragment and callId to maxStringBytes', () => {
    const exact = 's'.repeat(maxStringBytes);
    const over = `${exact}s`;
    expect(() =>
      parseSignalMessage({
        type: 'candidate',
        candidate: { candidate: 'c', sdpMid: exact, usernameFragment: exact },
        callId: exact,
      }),
    ).not.toThrow();
    expectInvalid(candidateMessage({ candidate: 'c', sdpMid: over }), /candidate\.sdpMid is larger than 256/);
    expectInvalid(candidateMessage({ candidate: 'c', usernameFragment: over }), /usernameFragment is larger/);
    expectInvalid({ type: 'bye', reason: 'hangup', callId: over }, /callId is larger than 256 bytes/);
  });

  it('honours custom limits', () => {
    expectInvalid(offer('v=0 12345'), /larger than 4 bytes/, { maxSdpBytes: 4 });
    expect(() =>
      parseSignalMessage(offer('v'.repeat(maxSdpBytes + 1)), { maxSdpBytes: Infinity }),
    ).not.toThrow();
    expectInvalid(candidateMessage({ candidate: 'abc' }), /larger than 2 bytes/, { maxCandidateBytes: 2 });
  });

  it.each([
    ['negative', -1],
    ['NaN', Number.NaN],
    ['a string', '10'],
  ])('throws TypeError (not InvalidSignalError) for a %s limit', (_name, value) => {
    expect(() => parseSignalMessage(offer(), { maxSdpBytes: value as number })).toThrow(TypeError);
    expect(() => parseSignalMessage(offer(), { maxSdpBytes: value as number })).not.toThrow(
      InvalidSignalError,
    );
  });

  it('uses defaults for limits given as undefined', () => {
    expect(() => parseSignalMessage(offer(), { maxSdpBytes: undefined })).not.toThrow();
  });
});

describe('parseSignalMessage: properties', () => {
  /** The only acceptable outcomes: a valid message (which re-parses to itself) or InvalidSignalError. */
  function checkOutcome(data: unknown): void {
    let result: SignalMessage;
    try {
      result = parseSignalMessage(data);
    } catch (error) {
      expect(isInvalidSignalError(error)).toBe(true);
      expect(error).toBeInstanceOf(InvalidSignalError);
      return;
    }
    expect(result).not.toBe(data);
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(parseSignalMessage(result)).toEqual(result);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  }

  it('only ever returns a valid message or throws InvalidSignalError, for anything', () => {
    const anything = fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
      withUnicodeString: true,
      maxDepth: 12,
    });
    fc.assert(fc.property(anything, checkOutcome), { numRuns: FUZZ_RUNS });
  });

  it('only ever returns a valid message or throws InvalidSignalError, for JSON values', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 12 }), checkOutcome), { numRuns: FUZZ_RUNS });
  });

  const fieldValue = fc.oneof(
    fc.anything({ maxDepth: 3, withNullPrototype: true }),
    fc.constantFrom('offer', 'answer', 'rollback', 'hangup', 'audio', 'video', '', 'v=0'),
    fc.integer({ min: -2, max: 1030 }),
  );
  const nearlyValid = fc.record(
    {
      type: fc.constantFrom('description', 'candidate', 'bye', 'mute', 'other'),
      description: fc.oneof(
        fieldValue,
        fc.record({ type: fieldValue, sdp: fieldValue }, { requiredKeys: [] }),
      ),
      candidate: fc.oneof(
        fieldValue,
        fc.record(
          {
            candidate: fieldValue,
            sdpMid: fieldValue,
            sdpMLineIndex: fieldValue,
            usernameFragment: fieldValue,
          },
          { requiredKeys: [] },
        ),
      ),
      reason: fc.oneof(fieldValue, fc.constantFrom(...END_REASONS)),
      kind: fieldValue,
      muted: fc.oneof(fieldValue, fc.boolean()),
      callId: fieldValue,
    },
    { requiredKeys: ['type'] },
  );

  it('only ever returns a valid message or throws InvalidSignalError, for nearly valid messages', () => {
    fc.assert(fc.property(nearlyValid, checkOutcome), { numRuns: FUZZ_RUNS });
  });

  const validMessage: fc.Arbitrary<SignalMessage> = fc.oneof(
    fc.record({
      type: fc.constant('description' as const),
      description: fc.oneof(
        fc.record({
          type: fc.constantFrom('offer' as const, 'answer' as const, 'pranswer' as const),
          sdp: fc.string({ minLength: 1, maxLength: 200, unit: 'grapheme' }),
        }),
        fc.record({ type: fc.constant('rollback' as const), sdp: fc.string() }, { requiredKeys: ['type'] }),
      ),
    }),
    fc.record({
      type: fc.constant('candidate' as const),
      candidate: fc.option(
        fc.record(
          {
            candidate: fc.string({ maxLength: 300 }),
            sdpMid: fc.option(fc.string({ maxLength: 20 })),
            sdpMLineIndex: fc.option(fc.integer({ min: 0, max: 1023 })),
            usernameFragment: fc.option(fc.string({ maxLength: 20 })),
          },
          { requiredKeys: ['candidate'] },
        ),
      ),
    }),
    fc.record({ type: fc.constant('bye' as const), reason: fc.constantFrom(...END_REASONS) }),
    fc.record({
      type: fc.constant('mute' as const),
      kind: fc.constantFrom('audio' as const, 'video' as const),
      muted: fc.boolean(),
    }),
  );

  it('round-trips every valid message, with and without JSON and callId', () => {
    fc.assert(
      fc.property(validMessage, fc.option(fc.string({ minLength: 1, maxLength: 64 })), (message, callId) => {
        const withId = callId === null ? message : { ...message, callId };
        // -0 does not survive JSON and is normalised by the parser; compare against what JSON keeps.
        const expected = JSON.parse(JSON.stringify(withId));
        expect(parseSignalMessage(withId)).toEqual(expected);
        expect(parseSignalMessage(expected)).toEqual(expected);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('rejects a valid message once a forbidden key or an accessor is planted anywhere in it', () => {
    fc.assert(
      fc.property(
        validMessage.filter((m) => !(m.type === 'candidate' && m.candidate === null)),
        fc.constantFrom('__proto__', 'constructor', 'prototype', 'accessor'),
        fc.boolean(),
        (message, poison, nested) => {
          const copy = structuredClone(message) as Record<string, unknown>;
          const target =
            nested && message.type === 'description'
              ? (copy.description as object)
              : nested && message.type === 'candidate'
                ? (copy.candidate as object)
                : copy;
          if (poison === 'accessor') {
            Object.defineProperty(target, 'sneaky', { enumerable: true, get: () => 'x' });
          } else {
            Object.defineProperty(target, poison, {
              value: {},
              enumerable: true,
              configurable: true,
              writable: true,
            });
          }
          expect(() => parseSignalMessage(copy)).toThrow(InvalidSignalError);
        },
      ),
      { numRuns: Math.min(FUZZ_RUNS, 500) },
    );
  });
});
