/**
 * Calls `onHide` when the page goes away: at `beforeunload` when nothing on the page asked to stay, and at
 * `pagehide` (the last reliable moment before a tab closes or navigates away; `beforeunload` is skipped on
 * mobile and when the page is discarded). `onHide` must be idempotent: both usually fire.
 *
 * Why `beforeunload` too: on navigation Firefox closes the page's WebSockets, and sometimes its peer
 * connections, before `pagehide` runs, so a `bye` sent there was lost and the peer learnt from the relay's
 * `peer-left` instead (6 of 8 navigations, see docs/interop.md). At `beforeunload` both are still open. A
 * `beforeunload` that an earlier listener cancelled (the app asks "Leave this call?") is ignored: the user may
 * stay. A listener added after the session's that cancels it comes too late; such an app should pass
 * `endOnPageHide: false` and end the call itself.
 *
 * Returns the function that removes both listeners, or `undefined` where there is no window (Node, workers).
 */
export function onPageHide(onHide: () => void): (() => void) | undefined {
  const target = (globalThis as { window?: Window }).window;
  if (!target || typeof target.addEventListener !== 'function') return undefined;
  const beforeUnload = (event: Event): void => {
    if (!event.defaultPrevented) onHide();
  };
  target.addEventListener('beforeunload', beforeUnload);
  target.addEventListener('pagehide', onHide);
  return () => {
    target.removeEventListener('beforeunload', beforeUnload);
    target.removeEventListener('pagehide', onHide);
  };
}
