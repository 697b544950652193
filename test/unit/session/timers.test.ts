import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/index.js';
import { settle } from '../../../src/testing/index.js';
import { driveTo, expectReleased, solo } from '../../helpers/fakeCall.js';

function ticks(events: string[]): string[] {
  return events.filter((e) => e.startsWith('tick') || e.startsWith('expiring') || e.startsWith('ended'));
}

describe('call timers (ManualClock)', () => {
  it('no tick before the first connected', async () => {
    const s = solo({ tickMs: 100, maxDurationMs: 1000 });
    await driveTo(s, 'connecting');
    s.clock.advance(500);
    expect(ticks(s.log.events)).toEqual([]);
    expect(s.session.elapsedMs).toBe(0);
    expect(s.session.remainingMs).toBe(1000);
    s.session.end();
    expectReleased(s.session);
  });

  it('ticks every tickMs from the first connected, with remainingMs, expiring and expiry', async () => {
    const s = solo({ tickMs: 1000, maxDurationMs: 5000, expiryWarningMs: 2000 });
    await driveTo(s, 'connecting');
    s.clock.advance(250); // connect happens at t=250: ticks are aligned to it
    s.pc().setConnectionState('connected');
    s.clock.advance(2999);
    expect(ticks(s.log.events)).toEqual(['tick:1000/4000', 'tick:2000/3000']);
    expect(s.session.elapsedMs).toBe(2999);
    expect(s.session.remainingMs).toBe(2001);
    s.clock.advance(1);
    expect(ticks(s.log.events)).toEqual([
      'tick:1000/4000',
      'tick:2000/3000',
      'expiring:2000',
      'tick:3000/2000',
    ]);
    s.clock.advance(2000);
    expect(ticks(s.log.events)).toEqual([
      'tick:1000/4000',
      'tick:2000/3000',
      'expiring:2000',
      'tick:3000/2000',
      'tick:4000/1000',
      'ended:expired',
    ]);
    const summary = await s.session.ended;
    expect(summary).toMatchObject({ reason: 'expired', connectedAt: 250, endedAt: 5250, durationMs: 5000 });
    expect(s.session.remainingMs).toBe(0);
    expectReleased(s.session);
  });

  it('ticks without a limit: remainingMs undefined, no expiry', async () => {
    const s = solo({ tickMs: 500 });
    await driveTo(s, 'connected');
    s.clock.advance(1500);
    expect(ticks(s.log.events)).toEqual(['tick:500/undefined', 'tick:1000/undefined', 'tick:1500/undefined']);
    s.clock.advance(24 * 3600_000);
    expect(s.session.state).toBe('connected');
    expect(s.session.remainingMs).toBeUndefined();
    s.session.end();
    expectReleased(s.session);
  });

  it('expiring fires at maxDurationMs - expiryWarningMs; a warning longer than the call fires at once', async () => {
    const s = solo({ maxDurationMs: 10_000, expiryWarningMs: 3000, tickMs: 60_000 });
    await driveTo(s, 'connected');
    s.clock.advance(6999);
    expect(s.log.events).not.toContain('expiring:3000');
    s.clock.advance(1);
    expect(s.log.events).toContain('expiring:3000');
    s.session.end();
    expectReleased(s.session);

    const t = solo({ maxDurationMs: 1000, expiryWarningMs: 5000, tickMs: 60_000 });
    await driveTo(t, 'connected');
    t.clock.advance(0);
    expect(t.log.events).toContain('expiring:1000');
    t.session.end();
    expectReleased(t.session);
  });

  it('expiryWarningMs: 0 never warns', async () => {
    const s = solo({ maxDurationMs: 1000, expiryWarningMs: 0 });
    await driveTo(s, 'connected');
    s.clock.advance(1000);
    expect(s.log.events.filter((e) => e.startsWith('expiring'))).toEqual([]);
    expect(s.session.endReason).toBe('expired');
    expectReleased(s.session);
  });

  it('the call limit keeps counting while reconnecting', async () => {
    const s = solo({ maxDurationMs: 5000, disconnectGraceMs: 60_000, tickMs: 1000 });
    await driveTo(s, 'connected');
    s.clock.advance(2000);
    s.pc().setConnectionState('disconnected');
    s.clock.advance(3000);
    expect(s.session.endReason).toBe('expired');
    expectReleased(s.session);
  });

  it('repeated connected events do not restart or duplicate the timers', async () => {
    const s = solo({ maxDurationMs: 5000, tickMs: 1000, expiryWarningMs: 1000 });
    await driveTo(s, 'connected');
    const timers = s.session.liveResources().timers;
    s.clock.advance(500);
    s.pc().setConnectionState('connected');
    s.pc().setConnectionState('connected');
    expect(s.session.liveResources().timers).toBe(timers);
    expect(s.log.events.filter((e) => e === 'connected')).toHaveLength(1);
    expect(s.log.events.filter((e) => e === 'state:connected')).toHaveLength(1);
    s.clock.advance(500);
    expect(ticks(s.log.events)).toEqual(['tick:1000/4000']);
    s.clock.advance(4000);
    expect(s.session.endReason).toBe('expired');
    expect((await s.session.ended).durationMs).toBe(5000);
    expectReleased(s.session);
  });

  it('the connect timer is cleared at connected', async () => {
    const s = solo({ connectTimeoutMs: 1000 });
    await driveTo(s, 'connected');
    s.clock.advance(5000);
    expect(s.session.state).toBe('connected');
    s.session.end();
    expectReleased(s.session);
  });

  it('getSnapshot changes with each tick and is stable between', async () => {
    const s = solo({ tickMs: 1000, maxDurationMs: 3000 });
    await driveTo(s, 'connected');
    const first = s.session.getSnapshot();
    expect(s.session.getSnapshot()).toBe(first);
    s.clock.advance(1000);
    const second = s.session.getSnapshot();
    expect(second).not.toBe(first);
    expect(second).toMatchObject({ state: 'connected', elapsedMs: 1000, remainingMs: 2000 });
    s.session.end();
    expect(s.session.getSnapshot()).toMatchObject({ state: 'ended', endReason: 'hangup' });
    await settle();
    expectReleased(s.session);
  });
});

/** A clock whose timers run only when told, however late: a throttled background tab. */
class StallingClock implements Clock {
  #now = 0;
  #timers: { id: number; due: number; fn: () => void }[] = [];
  #nextId = 1;
  now(): number {
    return this.#now;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#timers.push({ id, due: this.#now + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.#timers = this.#timers.filter((timer) => timer.id !== handle);
  }
  /** Time passes, but no timer runs. */
  stall(ms: number): void {
    this.#now += ms;
  }
  /** Runs every timer due by now (including ones they schedule that are due too). */
  runDue(): void {
    for (let timer = this.#take(); timer; timer = this.#take()) timer.fn();
  }
  #take() {
    const due = this.#timers.filter((timer) => timer.due <= this.#now).sort((x, y) => x.due - y.due)[0];
    if (due) this.#timers = this.#timers.filter((timer) => timer !== due);
    return due;
  }
}

describe('late timers', () => {
  it('after a stall, ticking resumes at the next boundary instead of firing the missed ticks back to back', async () => {
    const clock = new StallingClock();
    const s = solo({ tickMs: 1000, clock });
    await driveTo(s, 'connected');
    clock.stall(5500);
    clock.runDue();
    expect(ticks(s.log.events)).toEqual(['tick:5500/undefined']);
    clock.stall(500);
    clock.runDue();
    expect(ticks(s.log.events)).toEqual(['tick:5500/undefined', 'tick:6000/undefined']);
    s.session.end();
    expectReleased(s.session);
  });
});
