import { InvalidSignalError } from '../errors/InvalidSignalError.js';
import { isEndReason } from '../session/endReason.js';
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

const DESCRIPTION_TYPES: ReadonlySet<string> = new Set(['offer', 'answer', 'pranswer', 'rollback']);
const MUTE_KINDS: ReadonlySet<string> = new Set(['audio', 'video']);
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
    const root = new Snapshotter(resolved).take(data);
    return buildMessage(root, resolved);
  } catch (error) {
    if (error instanceof InvalidSignalError) throw error;
    throw new InvalidSignalError('inspecting the data threw', { cause: error });
  }
}

function resolveLimits(limits: Partial<SignalLimits> | undefined): SignalLimits {
  const resolved: SignalLimits = { ...DEFAULT_SIGNAL_LIMITS };
  if (limits === undefined) return resolved;
  for (const key of Object.keys(DEFAULT_SIGNAL_LIMITS) as (keyof SignalLimits)[]) {
    const value = limits[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
      throw new TypeError(
        `parseSignalMessage: limits.${key} must be a non-negative number, got ${String(value)}`,
      );
    }
    resolved[key] = value;
  }
  return resolved;
}

// ---------------------------------------------------------------------------------------------------------
// Step 1: a defensive snapshot. Objects become Maps and arrays become arrays, so the validation step below
// works on data we own and can no longer change under us (a Proxy could answer differently on each read).

type Snapshot = string | number | boolean | null | undefined | SnapshotRecord | SnapshotList;
type SnapshotRecord = Map<string, Snapshot>;
type SnapshotList = Snapshot[];

class Snapshotter {
  readonly #limits: SignalLimits;
  #keysLeft: number;

  constructor(limits: SignalLimits) {
    this.#limits = limits;
    this.#keysLeft = limits.maxKeys;
  }

  /** Snapshots the message root, which must be a plain object. */
  take(data: unknown): SnapshotRecord {
    if (typeof data !== 'object' || data === null) {
      throw new InvalidSignalError(`expected an object, got ${describe(data)}`);
    }
    if (Array.isArray(data)) throw new InvalidSignalError('expected an object, got an array');
    return this.#value(data, 'message', 1) as SnapshotRecord;
  }

  #value(value: unknown, path: string, depth: number): Snapshot {
    switch (typeof value) {
      case 'string':
      case 'number':
      case 'boolean':
        return value;
      // `document.all` is typeof 'undefined' but not `undefined`: normalise it away.
      case 'undefined':
        return undefined;
      case 'object':
        return value === null ? null : this.#container(value, path, depth);
      default:
        throw new InvalidSignalError(`${path} is a ${typeof value}, which signaling data cannot hold`);
    }
  }

  #container(value: object, path: string, depth: number): SnapshotRecord | SnapshotList {
    if (depth > this.#limits.maxDepth) {
      throw new InvalidSignalError(`${path} is nested deeper than ${this.#limits.maxDepth} levels`);
    }
    const isArray = Array.isArray(value);
    const prototype = Object.getPrototypeOf(value);
    const plain = isArray
      ? prototype === Array.prototype
      : prototype === Object.prototype || prototype === null;
    if (!plain) throw new InvalidSignalError(`${path} is not a plain ${isArray ? 'array' : 'object'}`);

    const keys = Reflect.ownKeys(value);
    this.#spendKeys(keys.length - (isArray ? 1 : 0), path);
    return isArray ? this.#list(value, keys, path, depth) : this.#record(value, keys, path, depth);
  }

  #spendKeys(count: number, path: string): void {
    this.#keysLeft -= count;
    if (this.#keysLeft < 0) {
      throw new InvalidSignalError(`too many keys (more than ${this.#limits.maxKeys} in total, at ${path})`);
    }
  }

  #record(value: object, keys: (string | symbol)[], path: string, depth: number): SnapshotRecord {
    const record: SnapshotRecord = new Map();
    for (const key of keys) {
      const keyPath = `${path}.${typeof key === 'string' ? shorten(key) : 'symbol'}`;
      if (typeof key === 'symbol') throw new InvalidSignalError(`${path} has a symbol key`);
      if (FORBIDDEN_KEYS.has(key)) throw new InvalidSignalError(`${keyPath} is a forbidden key`);
      record.set(key, this.#value(dataProperty(value, key, keyPath), keyPath, depth + 1));
    }
    return record;
  }

  #list(value: object, keys: (string | symbol)[], path: string, depth: number): SnapshotList {
    const list: SnapshotList = [];
    for (const key of keys) {
      if (key === 'length') continue;
      if (typeof key === 'symbol' || !isArrayIndex(key)) {
        throw new InvalidSignalError(`${path} is an array with a non-index key`);
      }
      const keyPath = `${path}[${key}]`;
      list.push(this.#value(dataProperty(value, key, keyPath), keyPath, depth + 1));
    }
    return list;
  }
}

/** Reads an own data property through its descriptor, so no getter ever runs. */
function dataProperty(target: object, key: string, path: string): unknown {
  const descriptor = Reflect.getOwnPropertyDescriptor(target, key);
  // Only a Proxy can list a key and then deny having it.
  if (descriptor === undefined) throw new InvalidSignalError(`${path} vanished while being read`);
  if (!('value' in descriptor)) throw new InvalidSignalError(`${path} is an accessor property`);
  if (!descriptor.enumerable) throw new InvalidSignalError(`${path} is not enumerable`);
  return descriptor.value;
}

function isArrayIndex(key: string): boolean {
  const index = Number(key);
  return Number.isInteger(index) && index >= 0 && index < 2 ** 32 - 1 && String(index) === key;
}

// ---------------------------------------------------------------------------------------------------------
// Step 2: schema validation on the snapshot, copying known fields into a fresh object.

function buildMessage(root: SnapshotRecord, limits: SignalLimits): SignalMessage {
  const type = root.get('type');
  if (typeof type !== 'string') throw new InvalidSignalError(`type must be a string, got ${describe(type)}`);
  const message = buildBody(type, root, limits);
  const callId = root.get('callId');
  if (callId !== undefined) message.callId = checkCallId(callId, limits);
  return message;
}

function buildBody(type: string, root: SnapshotRecord, limits: SignalLimits): SignalMessage {
  switch (type) {
    case 'description':
      return { type, description: buildDescription(root.get('description'), limits) };
    case 'candidate':
      return { type, candidate: buildCandidate(root.get('candidate'), limits) };
    case 'bye':
      return { type, reason: checkReason(root.get('reason')) };
    case 'mute':
      return { type, kind: checkKind(root.get('kind')), muted: checkMuted(root.get('muted')) };
    default:
      throw new InvalidSignalError(`unknown type '${shorten(type)}'`);
  }
}

function buildDescription(value: Snapshot, limits: SignalLimits): SignalDescription {
  if (!(value instanceof Map)) {
    throw new InvalidSignalError(`description must be an object, got ${describeSnapshot(value)}`);
  }
  const type = value.get('type');
  if (typeof type !== 'string' || !DESCRIPTION_TYPES.has(type)) {
    throw new InvalidSignalError(
      `description.type must be offer, answer, pranswer or rollback, got ${describeSnapshot(type)}`,
    );
  }
  const description: SignalDescription = { type: type as SignalDescription['type'] };
  const sdp = value.get('sdp');
  if (sdp === undefined) {
    if (type !== 'rollback') throw new InvalidSignalError(`description.sdp is required for ${type}`);
    return description;
  }
  if (typeof sdp !== 'string') {
    throw new InvalidSignalError(`description.sdp must be a string, got ${describeSnapshot(sdp)}`);
  }
  if (sdp === '' && type !== 'rollback') {
    throw new InvalidSignalError(`description.sdp must not be empty for ${type}`);
  }
  checkSize(sdp, limits.maxSdpBytes, 'description.sdp');
  description.sdp = sdp;
  return description;
}

function buildCandidate(value: Snapshot, limits: SignalLimits): RTCIceCandidateInit | null {
  if (value === null) return null;
  if (!(value instanceof Map)) {
    throw new InvalidSignalError(`candidate must be an object or null, got ${describeSnapshot(value)}`);
  }
  const text = value.get('candidate');
  if (typeof text !== 'string') {
    throw new InvalidSignalError(`candidate.candidate must be a string, got ${describeSnapshot(text)}`);
  }
  checkSize(text, limits.maxCandidateBytes, 'candidate.candidate');
  const candidate: RTCIceCandidateInit = { candidate: text };

  const sdpMid = optionalString(value.get('sdpMid'), limits, 'candidate.sdpMid');
  if (sdpMid !== undefined) candidate.sdpMid = sdpMid;
  const index = optionalIndex(value.get('sdpMLineIndex'));
  if (index !== undefined) candidate.sdpMLineIndex = index;
  const ufrag = optionalString(value.get('usernameFragment'), limits, 'candidate.usernameFragment');
  if (ufrag !== undefined) candidate.usernameFragment = ufrag;
  return candidate;
}

function optionalString(value: Snapshot, limits: SignalLimits, path: string): string | null | undefined {
  if (value === undefined || value === null) return value;
  if (typeof value !== 'string') {
    throw new InvalidSignalError(`${path} must be a string or null, got ${describeSnapshot(value)}`);
  }
  checkSize(value, limits.maxStringBytes, path);
  return value;
}

function optionalIndex(value: Snapshot): number | null | undefined {
  if (value === undefined || value === null) return value;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_SDP_MLINE_INDEX) {
    throw new InvalidSignalError(
      `candidate.sdpMLineIndex must be an integer from 0 to ${MAX_SDP_MLINE_INDEX} or null, got ${describeSnapshot(value)}`,
    );
  }
  // `-0` passes the checks above; hand out a plain 0.
  return value === 0 ? 0 : value;
}

function checkReason(value: Snapshot): Extract<SignalMessage, { type: 'bye' }>['reason'] {
  if (!isEndReason(value))
    throw new InvalidSignalError(`reason must be an EndReason, got ${describeSnapshot(value)}`);
  return value;
}

function checkKind(value: Snapshot): 'audio' | 'video' {
  if (typeof value !== 'string' || !MUTE_KINDS.has(value)) {
    throw new InvalidSignalError(`kind must be 'audio' or 'video', got ${describeSnapshot(value)}`);
  }
  return value as 'audio' | 'video';
}

function checkMuted(value: Snapshot): boolean {
  if (typeof value !== 'boolean')
    throw new InvalidSignalError(`muted must be a boolean, got ${describeSnapshot(value)}`);
  return value;
}

function checkCallId(value: Snapshot, limits: SignalLimits): string {
  if (typeof value !== 'string' || value === '') {
    throw new InvalidSignalError(`callId must be a non-empty string, got ${describeSnapshot(value)}`);
  }
  checkSize(value, limits.maxStringBytes, 'callId');
  return value;
}

function checkSize(value: string, maxBytes: number, path: string): void {
  if (!fitsUtf8(value, maxBytes)) throw new InvalidSignalError(`${path} is larger than ${maxBytes} bytes`);
}

/**
 * Whether `value` encodes to at most `maxBytes` UTF-8 bytes. Each UTF-16 code unit encodes to 1–3 bytes,
 * so the exact count is only needed between `length` and `3 * length`.
 */
function fitsUtf8(value: string, maxBytes: number): boolean {
  if (value.length > maxBytes) return false;
  if (value.length * 3 <= maxBytes) return true;
  return utf8ByteLength(value) <= maxBytes;
}

/** UTF-8 length of `value`, counting a lone surrogate as the 3-byte U+FFFD that `TextEncoder` writes. */
function utf8ByteLength(value: string): number {
  let bytes = 0;
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (isHighSurrogate(unit) && isLowSurrogate(value.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

// ---------------------------------------------------------------------------------------------------------
// Descriptions of bad values for error messages. They never echo more than a short prefix of a string: the
// data is hostile and may be huge.

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `'${shorten(value)}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}

function describeSnapshot(value: Snapshot): string {
  if (value instanceof Map) return 'an object';
  if (Array.isArray(value)) return 'an array';
  return describe(value);
}

function shorten(text: string): string {
  return text.length > 32 ? `${text.slice(0, 32)}…` : text;
}
