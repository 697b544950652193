import { EventEmitter } from 'eventemitter3';
import type { CallSnapshot } from '../model/events.js';
import { rethrowLater } from '../util/rethrowLater.js';
import { safeEmit } from '../util/safeEmit.js';
import type { CallSessionEvents } from './events.js';

/**
 * The session's two ways of telling the app (events, and snapshot change notifications for UI bindings),
 * with the guarantees the contract makes about them: each listener runs in isolation (one that throws is
 * re-thrown in a later macrotask and cannot stop the session's bookkeeping), and nothing is delivered once
 * the call has ended except the final `stateChange('ended')` and `ended`, after which every listener goes.
 * The snapshot is built (by the session, {@link SessionEmitter.takeSnapshot}) at most once per change.
 */
export abstract class SessionEmitter extends EventEmitter<CallSessionEvents> {
  readonly #snapshotListeners = new Set<() => void>();
  /** `ending`: teardown runs, silence; `final`: its last events go out; `closed`: nothing ever again. */
  #gate: 'open' | 'ending' | 'final' | 'closed' = 'open';
  #snapshot: CallSnapshot | undefined;

  constructor() {
    super();
    // Bound, so `const { subscribe, getSnapshot } = session` works (useSyncExternalStore passes them around).
    this.subscribe = this.subscribe.bind(this);
    this.getSnapshot = this.getSnapshot.bind(this);
  }

  /**
   * The inherited `emit`, made as safe as the session's own: listeners run in isolation (a throwing one is
   * re-thrown in a later macrotask) and nothing is delivered after the end.
   * @returns whether the event had listeners
   */
  override emit<E extends EventEmitter.EventNames<CallSessionEvents>>(
    event: E,
    ...args: EventEmitter.EventArgs<CallSessionEvents, E>
  ): boolean {
    if (this.#gate === 'ending' || this.#gate === 'closed') return false;
    return safeEmit(this as EventEmitter, event, args);
  }

  /**
   * Subscribes to any change of the session's snapshot (`getSnapshot()`); returns the unsubscribe function.
   * Meant for `useSyncExternalStore` and other UI bindings. Bound to the session, so it may be passed
   * around alone.
   */
  subscribe(onChange: () => void): () => void {
    if (this.#gate !== 'open') return () => {};
    this.#snapshotListeners.add(onChange);
    return () => {
      this.#snapshotListeners.delete(onChange);
    };
  }

  /** An immutable picture of the session; the same object until something changes. Bound to the session. */
  getSnapshot(): CallSnapshot {
    this.#snapshot ??= Object.freeze(this.takeSnapshot());
    return this.#snapshot;
  }

  /** The session's current picture, for {@link SessionEmitter.getSnapshot} (which freezes and caches it). */
  protected abstract takeSnapshot(): CallSnapshot;

  /**
   * The snapshot changed: rebuilt on the next read, and every snapshot subscriber called, each in isolation
   * (while events may still be delivered).
   */
  protected changed(): void {
    this.#snapshot = undefined;
    if (this.#gate === 'ending' || this.#gate === 'closed') return;
    for (const listener of [...this.#snapshotListeners]) {
      try {
        listener();
      } catch (error) {
        rethrowLater(error);
      }
    }
  }

  /** Teardown began: nothing is delivered until `emitFinal`. */
  protected silence(): void {
    this.#gate = 'ending';
  }

  /** Delivers the final events (`work` emits them), then lets go of every listener for good. */
  protected emitFinal(work: () => void): void {
    this.#gate = 'final';
    try {
      work();
    } finally {
      this.#gate = 'closed';
      this.removeAllListeners();
      this.#snapshotListeners.clear();
    }
  }
}
