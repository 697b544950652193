// @vitest-environment node
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { createRelayServer, type RelayServer } from '../../../src/server/createRelayServer.js';
import { ManualClock } from '../../../src/testing/ManualClock.js';
import { type RawRelayClient, rawRelayClient } from '../../helpers/rawRelayClient.js';

// The relay's side of resume, spoken raw: tokens are unguessable, single use, bound to their room and member,
// useless after the grace period; what waits for an absent or silent member is bounded.

type Raw = RawRelayClient;

const relays: RelayServer[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  await Promise.all(relays.splice(0).map((relay) => relay.close()));
});

async function start(options: Parameters<typeof createRelayServer>[0] = {}): Promise<string> {
  const relay = await createRelayServer({ port: 0, pingIntervalMs: 0, ...options });
  relays.push(relay);
  return `ws://127.0.0.1:${relay.port}`;
}

async function connect(url: string): Promise<Raw> {
  const raw = await rawRelayClient(url);
  sockets.push(raw.socket);
  return raw;
}

const send = (raw: Raw, frame: unknown) => raw.send(frame);

async function joinResumable(
  url: string,
  room: string,
): Promise<{ raw: Raw; token: string; graceMs: number }> {
  const raw = await connect(url);
  send(raw, { t: 'join', room, resume: true });
  const joined = await raw.next('joined');
  return { raw, token: joined.token as string, graceMs: joined.graceMs as number };
}

/** Cuts the socket without a close handshake: the relay sees code 1006, a resumable drop. */
async function drop(raw: Raw): Promise<void> {
  raw.socket.terminate();
  await raw.closed;
}

describe('relay resume tokens', () => {
  it('issues a distinct 192-bit token (32 base64url characters) to each resumable member, none to others', async () => {
    const url = await start();
    const a = await joinResumable(url, 'tokens');
    const b = await joinResumable(url, 'tokens');
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(b.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(a.token).not.toBe(b.token);
    expect(a.graceMs).toBe(5_000);
    const plain = await connect(url);
    send(plain, { t: 'join', room: 'plain' });
    const joined = await plain.next('joined');
    expect(joined).not.toHaveProperty('token');
  });

  it('a token works once: after the client confirms the new one (its ack), the old one is refused (4100)', async () => {
    const url = await start();
    const a = await joinResumable(url, 'once');
    await joinResumable(url, 'once');
    await drop(a.raw);
    const first = await connect(url);
    send(first, { t: 'resume', room: 'once', token: a.token, n: 0 });
    const resumed = await first.next('resumed');
    expect(resumed.token).not.toBe(a.token);
    send(first, { t: 'ack', n: 0 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await connect(url);
    send(second, { t: 'resume', room: 'once', token: a.token, n: 0 });
    expect((await second.next('error')).code).toBe('resume-failed');
    expect(await second.closed).toBe(4100);
  });

  it('a resumed frame lost with its connection: the old token still works once, the unconfirmed one is spent', async () => {
    const url = await start();
    const a = await joinResumable(url, 'lost-resumed');
    await joinResumable(url, 'lost-resumed');
    await drop(a.raw);
    const first = await connect(url);
    send(first, { t: 'resume', room: 'lost-resumed', token: a.token, n: 0 });
    const unseen = (await first.next('resumed')).token as string;
    // The client never saw that frame: the connection dies before it reads it, so it retries with what it has.
    await drop(first);
    const retry = await connect(url);
    send(retry, { t: 'resume', room: 'lost-resumed', token: a.token, n: 0 });
    const resumed = await retry.next('resumed');
    expect(resumed.token).not.toBe(unseen);
    const withUnseen = await connect(url);
    send(withUnseen, { t: 'resume', room: 'lost-resumed', token: unseen, n: 0 });
    expect((await withUnseen.next('error')).code).toBe('resume-failed');
  });

  it('a token is bound to its room', async () => {
    const url = await start();
    const a = await joinResumable(url, 'bound');
    await drop(a.raw);
    const thief = await connect(url);
    send(thief, { t: 'resume', room: 'other-room', token: a.token, n: 0 });
    expect((await thief.next('error')).code).toBe('resume-failed');
    expect(await thief.closed).toBe(4100);
  });

  it('a token is useless after the grace period, and the peer got peer-left then', async () => {
    const clock = new ManualClock();
    const url = await start({ clock, resumeGraceMs: 1_000 });
    const a = await joinResumable(url, 'expired');
    const b = await joinResumable(url, 'expired');
    await drop(a.raw);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(b.raw.frames.map((f) => f.t)).not.toContain('peer-left');
    clock.advance(1_000);
    await b.raw.next('peer-left');
    const late = await connect(url);
    send(late, { t: 'resume', room: 'expired', token: a.token, n: 0 });
    expect((await late.next('error')).code).toBe('resume-failed');
    // The place is free again: a newcomer may join.
    const c = await joinResumable(url, 'expired');
    expect(c.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('a member away when its room is finalized gets the finalize when it resumes (then 4000)', async () => {
    const relay = await createRelayServer({ port: 0, pingIntervalMs: 0 });
    relays.push(relay);
    const url = `ws://127.0.0.1:${relay.port}`;
    const a = await joinResumable(url, 'fin-away');
    const b = await joinResumable(url, 'fin-away');
    await drop(a.raw);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(relay.finalize('fin-away', { why: 'operator' })).toBe(true);
    expect((await b.raw.next('finalize')).info).toEqual({ why: 'operator' });
    const back = await connect(url);
    send(back, { t: 'resume', room: 'fin-away', token: a.token, n: 0 });
    expect((await back.next('finalize')).info).toEqual({ why: 'operator' });
    expect(await back.closed).toBe(4000);
  });

  it('a member in its grace period still counts: a third joiner is refused room-full', async () => {
    const url = await start();
    const a = await joinResumable(url, 'held');
    await joinResumable(url, 'held');
    await drop(a.raw);
    const third = await connect(url);
    send(third, { t: 'join', room: 'held' });
    expect((await third.next('error')).code).toBe('room-full');
  });

  it('a clean close (1000) ends the membership at once: the peer gets peer-left without waiting', async () => {
    const url = await start({ resumeGraceMs: 60_000 });
    const a = await joinResumable(url, 'clean');
    const b = await joinResumable(url, 'clean');
    a.raw.socket.close(1000);
    await b.raw.next('peer-left');
  });

  it('resuming while the old socket is still open (half-open) replaces it without peer-left', async () => {
    const url = await start();
    const a = await joinResumable(url, 'half-open');
    const b = await joinResumable(url, 'half-open');
    const again = await connect(url);
    send(again, { t: 'resume', room: 'half-open', token: a.token, n: 0 });
    await again.next('resumed');
    expect(await a.raw.closed).toBe(1006);
    send(b.raw, { t: 'signal', n: 1, data: { hello: 1 } });
    expect((await again.next('signal')).data).toEqual({ hello: 1 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(b.raw.frames.map((f) => f.t)).not.toContain('peer-left');
  });

  it('replays exactly what the member did not acknowledge, and drops signals it sends again', async () => {
    const url = await start();
    const a = await joinResumable(url, 'replay');
    const b = await joinResumable(url, 'replay');
    for (let n = 1; n <= 4; n++) send(b.raw, { t: 'signal', n, data: { n } });
    for (let n = 1; n <= 4; n++) expect((await a.raw.next('signal')).n).toBe(n);
    send(a.raw, { t: 'signal', n: 1, data: 'from-a' });
    await a.raw.next('ack');
    await drop(a.raw);
    const back = await connect(url);
    // It says it received up to 2: frames 3 and 4 come again, once each.
    send(back, { t: 'resume', room: 'replay', token: a.token, n: 2 });
    send(back, { t: 'signal', n: 1, data: 'from-a' });
    send(back, { t: 'signal', n: 2, data: 'from-a-2' });
    const resumed = await back.next('resumed');
    expect(resumed.n).toBe(1);
    expect([(await back.next('signal')).n, (await back.next('signal')).n]).toEqual([3, 4]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const fromA = b.raw.frames.filter((f) => f.t === 'signal').map((f) => f.data);
    expect(fromA).toEqual(['from-a', 'from-a-2']);
  });

  it('a signal that skips a number is refused with bad-frame and not relayed', async () => {
    const url = await start();
    const a = await joinResumable(url, 'gap');
    const b = await joinResumable(url, 'gap');
    send(a.raw, { t: 'signal', n: 2, data: 'skipped one' });
    expect((await a.raw.next('error')).code).toBe('bad-frame');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(b.raw.frames.filter((f) => f.t === 'signal')).toEqual([]);
  });

  it('an ack of a frame never sent is refused with bad-frame', async () => {
    const url = await start();
    const a = await joinResumable(url, 'bad-ack');
    send(a.raw, { t: 'ack', n: 5 });
    expect((await a.raw.next('error')).code).toBe('bad-frame');
  });
});

describe('relay resume bounds', () => {
  it('an absent member whose backlog passes the bound loses its place: the peer gets peer-left', async () => {
    const url = await start({ maxMessagesPerSecond: 10_000, resumeGraceMs: 60_000 });
    const a = await joinResumable(url, 'backlog');
    const b = await joinResumable(url, 'backlog');
    await drop(a.raw);
    for (let n = 1; n <= 257; n++) send(b.raw, { t: 'signal', n, data: { n } });
    await b.raw.next('peer-left');
    const back = await connect(url);
    send(back, { t: 'resume', room: 'backlog', token: a.token, n: 0 });
    expect((await back.next('error')).code).toBe('resume-failed');
  });

  it('a resume whose replay would pass maxBufferedBytes is refused slot-lost (4101), nothing replayed; the peer gets peer-left', async () => {
    // Held for a lone member and in an outbox: up to min(4 × maxFrameBytes, maxBufferedBytes), plus 8 KiB of
    // numbering in the outbox. 20 frames of ~180 bytes fit the outbox but not, replayed at once, the 2000-byte cap.
    const url = await start({ maxFrameBytes: 1_000, maxBufferedBytes: 2_000, resumeGraceMs: 60_000 });
    const a = await joinResumable(url, 'replay');
    const b = await joinResumable(url, 'replay');
    await drop(a.raw);
    for (let n = 1; n <= 20; n++) send(b.raw, { t: 'signal', n, data: 'x'.repeat(150) });
    await until(() => b.raw.frames.some((frame) => frame.t === 'ack' && frame.n === 20));
    const back = await connect(url);
    send(back, { t: 'resume', room: 'replay', token: a.token, n: 0 });
    await until(() => back.frames.length > 0);
    expect(back.frames.map((frame) => frame.t)).toEqual(['error']);
    expect(await back.closed).toBe(4101);
    expect(back.frames[0]!.code).toBe('slot-lost');
    await b.raw.next('peer-left');
  });

  it('a present member that never acknowledges loses its place (slot-lost, 4101); the peer gets peer-left', async () => {
    const url = await start({ maxMessagesPerSecond: 10_000 });
    const a = await joinResumable(url, 'silent');
    const b = await joinResumable(url, 'silent');
    for (let n = 1; n <= 257; n++) send(b.raw, { t: 'signal', n, data: { n } });
    expect((await a.raw.next('error')).code).toBe('slot-lost');
    expect(await a.raw.closed).toBe(4101);
    await b.raw.next('peer-left');
  });

  it('validates resumeGraceMs and heartbeatMs', async () => {
    await expect(createRelayServer({ resumeGraceMs: -1 })).rejects.toThrow(TypeError);
    await expect(createRelayServer({ resumeGraceMs: 2 ** 31 })).rejects.toThrow(/2\*\*31-1/);
    await expect(createRelayServer({ resumeGraceMs: Number.NaN })).rejects.toThrow(/resumeGraceMs/);
    await expect(createRelayServer({ heartbeatMs: 0 })).rejects.toThrow(/heartbeatMs/);
  });

  it('a resume frame with a malformed token or number is refused with bad-frame', async () => {
    const url = await start();
    const raw = await connect(url);
    send(raw, { t: 'resume', room: 'r', token: 'x'.repeat(65), n: 0 });
    expect((await raw.next('error')).code).toBe('bad-frame');
    send(raw, { t: 'resume', room: 'r', token: 'abc', n: -1 });
    expect((await raw.next('error')).code).toBe('bad-frame');
  });
});

async function until(check: () => boolean, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('acknowledgements', () => {
  it('a burst of signals read in one chunk is acknowledged once, with the last number', async () => {
    const url = await start();
    const { raw } = await joinResumable(url, 'burst');
    // One TCP write carrying five frames: the relay reads them in one chunk.
    const tcp = (raw.socket as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
    tcp.cork();
    for (let n = 1; n <= 5; n++) send(raw, { t: 'signal', n, data: { n } });
    tcp.uncork();
    expect(await raw.next('ack')).toMatchObject({ n: 5 });
    // Nothing more comes for that burst: a second ack would have arrived with the first.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(raw.count('ack')).toBe(1);
  });
});
