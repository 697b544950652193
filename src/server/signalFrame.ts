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

/** A numbered `signal` frame held for a resumable member: `n` is its place in the member's outbound sequence. */
export interface NumberedFrame extends SizedFrame {
  readonly n: number;
}

/** Serialises `data` (a value parsed from JSON) and measures it. */
export function signalPayload(data: unknown): SignalPayload {
  const json = JSON.stringify(data);
  return { json, bytes: Buffer.byteLength(json) };
}

/**
 * The `signal` frame carrying `payload`, numbered `n` for a resumable member: the same text as `JSON.stringify`
 * would give. Its size is the payload's plus the envelope's, which is ASCII (one byte a character).
 */
export function signalFrame(payload: SignalPayload, n?: number): SizedFrame {
  const text = `{"t":"signal",${n === undefined ? '' : `"n":${n},`}"data":${payload.json}}`;
  return { text, bytes: payload.bytes + text.length - payload.json.length };
}

/** `peer-left` as sent to a member that did not ask to resume: unnumbered, never held. */
export const PEER_LEFT_FRAME: SizedFrame = { text: '{"t":"peer-left"}', bytes: 17 };

/** The `peer-left` frame numbered `n`, for a resumable member (held and acknowledged like a signal). */
export function peerLeftFrame(n: number): SizedFrame {
  const text = `{"t":"peer-left","n":${n}}`;
  return { text, bytes: text.length };
}
