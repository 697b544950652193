import { InvalidSignalError } from '../errors/InvalidSignalError.js';
import { isEndReason } from '../model/endReason.js';
import type { SignalDescription, SignalMessage } from './types.js';

/**
 * Bounds applied by {@link parseSignalMessage}. Sizes are counted in UTF-8 bytes, as the string would be
 * encoded on the wire (a lone surrogate counts 3 bytes, like `TextEncoder`'s replacement character).
 */
export interface SignalLimits {
  /**
   * Largest `description.sdp`, in UTF-8 bytes.
   * @default 262_144 (256 KiB)
   */
  maxSdpBytes: number;
  /**
   * Largest `candidate.candidate` string, in UTF-8 bytes.
   * @default 4_096 (4 KiB)
   */
  maxCandidateBytes: number;
  /**
   * Largest `callId`, `candidate.sdpMid` and `candidate.usernameFragment`, in UTF-8 bytes.
   * @default 256
   */
  maxStringBytes: number;
  /**
   * Deepest nesting of objects and arrays anywhere in the message; the message object itself is level 1.
   * @default 8
   */
  maxDepth: number;
  /**
   * Most own keys in the whole message, summed over every object and array in it (array elements count
   * as keys). Bounds the work spent on hostile input.
   * @default 64
   */
  maxKeys: number;
}

/** The limits {@link parseSignalMessage} applies when none are given. */
export const DEFAULT_SIGNAL_LIMITS: Readonly<SignalLimits> = Object.freeze({
  maxSdpBytes: 256 * 1024,
  maxCandidateBytes: 4 * 1024,
  maxStringBytes: 256,
  maxDepth: 8,
  maxKeys: 64,
});

const DESCRIPTION_TYPES: ReadonlySet<unknown> = new Set(['offer', 'answer', 'pranswer', 'rollback']);
// Keys that can rewire prototypes when a consumer later merges or assigns the data.
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_SDP_MLINE_INDEX = 1023;

/**
 * Validates untrusted signaling data and returns a new, clean {@link SignalMessage}.
 *
 * The input is never returned or retained: each property is read once, through its descriptor (so no getter
 * or Proxy `get` trap runs), into a private snapshot, and only the known fields of the known message type are
 * copied into a fresh plain object. Unknown fields are checked like everything else, then dropped.
 *
 * Accepted shapes (plus an optional `callId`: a non-empty string of at most `maxStringBytes` bytes):
 * - `{ type: 'description', description: { type: 'offer' | 'answer' | 'pranswer', sdp } }` with a non-empty
 *   `sdp` of at most `maxSdpBytes`, or `{ type: 'rollback', sdp? }`;
 * - `{ type: 'candidate', candidate: null }` (end of candidates) or `candidate: { candidate, sdpMid?,
 *   sdpMLineIndex?, usernameFragment? }` with `candidate` a string of at most `maxCandidateBytes`,
 *   `sdpMid` / `usernameFragment` a string or `null`, `sdpMLineIndex` an integer 0…1023 or `null`;
 * - `{ type: 'bye', reason }` with `reason` an `EndReason`;
 * - `{ type: 'mute', kind: 'audio' | 'video', muted: boolean }`.
 *
 * A property whose value is `undefined` counts as absent.
 *
 * @param data - anything received from the peer.
 * @param limits - overrides for {@link DEFAULT_SIGNAL_LIMITS}: 256 KiB of SDP, 4 KiB per candidate,
 *   256 bytes for other strings, depth 8, 64 keys in total.
 * @returns a new plain object; nothing in it is shared with `data`.
 * @throws {@link InvalidSignalError} for anything else, with the reason in its message: a non-object or an
 *   array, a non-plain object anywhere (prototype other than `Object.prototype` / `null`, or `Array.prototype`
 *   for arrays), an own `__proto__` / `constructor` / `prototype` or symbol key anywhere, an accessor or
 *   non-enumerable property anywhere, a function / symbol / bigint value anywhere, nesting deeper than
 *   `maxDepth`, more than `maxKeys` keys, an unknown `type`, a missing or mistyped field, or a string over its
 *   limit. Anything thrown while inspecting the data (a Proxy trap, say) becomes its `cause`.
 * @throws `TypeError` when `limits` holds something other than a non-negative number.
 */
export function parseSignalMessage(data: unknown, limits?: Partial<SignalLimits>): SignalMessage {
  const resolved = resolveLimits(limits);
  try {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new InvalidSignalError(`expected an object, got ${describe(data)}`);
    }
    return buildMessage(snapshot(data, resolved) as SnapshotRecord, resolved);
  } catch (error) {
    if (error instanceof InvalidSignalError) throw error;
    throw new InvalidSignalError('inspecting the data threw', { cause: error });
  }
}

function resolveLimits(limits: Partial<SignalLimits> | undefined): SignalLimits {
  const resolved: SignalLimits = { ...DEFAULT_SIGNAL_LIMITS };
  if (limits !== undefined) {
    for (const key in resolved) {
      const value = limits[key as keyof SignalLimits];
      if (value === undefined) continue;
      if (typeof value !== 'number' || !(value >= 0)) {
        throw new TypeError(
          `parseSignalMessage: limits.${key} must be a non-negative number, got ${String(value)}`,
        );
      }
      resolved[key as keyof SignalLimits] = value;
    }
  }
  return resolved;
}

// ---------------------------------------------------------------------------------------------------------
// Step 1: a defensive snapshot. Objects become Maps and arrays become arrays, so the validation step below
// works on data we own and can no longer change under us (a Proxy could answer differently on each read).

type Snapshot = string | number | boolean | null | undefined | SnapshotRecord | Snapshot[];
type SnapshotRecord = Map<string, Snapshot>;

/** Snapshots the message root (a non-array object), spending one budget of `maxKeys` on the whole tree. */
function snapshot(root: object, limits: SignalLimits): Snapshot {
  const { maxDepth, maxKeys } = limits;
  let keysLeft = maxKeys;
  const take = (value: unknown, path: string, depth: number): Snapshot => {
    switch (typeof value) {
      case 'string':
      case 'number':
      case 'boolean':
        return value;
      // `document.all` is typeof 'undefined' but not `undefined`: normalise it away.
      case 'undefined':
        return undefined;
      case 'object':
        if (value === null) return null;
        break;
      default:
        throw new InvalidSignalError(`${path} is a ${typeof value}, which signaling data cannot hold`);
    }
    if (depth > maxDepth) throw new InvalidSignalError(`${path} is nested deeper than ${maxDepth} levels`);
    const isArray = Array.isArray(value);
    const prototype = Object.getPrototypeOf(value);
    if (isArray ? prototype !== Array.prototype : prototype !== Object.prototype && prototype !== null) {
      throw new InvalidSignalError(`${path} is not a plain ${isArray ? 'array' : 'object'}`);
    }
    const keys = Reflect.ownKeys(value);
    // An array's own `length` is not counted.
    keysLeft -= keys.length - (isArray ? 1 : 0);
    if (keysLeft < 0) {
      throw new InvalidSignalError(`too many keys (more than ${maxKeys} in total, at ${path})`);
    }
    const list: Snapshot[] = [];
    const record: SnapshotRecord = new Map();
    for (const key of keys) {
      let keyPath: string;
      if (isArray) {
        if (key === 'length') continue;
        if (!isArrayIndex(key)) throw new InvalidSignalError(`${path} is an array with a non-index key`);
        keyPath = `${path}[${key}]`;
      } else {
        if (typeof key === 'symbol') throw new InvalidSignalError(`${path} has a symbol key`);
        keyPath = `${path}.${shorten(key)}`;
        if (FORBIDDEN_KEYS.has(key)) throw new InvalidSignalError(`${keyPath} is a forbidden key`);
      }
      // Read through the descriptor, so no getter ever runs.
      const descriptor = Reflect.getOwnPropertyDescriptor(value, key);
      // Only a Proxy can list a key and then deny having it.
      if (!descriptor) throw new InvalidSignalError(`${keyPath} vanished while being read`);
      if (!('value' in descriptor)) throw new InvalidSignalError(`${keyPath} is an accessor property`);
      if (!descriptor.enumerable) throw new InvalidSignalError(`${keyPath} is not enumerable`);
      const item = take(descriptor.value, keyPath, depth + 1);
      if (isArray) list.push(item);
      else record.set(key as string, item);
    }
    return isArray ? list : record;
  };
  return take(root, 'message', 1);
}

/** The spec's array index: the canonical string of an integer from 0 to 2^32 - 2. */
function isArrayIndex(key: string | symbol): key is string {
  return typeof key === 'string' && String(Number(key) >>> 0) === key && key !== '4294967295';
}

// ---------------------------------------------------------------------------------------------------------
// Step 2: schema validation on the snapshot, copying known fields into a fresh object.

function buildMessage(root: SnapshotRecord, limits: SignalLimits): SignalMessage {
  const type = root.get('type');
  if (typeof type !== 'string') fail('type', 'a string', type);
  let message: SignalMessage;
  switch (type) {
    case 'description':
      message = { type, description: buildDescription(root.get('description'), limits) };
      break;
    case 'candidate':
      message = { type, candidate: buildCandidate(root.get('candidate'), limits) };
      break;
    case 'bye': {
      const reason = root.get('reason');
      if (!isEndReason(reason)) fail('reason', 'an EndReason', reason);
      message = { type, reason };
      break;
    }
    case 'mute': {
      const kind = root.get('kind');
      const muted = root.get('muted');
      if (kind !== 'audio' && kind !== 'video') fail('kind', "'audio' or 'video'", kind);
      if (typeof muted !== 'boolean') fail('muted', 'a boolean', muted);
      message = { type, kind, muted };
      break;
    }
    default:
      throw new InvalidSignalError(`unknown type '${shorten(type)}'`);
  }
  const callId = root.get('callId');
  if (callId !== undefined) {
    if (typeof callId !== 'string' || callId === '') fail('callId', 'a non-empty string', callId);
    message.callId = sized(callId, limits.maxStringBytes, 'callId');
  }
  return message;
}

function buildDescription(value: Snapshot, limits: SignalLimits): SignalDescription {
  if (!(value instanceof Map)) fail('description', 'an object', value);
  const type = value.get('type') as SignalDescription['type'];
  if (!DESCRIPTION_TYPES.has(type)) fail('description.type', 'offer, answer, pranswer or rollback', type);
  const description: SignalDescription = { type };
  const sdp = value.get('sdp');
  // Only a rollback may come without an SDP.
  if (type !== 'rollback' && (sdp === undefined || sdp === '')) {
    throw new InvalidSignalError(`description.sdp is required for ${type} and must not be empty`);
  }
  if (sdp !== undefined) {
    if (typeof sdp !== 'string') fail('description.sdp', 'a string', sdp);
    description.sdp = sized(sdp, limits.maxSdpBytes, 'description.sdp');
  }
  return description;
}

function buildCandidate(value: Snapshot, limits: SignalLimits): RTCIceCandidateInit | null {
  if (value === null) return null;
  if (!(value instanceof Map)) fail('candidate', 'an object or null', value);
  const text = value.get('candidate');
  if (typeof text !== 'string') fail('candidate.candidate', 'a string', text);
  const candidate: Record<string, unknown> = {
    candidate: sized(text, limits.maxCandidateBytes, 'candidate.candidate'),
  };
  for (const key of ['sdpMid', 'sdpMLineIndex', 'usernameFragment']) {
    const field = value.get(key);
    const path = `candidate.${key}`;
    if (field === undefined) continue;
    if (field !== null) {
      if (key !== 'sdpMLineIndex') {
        if (typeof field !== 'string') fail(path, 'a string or null', field);
        sized(field, limits.maxStringBytes, path);
      } else if (
        !(Number.isInteger(field) && (field as number) >= 0 && (field as number) <= MAX_SDP_MLINE_INDEX)
      ) {
        fail(path, `an integer from 0 to ${MAX_SDP_MLINE_INDEX} or null`, field);
      }
    }
    // `-0` passes the checks above; hand out a plain 0.
    candidate[key] = field === 0 ? 0 : field;
  }
  return candidate as RTCIceCandidateInit;
}

function fail(path: string, expected: string, value: Snapshot): never {
  throw new InvalidSignalError(`${path} must be ${expected}, got ${describe(value)}`);
}

/**
 * Returns `value` if it encodes to at most `maxBytes` UTF-8 bytes. Each UTF-16 code unit encodes to 1–3
 * bytes, so the exact count is only needed between `length` and `3 * length`.
 */
function sized(value: string, maxBytes: number, path: string): string {
  const { length } = value;
  if (length > maxBytes || (length * 3 > maxBytes && utf8ByteLength(value) > maxBytes)) {
    throw new InvalidSignalError(`${path} is larger than ${maxBytes} bytes`);
  }
  return value;
}

/** UTF-8 length of `value`, counting a lone surrogate as the 3-byte U+FFFD that `TextEncoder` writes. */
function utf8ByteLength(value: string): number {
  let bytes = 0;
  // A string iterates by code point; a lone surrogate comes out on its own, below 0x10000.
  for (const char of value) {
    const code = char.codePointAt(0) as number;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

// ---------------------------------------------------------------------------------------------------------
// Descriptions of bad values for error messages. They never echo more than a short prefix of a string: the
// data is hostile and may be huge.

function describe(value: unknown): string {
  if (value instanceof Map) return 'an object';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `'${shorten(value)}'`;
  return value === null || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : typeof value;
}

function shorten(text: string): string {
  return text.length > 32 ? `${text.slice(0, 32)}…` : text;
}
