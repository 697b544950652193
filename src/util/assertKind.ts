/** Checks a media kind passed to the public API. @throws TypeError unless it is `'audio'` or `'video'`. */
export function assertKind(kind: unknown): asserts kind is 'audio' | 'video' {
  if (kind !== 'audio' && kind !== 'video') {
    throw new TypeError(`kind must be 'audio' or 'video' (got ${String(kind)})`);
  }
}
