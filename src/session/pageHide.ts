/**
 * Calls `onHide` on the window's `pagehide` (the last reliable moment before a tab closes or navigates away;
 * `unload` and `beforeunload` are skipped on mobile). Returns the function that removes the listener, or
 * `undefined` where there is no window (Node, workers).
 */
export function onPageHide(onHide: () => void): (() => void) | undefined {
  const target = (globalThis as { window?: Window }).window;
  if (!target || typeof target.addEventListener !== 'function') return undefined;
  target.addEventListener('pagehide', onHide);
  return () => target.removeEventListener('pagehide', onHide);
}
