import { act, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { CallSession, type CallSessionOptions, createInMemorySignalingPair } from '../../../src/index.js';
import type { UseCallSessionResult } from '../../../src/react/index.js';
import { FakeRuntime, ManualClock } from '../../../src/testing/index.js';

// Tells React that updates are wrapped in act(), so it flushes them and does not warn.
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/** A fake runtime, a manual clock, an in-memory pair, and the peer on side `b` driven outside React. */
export function reactCall(options: Partial<CallSessionOptions> = {}) {
  const clock = new ManualClock();
  const runtime = new FakeRuntime();
  const pair = createInMemorySignalingPair({ clock });
  const common = { runtime, clock, endOnPageHide: false, ...options };
  /** Options for the hook's side (`a`). */
  const hookOptions: CallSessionOptions = { signaling: pair.a, polite: true, ...common };
  const peer = new CallSession({ signaling: pair.b, polite: false, ...common });
  /** Every session the factory built, in order. */
  const created: CallSession[] = [];
  const factory = (): CallSession => {
    const session = new CallSession(hookOptions);
    created.push(session);
    return session;
  };
  return { clock, runtime, pair, peer, hookOptions, created, factory };
}

/** Mounts `node` into a fresh container; `unmount` and `render` run inside act(). */
export async function mount(
  node: ReactNode,
): Promise<{ root: Root; render(next: ReactNode): Promise<void>; unmount(): Promise<void> }> {
  const container = document.createElement('div');
  document.body.append(container);
  const root = createRoot(container);
  await act(async () => root.render(node));
  return {
    root,
    render: async (next) => {
      await act(async () => root.render(next));
    },
    unmount: async () => {
      await act(async () => root.unmount());
      container.remove();
    },
  };
}

/** Advances the clock in 1 ms steps inside act() until `done()` (at most `limit` steps). */
export async function advanceUntil(clock: ManualClock, done: () => boolean, limit = 100): Promise<void> {
  for (let i = 0; i < limit && !done(); i++) {
    await act(async () => clock.advanceAsync(1));
  }
}

/** Advances the clock by `ms` inside act(). */
export async function advance(clock: ManualClock, ms: number): Promise<void> {
  await act(async () => clock.advanceAsync(ms));
}

/** Keeps every result the hook returned, render by render. */
export function renders(): { all: UseCallSessionResult[]; readonly last: UseCallSessionResult } {
  const all: UseCallSessionResult[] = [];
  return {
    all,
    get last() {
      const result = all.at(-1);
      if (!result) throw new Error('the component never rendered');
      return result;
    },
  };
}
