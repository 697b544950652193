import { EventEmitter } from 'eventemitter3';
import { rethrowLater } from './rethrowLater.js';

/** One registration as eventemitter3 stores it: the function, its `this`, and whether it was `once()`. */
interface RegisteredListener {
  readonly fn: (...args: unknown[]) => void;
  readonly context: unknown;
  readonly once: boolean;
}

/**
 * Calls every listener of `event` the way eventemitter3's `emit` would (with its `this`, `once()` ones
 * removed first), but each in isolation: a listener that throws is re-thrown in a later macrotask, so it
 * cannot stop the other listeners or the emitter's bookkeeping.
 * @returns whether the event had listeners
 */
export function safeEmit(emitter: EventEmitter, event: string | symbol, args: readonly unknown[]): boolean {
  const listeners = registeredListeners(emitter, event);
  for (const { fn, context, once } of listeners) {
    // A once() listener goes before it runs, as EventEmitter#emit does, so re-entrant emits skip it.
    if (once) emitter.removeListener(event, fn, context, true);
    try {
      fn.apply(context, args as unknown[]);
    } catch (error) {
      rethrowLater(error);
    }
  }
  return listeners.length > 0;
}

/**
 * A snapshot of the listeners of `event` with their `this` and once-flag. `listeners()` gives only the
 * functions, so this reads eventemitter3's own store (the same one its `emit` walks), keeping
 * `on(event, fn, context)` and `once()` working exactly as documented while each call is isolated.
 */
function registeredListeners(emitter: object, event: string | symbol): RegisteredListener[] {
  const prefix = typeof EventEmitter.prefixed === 'string' ? EventEmitter.prefixed : '';
  const key = typeof event === 'symbol' ? event : `${prefix}${event}`;
  const stored = (emitter as unknown as { _events?: Record<string | symbol, unknown> })._events?.[key];
  if (!stored) return [];
  const entries = (Array.isArray(stored) ? [...stored] : [stored]) as RegisteredListener[];
  return entries.map(({ fn, context, once }) => ({ fn, context, once: Boolean(once) }));
}
