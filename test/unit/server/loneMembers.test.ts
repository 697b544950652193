import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { LoneMembers } from '../../../src/server/LoneMembers.js';
import { ManualClock } from '../../../src/testing/ManualClock.js';

// Which member a full relay may displace: the one alone longest, once alone for aloneTimeoutMs; never one whose
// partner is present. Fed with the frames the relay sends, as both room backends write them.

const socket = (name: string) => ({ name }) as unknown as WebSocket;

describe('LoneMembers', () => {
  it('the member alone longest, only once alone for aloneTimeoutMs', () => {
    const clock = new ManualClock();
    const lone = new LoneMembers(clock, 1_000);
    const a = socket('a');
    const b = socket('b');
    lone.observe(a, JSON.stringify({ t: 'joined', room: 'x', peers: 0, v: 1 }));
    clock.advance(10);
    lone.observe(b, JSON.stringify({ t: 'joined', room: 'y', peers: 0, v: 1 }));
    clock.advance(989);
    expect(lone.displaceable()).toBeUndefined();
    clock.advance(1);
    expect(lone.displaceable()).toBe(a);
    lone.forget(a);
    expect(lone.displaceable()).toBeUndefined();
    clock.advance(10);
    expect(lone.displaceable()).toBe(b);
  });

  it('a member with a partner is never displaceable; alone again from peer-left', () => {
    const clock = new ManualClock();
    const lone = new LoneMembers(clock, 1_000);
    const a = socket('a');
    const b = socket('b');
    lone.observe(a, JSON.stringify({ t: 'joined', room: 'x', peers: 0, v: 1 }));
    lone.observe(a, '{"t":"peer-joined"}');
    lone.observe(b, JSON.stringify({ t: 'joined', room: 'x', peers: 1, v: 1, token: 't', graceMs: 5 }));
    clock.advance(60_000);
    expect(lone.displaceable()).toBeUndefined();
    // Signals relayed to a paired member change nothing.
    lone.observe(a, JSON.stringify({ t: 'signal', n: 1, data: { t: 'peer-left' } }));
    expect(lone.displaceable()).toBeUndefined();
    lone.observe(a, '{"t":"peer-left"}');
    clock.advance(999);
    expect(lone.displaceable()).toBeUndefined();
    clock.advance(1);
    expect(lone.displaceable()).toBe(a);
    // Resumed with its partner still in the room: paired again.
    lone.observe(a, JSON.stringify({ t: 'resumed', room: 'x', peers: 1, token: 't2', n: 0 }));
    expect(lone.displaceable()).toBeUndefined();
  });
});
