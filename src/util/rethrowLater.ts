/**
 * Re-throws a listener's exception in a later macrotask: visible to the developer (console, error
 * reporting, test runners) but unable to interrupt the session's bookkeeping. Uses the real global timer,
 * not the session's clock, so a paused test clock cannot swallow it.
 */
export function rethrowLater(error: unknown): void {
  globalThis.setTimeout(() => {
    throw error;
  }, 0);
}
