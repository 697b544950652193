/**
 * A promise with its `resolve` and `reject` at hand, for a result that another method delivers. Like any
 * promise it settles once: later calls do nothing.
 */
export class Deferred<T> {
  readonly promise: Promise<T>;
  resolve!: (value: T) => void;
  reject!: (error: unknown) => void;

  constructor() {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }
}
