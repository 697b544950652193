/**
 * A promise with its `resolve` and `reject` at hand, for a result that another method delivers. Like any
 * promise it settles once: later calls do nothing.
 */
export class Deferred<T> {
  /** The promise handed out. */
  readonly promise: Promise<T>;
  /** Fulfils {@link Deferred.promise} (nothing once it has settled). */
  resolve!: (value: T) => void;
  /** Rejects {@link Deferred.promise} (nothing once it has settled). */
  reject!: (error: unknown) => void;

  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }
}
