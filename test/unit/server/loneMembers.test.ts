import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { LoneMembers } from '../../../src/server/LoneMembers.js';
import { ManualClock } from '../../../src/testing/ManualClock.js';

// Which member a full relay may displace: the one alone longest, once alone for aloneTimeoutMs; never one whose
// partner is present. Told by the room backends whenever a member's partner arrives or goes (localRooms.test.ts
// and the cluster tests check that they tell it).

const socket = (name: string) => ({ name }) as unknown as WebSocket;

/** Two sockets and a LoneMembers with aloneTimeoutMs 1 000 on a manual clock. */
function setUp() {
  const clock = new ManualClock();
  return { clock, lone: new LoneMembers(clock, 1_000), a: socket('a'), b: socket('b') };
}

describe('LoneMembers', () => {
  it('the member alone longest, only once alone for aloneTimeoutMs', () => {
    const { clock, lone, a, b } = setUp();
    lone.partnered(a, false);
    clock.advance(10);
    lone.partnered(b, false);
    clock.advance(989);
    expect(lone.displaceable()).toBeUndefined();
    clock.advance(1);
    expect(lone.displaceable()).toBe(a);
    lone.forget(a);
    expect(lone.displaceable()).toBeUndefined();
    clock.advance(10);
    expect(lone.displaceable()).toBe(b);
  });

  it('a member with a partner is never displaceable; alone again (counted from then) once the partner left', () => {
    const { clock, lone, a, b } = setUp();
    lone.partnered(a, false);
    lone.partnered(a, true);
    lone.partnered(b, true);
    clock.advance(60_000);
    expect(lone.displaceable()).toBeUndefined();
    lone.partnered(a, false);
    clock.advance(999);
    expect(lone.displaceable()).toBeUndefined();
    clock.advance(1);
    expect(lone.displaceable()).toBe(a);
    // Resumed with its partner still in the room: paired again.
    lone.partnered(a, true);
    expect(lone.displaceable()).toBeUndefined();
  });

  it('alone again moves a member behind those alone since earlier', () => {
    const { clock, lone, a, b } = setUp();
    lone.partnered(a, false);
    clock.advance(10);
    lone.partnered(b, false);
    clock.advance(10);
    // a is told it is alone once more (a resume alone): its time restarts, b is now the oldest.
    lone.partnered(a, false);
    clock.advance(990);
    expect(lone.displaceable()).toBe(b);
    lone.forget(b);
    expect(lone.displaceable()).toBeUndefined();
    clock.advance(10);
    expect(lone.displaceable()).toBe(a);
  });
});
