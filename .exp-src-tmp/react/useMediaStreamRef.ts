import { useCallback, useRef } from 'react';
import { attachStream } from '../dom/attachStream.js';

/**
 * A callback ref that shows `stream` in a `<video>` / `<audio>` element and detaches it when the stream changes
 * (to `undefined` at the end of a call, say) or the element unmounts. Works with React 18 (ref called with `null`)
 * and React 19 (ref cleanup functions).
 *
 * @param stream the stream to show; `undefined` shows nothing
 * @example
 * ```tsx
 * <video ref={useMediaStreamRef(remoteStream)} autoPlay playsInline />
 * ```
 */
export function useMediaStreamRef(
  stream: MediaStream | undefined,
): (element: HTMLMediaElement | null) => () => void {
  const detachRef = useRef<(() => void) | undefined>(undefined);
  return useCallback(
    (element: HTMLMediaElement | null) => {
      const detach = (): void => {
        detachRef.current?.();
        detachRef.current = undefined;
      };
      detach();
      if (element && stream) detachRef.current = attachStream(element, stream);
      return detach;
    },
    [stream],
  );
}
