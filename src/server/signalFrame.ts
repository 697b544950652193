/**
 * A relayed signal's `data` is serialised and measured once, when it arrives; every `signal` frame that carries
 * it (held for a lone member, numbered for a resumable one, sent again after a resume) is built and sized from
 * that, and the size goes along to the outbound cap, so nothing is serialised or measured a second time.
 *
 * @internal
 * @packageDocumentation
 */

/** A signal's `data` as JSON text, with its size in bytes (UTF-8). */
export interface SignalPayload {
  readonly json: string;
  readonly bytes: number;
}

/** A frame's JSON text with its size in bytes (UTF-8). */
export interface SizedFrame {
  readonly text: string;
  readonly bytes: number;
}

/** What `{"t":"signal","data":…}` adds around the payload. */
const ENVELOPE_BYTES = '{"t":"signal","data":}'.length;

/** Serialises `data` (a value parsed from JSON) and measures it. */
export function signalPayload(data: unknown): SignalPayload {
  const json = JSON.stringify(data);
  return { json, bytes: Buffer.byteLength(json) };
}

/** Size of the `signal` frame carrying `payload`, numbered `n` if given; the envelope is ASCII, one byte a character. */
export function signalFrameBytes(payload: SignalPayload, n?: number): number {
  return payload.bytes + ENVELOPE_BYTES + (n === undefined ? 0 : `"n":${n},`.length);
}

/** The `signal` frame carrying `payload`, numbered `n` for a resumable member; the same text as `JSON.stringify`. */
export function signalFrame(payload: SignalPayload, n?: number): SizedFrame {
  const text =
    n === undefined
      ? `{"t":"signal","data":${payload.json}}`
      : `{"t":"signal","n":${n},"data":${payload.json}}`;
  return { text, bytes: signalFrameBytes(payload, n) };
}
