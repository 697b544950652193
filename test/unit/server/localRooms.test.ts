import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/logger.js';
import { LocalRooms } from '../../../src/server/LocalRooms.js';
import type { RelayConnection } from '../../../src/server/RoomBackend.js';
import { Outbox } from '../../../src/server/resume/Outbox.js';
import { ManualClock } from '../../../src/testing/ManualClock.js';

// The resume bookkeeping at the lowest level: fake connections, the manual clock, no sockets.

class FakeConnection implements RelayConnection {
  open = true;
  readonly frames: Record<string, unknown>[] = [];
  closedWith: number | undefined;
  terminated = false;
  send(frame: string): void {
    this.frames.push(JSON.parse(frame));
  }
  close(code: number): void {
    this.closedWith = code;
    this.open = false;
  }
  terminate(): void {
    this.terminated = true;
    this.open = false;
  }
  types(): unknown[] {
    return this.frames.map((frame) => frame.t);
  }
}

function setUp(resumeGraceMs = 1_000) {
  const clock = new ManualClock();
  const rooms = new LocalRooms({
    clock,
    logger: silentLogger,
    roomLimits: { maxPendingFrames: 4, maxPendingBytes: 10_000 },
    outboxLimits: { maxFrames: 3, maxBytes: 10_000 },
    resumeGraceMs,
    maxDurationMs: undefined,
    maxRememberedRooms: 10,
  });
  return { clock, rooms };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('Outbox', () => {
  it('numbers frames from 1 and holds them until a cumulative ack', () => {
    const outbox = new Outbox({ maxFrames: 10, maxBytes: 10_000 });
    expect(JSON.parse(outbox.push('x')!)).toEqual({ t: 'signal', n: 1, data: 'x' });
    outbox.push('y');
    outbox.push('z');
    expect(outbox.ack(2)).toBe(true);
    expect(outbox.frames().map((frame) => JSON.parse(frame).n)).toEqual([3]);
    expect(outbox.ack(2)).toBe(true);
    expect(outbox.size).toBe(1);
  });

  it('refuses an ack of a frame never sent, and keeps everything then', () => {
    const outbox = new Outbox({ maxFrames: 10, maxBytes: 10_000 });
    outbox.push('x');
    expect(outbox.ack(2)).toBe(false);
    expect(outbox.ack(-1)).toBe(false);
    expect(outbox.ack(1.5)).toBe(false);
    expect(outbox.size).toBe(1);
  });

  it('is bounded in frames and in bytes; a refused push holds nothing and uses no number', () => {
    const byCount = new Outbox({ maxFrames: 2, maxBytes: 10_000 });
    byCount.push(1);
    byCount.push(2);
    expect(byCount.push(3)).toBeUndefined();
    expect(byCount.last).toBe(2);
    const byBytes = new Outbox({ maxFrames: 100, maxBytes: 100 });
    expect(byBytes.push('a'.repeat(50))).toBeDefined();
    expect(byBytes.push('a'.repeat(50))).toBeUndefined();
    expect(byBytes.size).toBe(1);
    byBytes.ack(1);
    expect(byBytes.bytes).toBe(0);
  });
});

describe('LocalRooms resume bookkeeping', () => {
  it('a non-final drop holds the place for the grace period, then the peer gets peer-left', () => {
    const { clock, rooms } = setUp(1_000);
    const a = new FakeConnection();
    const b = new FakeConnection();
    rooms.join(a, 'r', true);
    rooms.join(b, 'r', true);
    rooms.disconnect(a, false);
    clock.advance(999);
    expect(b.types()).toEqual(['joined']);
    clock.advance(1);
    expect(b.types()).toEqual(['joined', 'peer-left']);
    expect(rooms.roomCount).toBe(1);
  });

  it('a final drop, or a member that did not ask for resume, leaves at once', () => {
    const { rooms } = setUp();
    const a = new FakeConnection();
    const b = new FakeConnection();
    const c = new FakeConnection();
    rooms.join(a, 'final', true);
    rooms.join(b, 'final', true);
    rooms.disconnect(a, true);
    expect(b.types()).toContain('peer-left');
    rooms.join(c, 'plain', false);
    const d = new FakeConnection();
    rooms.join(d, 'plain', true);
    rooms.disconnect(c, false);
    expect(d.types()).toContain('peer-left');
  });

  it('what the peer sends while the member is away is held and replayed at resume, once', async () => {
    const { rooms } = setUp();
    const a = new FakeConnection();
    const b = new FakeConnection();
    rooms.join(a, 'r', true);
    rooms.join(b, 'r', true);
    const token = a.frames[0]!.token as string;
    rooms.disconnect(a, false);
    rooms.signal(b, 'one', 1);
    rooms.signal(b, 'two', 2);
    const back = new FakeConnection();
    rooms.resume(back, 'r', token, 0);
    expect(back.frames.map((f) => (f.t === 'signal' ? f.data : f.t))).toEqual(['resumed', 'one', 'two']);
    await flush();
    // b's frames were acknowledged (coalesced): one ack for the burst.
    expect(b.frames.filter((f) => f.t === 'ack')).toEqual([{ t: 'ack', n: 2 }]);
  });

  it('an absent member whose outbox overflows loses its place; its token stops working', () => {
    const { rooms } = setUp();
    const a = new FakeConnection();
    const b = new FakeConnection();
    rooms.join(a, 'r', true);
    rooms.join(b, 'r', true);
    const token = a.frames[0]!.token as string;
    rooms.disconnect(a, false);
    for (let n = 1; n <= 4; n++) rooms.signal(b, n, n);
    expect(b.types()).toContain('peer-left');
    const back = new FakeConnection();
    rooms.resume(back, 'r', token, 0);
    expect(back.closedWith).toBe(4100);
  });

  it('a resume from another socket while the old one is open terminates the old one and keeps the place', () => {
    const { rooms } = setUp();
    const a = new FakeConnection();
    const b = new FakeConnection();
    rooms.join(a, 'r', true);
    rooms.join(b, 'r', true);
    const token = a.frames[0]!.token as string;
    const again = new FakeConnection();
    rooms.resume(again, 'r', token, 0);
    expect(a.terminated).toBe(true);
    // The old socket's close that follows changes nothing.
    rooms.disconnect(a, false);
    expect(b.types()).toEqual(['joined']);
    expect(rooms.roomOf(again)).toBe('r');
  });
});
