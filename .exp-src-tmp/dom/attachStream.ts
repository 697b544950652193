/** The part of an `HTMLMediaElement` (`<video>`, `<audio>`) that {@link attachStream} touches. */
export interface MediaElementLike {
  srcObject: MediaProvider | null;
}

/**
 * Shows `stream` in a `<video>` or `<audio>` element and returns the function that detaches it again.
 * Detaching clears `srcObject` only if the element still shows this stream, so a later `attachStream` on the
 * same element is never undone by an earlier detach. Detaching is idempotent.
 *
 * The element does not own the stream: stopping tracks is the session's job (it does so at teardown); detaching
 * just lets the element drop its reference so the stream can be collected. Give the element `autoplay` and
 * `playsinline`, and `muted` for the local preview (no echo).
 *
 * @example
 * ```ts
 * session.on('remoteStream', (stream) => {
 *   const detach = attachStream(remoteVideo, stream);
 *   session.ended.then(detach);
 * });
 * ```
 */
export function attachStream(element: MediaElementLike, stream: MediaStream): () => void {
  element.srcObject = stream;
  let attached = true;
  return () => {
    if (!attached) return;
    attached = false;
    if (element.srcObject === stream) element.srcObject = null;
  };
}
