import { describe, expect, it, vi } from 'vitest';
import { ManualClock, settle } from '../../../src/testing/index.js';

describe('ManualClock', () => {
  it('starts at 0 (or the given start) and moves only when told', () => {
    expect(new ManualClock().now()).toBe(0);
    const clock = new ManualClock(1000);
    expect(clock.now()).toBe(1000);
    clock.advance(250);
    expect(clock.now()).toBe(1250);
    clock.advance(-5);
    expect(clock.now()).toBe(1250);
  });

  it('runs timers that fall due, in due order, ties in scheduling order, with now() at their due time', () => {
    const clock = new ManualClock();
    const ran: string[] = [];
    clock.setTimeout(() => ran.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => ran.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => ran.push(`c@${clock.now()}`), 20);
    clock.setTimeout(() => ran.push(`late@${clock.now()}`), 31);
    clock.advance(30);
    expect(ran).toEqual(['a@10', 'b@20', 'c@20']);
    expect(clock.now()).toBe(30);
    expect(clock.pendingTimers).toBe(1);
    clock.advance(1);
    expect(ran.at(-1)).toBe('late@31');
  });

  it('runs timers scheduled by timers within the window', () => {
    const clock = new ManualClock();
    const ran: number[] = [];
    const tick = () => {
      ran.push(clock.now());
      clock.setTimeout(tick, 10);
    };
    clock.setTimeout(tick, 10);
    clock.advance(35);
    expect(ran).toEqual([10, 20, 30]);
    expect(clock.pendingTimers).toBe(1);
  });

  it('clearTimeout cancels; unknown handles are ignored; 0, negative and NaN delays are due at once', () => {
    const clock = new ManualClock();
    const fn = vi.fn();
    const handle = clock.setTimeout(fn, 5);
    clock.clearTimeout(handle);
    clock.clearTimeout('nope');
    clock.clearTimeout(undefined);
    clock.advance(10);
    expect(fn).not.toHaveBeenCalled();
    const now = vi.fn();
    clock.setTimeout(now, 0);
    clock.setTimeout(now, -1);
    clock.setTimeout(now, Number.NaN);
    clock.advance(0);
    expect(now).toHaveBeenCalledTimes(3);
  });

  it('a timer never runs synchronously inside setTimeout', () => {
    const clock = new ManualClock();
    const fn = vi.fn();
    clock.setTimeout(fn, 0);
    expect(fn).not.toHaveBeenCalled();
  });

  it('runAll runs everything and stops a runaway loop', () => {
    const clock = new ManualClock();
    const fn = vi.fn();
    clock.setTimeout(fn, 1_000_000);
    clock.runAll();
    expect(fn).toHaveBeenCalledOnce();
    expect(clock.now()).toBe(1_000_000);
    const loop = () => clock.setTimeout(loop, 1);
    clock.setTimeout(loop, 1);
    expect(() => clock.runAll(100)).toThrow(/still scheduling after 100 timers/);
  });

  it('advanceAsync lets promise work started by a timer run before the next timer', async () => {
    const clock = new ManualClock();
    const order: string[] = [];
    clock.setTimeout(() => {
      void Promise.resolve().then(() => order.push('microtask of first'));
      order.push('first');
    }, 5);
    clock.setTimeout(() => order.push('second'), 5);
    await clock.advanceAsync(5);
    expect(order).toEqual(['first', 'microtask of first', 'second']);
    expect(clock.now()).toBe(5);
  });

  it('settle() waits for pending microtasks', async () => {
    let done = false;
    void Promise.resolve()
      .then(() => undefined)
      .then(() => {
        done = true;
      });
    await settle();
    expect(done).toBe(true);
  });
});
