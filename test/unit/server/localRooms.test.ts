import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/logger.js';
import { LocalRooms } from '../../../src/server/LocalRooms.js';
import { Outbox } from '../../../src/server/resume/Outbox.js';
import { signalPayload } from '../../../src/server/signalFrame.js';
import { ManualClock } from '../../../src/testing/ManualClock.js';
import { FakeConnection } from '../../helpers/fakeRelayConnection.js';

// The resume bookkeeping at the lowest level: fake connections, the manual clock, no sockets.

function setUp(resumeGraceMs = 1_000, maxBufferedBytes = 1 << 20, maxFrames = 3) {
  const clock = new ManualClock();
  const rooms = new LocalRooms({
    clock,
    logger: silentLogger,
    roomLimits: { maxPendingFrames: 4, maxPendingBytes: 10_000 },
    outboxLimits: { maxFrames, maxBytes: 10_000 },
    resumeGraceMs,
    maxDurationMs: undefined,
    maxRememberedRooms: 10,
    maxBufferedBytes,
  });
  return { clock, rooms };
}

/** `a` (resumable) and `b` (resumable when `bResumable`) paired in room `r`, then `a`'s socket drops: `a` is away. */
function awayFromPartner(rooms: LocalRooms, bResumable: boolean) {
  const a = new FakeConnection();
  const b = new FakeConnection();
  rooms.join(a, 'r', true);
  rooms.join(b, 'r', bResumable);
  rooms.disconnect(a, false);
  return { a, b };
}

/**
 * `a` (resumable) away while `b` sends it three 200-byte frames, within its outbox's bounds (and, with
 * `bLeaves`, then leaves for good: its numbered `peer-left` is a fourth frame); then `a` resumes on a new
 * connection, `back`.
 */
function resumeAfterBacklog(maxBufferedBytes: number, bLeaves = false) {
  const { rooms } = setUp(1_000, maxBufferedBytes, bLeaves ? 4 : 3);
  const { a, b } = awayFromPartner(rooms, true);
  for (let n = 1; n <= 3; n++) rooms.signal(b, 'x'.repeat(200), n);
  if (bLeaves) rooms.disconnect(b, true);
  const back = new FakeConnection();
  rooms.resume(back, 'r', a.frames[0]!.token as string, 0);
  return { rooms, a, b, back };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('Outbox', () => {
  it('numbers frames from 1 and holds them until a cumulative ack', () => {
    const outbox = new Outbox({ maxFrames: 10, maxBytes: 10_000 });
    expect(JSON.parse(outbox.push(signalPayload('x'))!.text)).toEqual({ t: 'signal', n: 1, data: 'x' });
    outbox.push(signalPayload('y'));
    outbox.push(signalPayload('z'));
    expect(outbox.ack(2)).toBe(true);
    expect(outbox.frames().map((frame) => JSON.parse(frame.text).n)).toEqual([3]);
    expect(outbox.ack(2)).toBe(true);
    expect(outbox.size).toBe(1);
  });

  it('refuses an ack of a frame never sent, and keeps everything then', () => {
    const outbox = new Outbox({ maxFrames: 10, maxBytes: 10_000 });
    outbox.push(signalPayload('x'));
    expect(outbox.ack(2)).toBe(false);
    expect(outbox.ack(-1)).toBe(false);
    expect(outbox.ack(1.5)).toBe(false);
    expect(outbox.size).toBe(1);
  });

  it('is bounded in frames and in bytes; a refused push holds nothing and uses no number', () => {
    const byCount = new Outbox({ maxFrames: 2, maxBytes: 10_000 });
    byCount.push(signalPayload(1));
    byCount.push(signalPayload(2));
    expect(byCount.push(signalPayload(3))).toBeUndefined();
    expect(byCount.last).toBe(2);
    const byBytes = new Outbox({ maxFrames: 100, maxBytes: 100 });
    expect(byBytes.push(signalPayload('a'.repeat(50)))).toBeDefined();
    expect(byBytes.push(signalPayload('a'.repeat(50)))).toBeUndefined();
    expect(byBytes.size).toBe(1);
    byBytes.ack(1);
    expect(byBytes.bytes).toBe(0);
  });
});

describe('LocalRooms resume bookkeeping', () => {
  it('a non-final drop holds the place for the grace period, then the peer gets peer-left', () => {
    const { clock, rooms } = setUp(1_000);
    const { b } = awayFromPartner(rooms, true);
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

  it('a member whose outbox is full when its partner leaves loses its place: the peer-left is held within the same bounds', () => {
    const { rooms } = setUp();
    const a = new FakeConnection();
    const b = new FakeConnection();
    rooms.join(a, 'r', true);
    rooms.join(b, 'r', false);
    const token = a.frames[0]!.token as string;
    // Three frames a never acknowledges fill its outbox (maxFrames 3): no room for a numbered peer-left.
    for (let n = 1; n <= 3; n++) rooms.signal(b, n, undefined);
    rooms.disconnect(b, true);
    expect(a.frames.at(-1)).toMatchObject({ t: 'error', code: 'slot-lost' });
    expect(a.closedWith).toBe(4101);
    expect(rooms.roomCount).toBe(0);
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

describe('LocalRooms reports membership', () => {
  it('tells each member whether it is alone: at join, when the partner arrives, when it goes', () => {
    const { rooms } = setUp();
    const a = new FakeConnection();
    const b = new FakeConnection();
    rooms.join(a, 'r', false);
    expect(a.partners).toEqual([false]);
    rooms.join(b, 'r', true);
    expect(b.partners).toEqual([true]);
    expect(a.partners).toEqual([false, true]);
    rooms.disconnect(b, true);
    expect(a.partners).toEqual([false, true, false]);
    // A refused third joiner is never reported: it has no place.
    const c = new FakeConnection();
    const d = new FakeConnection();
    rooms.join(c, 'r', false);
    rooms.join(d, 'r', false);
    expect(d.closedWith).toBe(4001);
    expect(d.partners).toEqual([]);
  });

  it('a resumed member is told whether its partner is still there; a partner whose grace ended leaves it alone', () => {
    const { clock, rooms } = setUp(1_000);
    const a = new FakeConnection();
    const b = new FakeConnection();
    rooms.join(a, 'r', true);
    rooms.join(b, 'r', true);
    const tokenA = a.frames[0]!.token as string;
    const tokenB = b.frames[0]!.token as string;
    rooms.disconnect(a, false);
    const aBack = new FakeConnection();
    rooms.resume(aBack, 'r', tokenA, 0);
    expect(aBack.partners).toEqual([true]);
    // b drops for good: a is alone when the grace ends, not before.
    rooms.disconnect(b, false);
    clock.advance(999);
    expect(aBack.partners).toEqual([true]);
    clock.advance(1);
    expect(aBack.partners).toEqual([true, false]);
    expect(aBack.types()).toContain('peer-left');
    // b's token is spent with its place; a resume alone is refused, and not reported.
    const bBack = new FakeConnection();
    rooms.resume(bBack, 'r', tokenB, 0);
    expect(bBack.closedWith).toBe(4100);
    expect(bBack.partners).toEqual([]);
  });

  it("a member away while its partner leaves and another joins gets, at resume, the partner's frames, peer-left, then the newcomer's", () => {
    // The same scenario runs in cluster mode in test/unit/cluster/clusterRooms.test.ts: both modes must agree.
    const { rooms } = setUp(1_000, 1 << 20, 8);
    const { a, b } = awayFromPartner(rooms, false);
    rooms.signal(b, 'from b', undefined);
    rooms.disconnect(b, true);
    const c = new FakeConnection();
    rooms.join(c, 'r', false);
    expect(c.frames[0]).toMatchObject({ t: 'joined', peers: 1 });
    // c's offer goes to a's outbox: a must not take it for a renegotiation from b.
    rooms.signal(c, 'offer from c', undefined);
    const aBack = new FakeConnection();
    rooms.resume(aBack, 'r', a.frames[0]!.token as string, 0);
    expect(aBack.frames[0]).toMatchObject({ t: 'resumed', peers: 1 });
    expect(aBack.frames.slice(1)).toEqual([
      { t: 'signal', n: 1, data: 'from b' },
      { t: 'peer-left', n: 2 },
      { t: 'signal', n: 3, data: 'offer from c' },
    ]);
    // Reported once, as it ends: a has a partner (c).
    expect(aBack.partners).toEqual([true]);
    rooms.signal(c, 'later', undefined);
    expect(aBack.frames.at(-1)).toEqual({ t: 'signal', n: 4, data: 'later' });
    // The departure is numbered: a later resume that had not got that far is told it again, at its place...
    rooms.disconnect(aBack, false);
    const aAgain = new FakeConnection();
    rooms.resume(aAgain, 'r', aBack.frames[0]!.token as string, 1);
    expect(aAgain.types()).toEqual(['resumed', 'peer-left', 'signal', 'signal']);
    // ...and one past it (it arrived) is not: told once.
    rooms.disconnect(aAgain, false);
    const aOnceMore = new FakeConnection();
    rooms.resume(aOnceMore, 'r', aAgain.frames[0]!.token as string, 2);
    expect(aOnceMore.frames.slice(1).map((f) => f.n)).toEqual([3, 4]);
  });

  it("a half-open member (its socket looks open) whose partner leaves gets, at resume, the partner's frames, peer-left, then the newcomer's", () => {
    // The same scenario runs in cluster mode in test/unit/cluster/clusterRooms.test.ts: both modes must agree.
    const { rooms } = setUp(1_000, 1 << 20, 8);
    const a = new FakeConnection();
    const b = new FakeConnection();
    rooms.join(a, 'r', true);
    rooms.join(b, 'r', false);
    // a's socket died without the relay noticing: it still looks open, and what is sent into it is lost.
    rooms.signal(b, 'from b', undefined);
    rooms.disconnect(b, true);
    const c = new FakeConnection();
    rooms.join(c, 'r', false);
    rooms.signal(c, 'offer from c', undefined);
    expect(a.open).toBe(true);
    // a's client got nothing of that; it resumes on a new connection with the last number it got (none).
    const aBack = new FakeConnection();
    rooms.resume(aBack, 'r', a.frames[0]!.token as string, 0);
    expect(a.terminated).toBe(true);
    expect(aBack.frames[0]).toMatchObject({ t: 'resumed', peers: 1 });
    expect(aBack.frames.slice(1)).toEqual([
      { t: 'signal', n: 1, data: 'from b' },
      { t: 'peer-left', n: 2 },
      { t: 'signal', n: 3, data: 'offer from c' },
    ]);
    // A client that did get the peer-left (its number) before the drop is not told it again.
    rooms.disconnect(aBack, false);
    const aAgain = new FakeConnection();
    rooms.resume(aAgain, 'r', aBack.frames[0]!.token as string, 2);
    expect(aAgain.frames.slice(1)).toEqual([{ t: 'signal', n: 3, data: 'offer from c' }]);
  });

  it('a member away while two partners in turn leave is told each departure where it happened', () => {
    const { rooms } = setUp(1_000, 1 << 20, 8);
    const { a, b } = awayFromPartner(rooms, false);
    rooms.disconnect(b, true);
    // c comes and goes without sending anything: its departure is told too, each one numbered.
    const c = new FakeConnection();
    rooms.join(c, 'r', false);
    rooms.disconnect(c, true);
    const d = new FakeConnection();
    rooms.join(d, 'r', false);
    rooms.signal(d, 'from d', undefined);
    rooms.disconnect(d, true);
    const e = new FakeConnection();
    rooms.join(e, 'r', false);
    rooms.signal(e, 'from e', undefined);
    const aBack = new FakeConnection();
    rooms.resume(aBack, 'r', a.frames[0]!.token as string, 0);
    expect(aBack.frames.slice(1).map((f) => (f.t === 'signal' ? f.data : f.t))).toEqual([
      'peer-left',
      'peer-left',
      'from d',
      'peer-left',
      'from e',
    ]);
    expect(aBack.frames.slice(1).map((f) => f.n)).toEqual([1, 2, 3, 4, 5]);
  });

  it('a member away while its partner left for good is told peer-left when it resumes (as in cluster mode)', () => {
    const { rooms } = setUp();
    const a = new FakeConnection();
    const b = new FakeConnection();
    rooms.join(a, 'r', true);
    rooms.join(b, 'r', true);
    rooms.signal(b, 'before leaving', 1);
    rooms.disconnect(a, false);
    rooms.disconnect(b, true);
    const aBack = new FakeConnection();
    rooms.resume(aBack, 'r', a.frames[0]!.token as string, 0);
    expect(aBack.frames[0]).toMatchObject({ t: 'resumed', peers: 0 });
    // What b sent before leaving comes first, then its departure, as a present member would have seen them.
    expect(aBack.types()).toEqual(['resumed', 'signal', 'peer-left']);
    expect(aBack.partners).toEqual([false]);
    // Told once: a later resume past its number says nothing more.
    rooms.disconnect(aBack, false);
    const aAgain = new FakeConnection();
    rooms.resume(aAgain, 'r', aBack.frames[0]!.token as string, 2);
    expect(aAgain.types()).toEqual(['resumed']);
  });

  it('a resume whose replay would pass maxBufferedBytes gives up the place (slot-lost) and sends nothing past it', () => {
    // What the replay puts into the socket, with its WebSocket framing (at most 10 bytes a frame).
    const generous = resumeAfterBacklog(1 << 20).back;
    expect(generous.types()).toEqual(['resumed', 'signal', 'signal', 'signal']);
    const replay = generous.sentBytes + 10 * generous.frames.length;
    // Exactly at the bound: all of it goes.
    const exact = resumeAfterBacklog(replay).back;
    expect(exact.types()).toEqual(['resumed', 'signal', 'signal', 'signal']);
    expect(exact.sentBytes + 10 * exact.frames.length).toBeLessThanOrEqual(replay);
    // One byte past it: nothing of the replay goes, the place is given up, and the peer is told.
    const { rooms, a, b, back } = resumeAfterBacklog(replay - 1);
    expect(back.types()).toEqual(['error']);
    expect(back.frames[0]).toMatchObject({ code: 'slot-lost' });
    expect(back.closedWith).toBe(4101);
    expect(back.partners).toEqual([]);
    expect(b.types()).toContain('peer-left');
    // The membership is over: its tokens are spent.
    const again = new FakeConnection();
    rooms.resume(again, 'r', a.frames[0]!.token as string, 0);
    expect(again.closedWith).toBe(4100);
  });

  it('the peer-left placed in a replay counts against maxBufferedBytes like the frames around it', () => {
    const generous = resumeAfterBacklog(1 << 20, true).back;
    expect(generous.types()).toEqual(['resumed', 'signal', 'signal', 'signal', 'peer-left']);
    const replay = generous.sentBytes + 10 * generous.frames.length;
    expect(resumeAfterBacklog(replay, true).back.types()).toEqual(generous.types());
    // One byte short, for the peer-left alone: nothing goes, the place is given up.
    const short = resumeAfterBacklog(replay - 1, true).back;
    expect(short.types()).toEqual(['error']);
    expect(short.closedWith).toBe(4101);
  });

  it('a member that resumes alone is told it is alone', () => {
    const { rooms } = setUp();
    const a = new FakeConnection();
    rooms.join(a, 'solo', true);
    rooms.disconnect(a, false);
    const back = new FakeConnection();
    rooms.resume(back, 'solo', a.frames[0]!.token as string, 0);
    expect(back.frames[0]).toMatchObject({ t: 'resumed', peers: 0 });
    expect(back.partners).toEqual([false]);
  });
});

describe('LocalRooms sends each relayed signal with its size, measured once', () => {
  // Multi-byte characters, so a size counted in UTF-16 units instead of bytes would show.
  const data = { sdp: 'é日本👍🏽\u2028"quoted"', n: [1, 2] };

  it('held for a lone member, then delivered (plain and numbered), and sent again after a resume', () => {
    for (const resumable of [false, true]) {
      const { rooms } = setUp();
      const a = new FakeConnection();
      const b = new FakeConnection();
      rooms.join(a, 'r', true);
      rooms.signal(a, data, 1);
      rooms.signal(a, 'ünï', 2);
      rooms.join(b, 'r', resumable);
      rooms.signal(a, data, 3);
      const signals = b.frames.filter((frame) => frame.t === 'signal');
      expect(signals.map((frame) => frame.data)).toEqual([data, 'ünï', data]);
      expect(signals.every((frame) => (frame.n !== undefined) === resumable)).toBe(true);
      expect(b.sized).toBe(3);
      expect(b.wrongSizes).toEqual([]);
      if (!resumable) continue;
      rooms.disconnect(b, false);
      const back = new FakeConnection();
      rooms.resume(back, 'r', b.frames[0]!.token as string, 1);
      expect(back.frames.filter((frame) => frame.t === 'signal').map((frame) => frame.n)).toEqual([2, 3]);
      expect(back.sized).toBe(2);
      expect(back.wrongSizes).toEqual([]);
    }
  });

  it('what a lone member may hold is counted at the size of the frame that will carry it', () => {
    // `{"t":"signal","data":"…"}` around 2-byte characters: 22 + 2 quotes + 2 bytes a character.
    const frameOf = (chars: number) => 24 + 2 * chars;
    const clock = new ManualClock();
    const rooms = new LocalRooms({
      clock,
      logger: silentLogger,
      roomLimits: { maxPendingFrames: 10, maxPendingBytes: frameOf(10) + frameOf(5) },
      outboxLimits: { maxFrames: 10, maxBytes: 10_000 },
      resumeGraceMs: 0,
      maxDurationMs: undefined,
      maxRememberedRooms: 10,
      maxBufferedBytes: 1 << 20,
    });
    const a = new FakeConnection();
    rooms.join(a, 'r', false);
    expect(rooms.signal(a, 'é'.repeat(10), undefined)).toBeUndefined();
    expect(rooms.signal(a, 'é'.repeat(6), undefined)).toEqual([
      'queue-full',
      expect.stringContaining('waiting'),
    ]);
    expect(rooms.signal(a, 'é'.repeat(5), undefined)).toBeUndefined();
  });
});
