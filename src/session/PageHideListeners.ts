/**
 * The session's listeners for the page going away: `onHide` runs at `beforeunload` when nothing on the page
 * asked to stay, and at `pagehide` (the last reliable moment before a tab closes or navigates away;
 * `beforeunload` is skipped on mobile and when the page is discarded). `onHide` must be idempotent: both
 * usually fire.
 *
 * Why `beforeunload` too: on navigation Firefox closes the page's WebSockets, and sometimes its peer
 * connections, before `pagehide` runs, so a `bye` sent there was lost and the peer learnt from the relay's
 * `peer-left` instead (6 of 8 navigations, see docs/interop.md). At `beforeunload` both are still open. A
 * `beforeunload` that an earlier listener cancelled (the app asks "Leave this call?") is ignored: the user may
 * stay. A listener added after the session's that cancels it comes too late; such an app should pass
 * `endOnPageHide: false` and end the call itself.
 */
export class PageHideListeners {
  /** One remover per listener registered and not yet removed. */
  #removers: (() => void)[] = [];

  /** How many listeners are registered: 2 once listening in a page, 0 without a window and after `close()`. */
  get count(): number {
    return this.#removers.length;
  }

  /** Registers both listeners on `window`; does nothing where there is none (Node, workers). */
  listen(onHide: () => void): void {
    const target = (globalThis as { window?: Window }).window;
    if (!target || typeof target.addEventListener !== 'function') return;
    const beforeUnload = (event: Event): void => {
      if (!event.defaultPrevented) onHide();
    };
    const listeners = [
      ['beforeunload', beforeUnload],
      ['pagehide', onHide],
    ] as const;
    for (const [type, listener] of listeners) {
      target.addEventListener(type, listener);
      this.#removers.push(() => target.removeEventListener(type, listener));
    }
  }

  /** Removes every listener, each on its own; returns the failures (the listener is forgotten all the same). */
  close(): unknown[] {
    const failures: unknown[] = [];
    for (const remove of this.#removers.splice(0)) {
      try {
        remove();
      } catch (error) {
        failures.push(error);
      }
    }
    return failures;
  }
}
