import { type DependencyList, useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import { CallSession } from '../CallSession.js';
import type { EndReason, EndSummary } from '../model/endReason.js';
import type { CallSnapshot, MuteState } from '../model/events.js';
import type { CallState } from '../model/states.js';
import type { CallSessionOptions } from '../session/options.js';

/** What {@link useCallSession} accepts: session options, or a factory that builds the session itself. */
export type CallSessionSource = CallSessionOptions | (() => CallSession);

/** What {@link useCallSession} returns on every render. */
export interface UseCallSessionResult {
  /**
   * The live session, for `setMuted`, `send`, events and so on. `undefined` during the first render (the
   * session is created in an effect, never during render), and again after unmount.
   */
  readonly session: CallSession | undefined;
  /** The session's state; `'idle'` until the session exists. */
  readonly state: CallState;
  /** Local media; `undefined` before it is acquired and again once the call ended. */
  readonly localStream: MediaStream | undefined;
  /** The peer's media; `undefined` before it arrives and again once the call ended. */
  readonly remoteStream: MediaStream | undefined;
  /** Connected time so far, refreshed every `tickMs`. */
  readonly elapsedMs: number;
  /** Time left before `maxDurationMs`, refreshed every `tickMs`; `undefined` without a limit. */
  readonly remainingMs: number | undefined;
  /** Why the call ended; `undefined` until it has. */
  readonly endReason: EndReason | undefined;
  /** Whether the local audio / video is muted (`session.setMuted`): render a mute button from it. */
  readonly muted: MuteState;
  /** The peer's announced mute state. */
  readonly remoteMuted: MuteState;
  /** Whether the screen is being sent instead of the camera. */
  readonly screenSharing: boolean;
  /** Hangs up (`session.end()`); a stable function per session. `undefined` when there is no session yet. */
  readonly end: () => EndSummary | undefined;
}

/** What the hook reports while it has no session (first render). Frozen: `useSyncExternalStore` compares it. */
const NO_SESSION: CallSnapshot = Object.freeze({
  state: 'idle',
  localStream: undefined,
  remoteStream: undefined,
  elapsedMs: 0,
  remainingMs: undefined,
  endReason: undefined,
  muted: Object.freeze({ audio: false, video: false }),
  remoteMuted: Object.freeze({ audio: false, video: false }),
  screenSharing: false,
});

const noop = (): void => {};

/**
 * Runs one call for as long as the component is mounted, and makes leaking it impossible by default.
 *
 * - The session is created **and started** from an effect, one microtask after it runs, so a render never
 *   creates anything. React's StrictMode mounts, unmounts and remounts synchronously: the discarded mount is
 *   cleaned up before it builds a session at all, so exactly one session exists, acquires the camera and calls.
 * - Unmount tears the call down with `'disposed'`: camera and microphone off, peer connection closed, timers
 *   cleared — before React finishes the unmount.
 * - Re-renders never restart the call. A change in `deps` disposes the current session and starts a new one
 *   (with the `source` of that render).
 * - State is read with `useSyncExternalStore` over `session.subscribe` / `session.getSnapshot`, so every
 *   change (state, streams, the `tickMs` countdown) re-renders, tear-free.
 *
 * With the options form the session is built with `new CallSession(options)`; the options of later renders are
 * ignored until `deps` change. A signaling connection made for this call goes in as a function,
 * `signaling: () => new WebSocketSignaling({ url, room })`: the session creates it in `start()` and closes
 * it at the end, so StrictMode's discarded mount never opens one.
 *
 * @param source `CallSessionOptions`, or a function returning a new, not yet started `CallSession`
 * @param deps when any of these change, the current call is disposed and a new one started; by default `[]`
 *   (one call per mount)
 * @throws TypeError (to the nearest error boundary, like a render error) when the options are invalid
 * @example
 * ```tsx
 * function Call({ room }: { room: string }) {
 *   const { session, state, localStream, remoteStream, muted, endReason, end } = useCallSession(
 *     { signaling: () => new WebSocketSignaling({ url, room }), polite, maxDurationMs: 600_000 },
 *     [room],
 *   );
 *   if (state === 'ended') return <p>Call ended: {endReason}</p>;
 *   return <>
 *     <video ref={useMediaStreamRef(localStream)} autoPlay playsInline muted />
 *     <video ref={useMediaStreamRef(remoteStream)} autoPlay playsInline />
 *     <button onClick={() => session?.setMuted('audio', !muted.audio)}>{muted.audio ? 'Unmute' : 'Mute'}</button>
 *     <button onClick={end}>Hang up</button>
 *   </>;
 * }
 * ```
 */
export function useCallSession(source: CallSessionSource, deps: DependencyList = []): UseCallSessionResult {
  const [session, setSession] = useState<CallSession | undefined>(undefined);

  useEffect(() => {
    let created: CallSession | undefined;
    let disposed = false;
    // Created one microtask after the effect: StrictMode mounts, unmounts and remounts synchronously, so the
    // discarded mount is cleaned up before it builds anything, and a stream handed in through the options
    // is owned (and stopped at the end) by exactly one session.
    queueMicrotask(() => {
      if (disposed) return;
      try {
        created = typeof source === 'function' ? source() : new CallSession(source);
      } catch (error) {
        // Thrown from a state updater, the error reaches the nearest error boundary like a render error.
        setSession(() => {
          throw error;
        });
        return;
      }
      setSession(created);
      // start() never leaves an unhandled rejection; the end is observed through the snapshot.
      void created.start();
    });
    return () => {
      disposed = true;
      created?.teardown('disposed');
    };
    // `source` is read from the render whose deps changed; later renders must not restart the call.
    // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when to restart
  }, deps);

  const subscribe = useCallback((onChange: () => void) => session?.subscribe(onChange) ?? noop, [session]);
  const getSnapshot = useCallback(() => session?.getSnapshot() ?? NO_SESSION, [session]);
  const snapshot = useSyncExternalStore(subscribe, getSnapshot, getSnapshot);
  const end = useCallback(() => session?.end(), [session]);

  return {
    session,
    state: snapshot.state,
    localStream: snapshot.localStream,
    remoteStream: snapshot.remoteStream,
    elapsedMs: snapshot.elapsedMs,
    remainingMs: snapshot.remainingMs,
    endReason: snapshot.endReason,
    muted: snapshot.muted,
    remoteMuted: snapshot.remoteMuted,
    screenSharing: snapshot.screenSharing,
    end,
  };
}
