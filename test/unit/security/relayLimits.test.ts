import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createRelayServer, type RelayServer } from '../../../src/server/createRelayServer.js';
import { ManualClock } from '../../../src/testing/ManualClock.js';

// Security review (docs/security.md): the relay is private by default and bounds how many sockets it holds.

let relay: RelayServer | undefined;
afterEach(async () => {
  await relay?.close();
  relay = undefined;
});

function connect(url: string): Promise<{ socket: WebSocket; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const closed = new Promise<number>((done) => socket.once('close', (code) => done(code)));
    socket.once('open', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

/** Joins `room` and resolves with the relay's answer. */
function join(socket: WebSocket, room: string): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    socket.once('message', (raw) => resolve(JSON.parse(String(raw)) as Record<string, unknown>));
    socket.send(JSON.stringify({ t: 'join', room }));
  });
}

describe('relay server limits', () => {
  it('refuses sockets beyond maxConnections with 1013 once all have joined, and admits again once one leaves', async () => {
    relay = await createRelayServer({ port: 0, maxConnections: 2, pingIntervalMs: 0 });
    const url = `ws://127.0.0.1:${relay.port}`;
    const one = await connect(url);
    const two = await connect(url);
    await join(one.socket, 'a');
    await join(two.socket, 'b');
    const three = await connect(url);
    expect(await three.closed).toBe(1013);
    one.socket.close();
    await one.closed;
    // The server sees the close a moment after the client; retry until the slot is free.
    let four: Awaited<ReturnType<typeof connect>> | undefined;
    for (let attempt = 0; attempt < 50 && !four; attempt++) {
      const candidate = await connect(url);
      const outcome = await Promise.race([
        candidate.closed,
        new Promise((resolve) => setTimeout(resolve, 50, 'open')),
      ]);
      if (outcome === 'open') four = candidate;
    }
    expect(four).toBeDefined();
    two.socket.close();
    four?.socket.close();
  });

  it('when full, a newcomer takes the place of the socket that has waited longest without joining', async () => {
    relay = await createRelayServer({ port: 0, maxConnections: 3, pingIntervalMs: 0 });
    const url = `ws://127.0.0.1:${relay.port}`;
    const joined = await connect(url);
    await join(joined.socket, 'a');
    const idleOld = await connect(url);
    const idleNew = await connect(url);
    const newcomer = await connect(url);
    // The oldest idle socket makes way (1013); the newcomer is in and can join.
    expect(await idleOld.closed).toBe(1013);
    expect(await join(newcomer.socket, 'b')).toMatchObject({ t: 'joined' });
    expect(await join(idleNew.socket, 'c')).toMatchObject({ t: 'joined' });
    // Now every socket has joined: one more is refused, nobody is displaced.
    const refused = await connect(url);
    expect(await refused.closed).toBe(1013);
    for (const socket of [joined, idleNew, newcomer]) expect(socket.socket.readyState).toBe(WebSocket.OPEN);
    for (const socket of [joined, idleNew, newcomer]) socket.socket.close();
  });

  it('members alone in their room past aloneTimeoutMs make way for a legitimate pair; a paired member never does', async () => {
    const clock = new ManualClock();
    relay = await createRelayServer({ port: 0, maxConnections: 4, pingIntervalMs: 0, clock });
    const url = `ws://127.0.0.1:${relay.port}`;
    // The squatting attack: every slot holds a socket that joined a room of its own (one join frame each).
    const squatters = [];
    for (let i = 0; i < 4; i++) {
      const squatter = await connect(url);
      expect(await join(squatter.socket, `squat-${i}`)).toMatchObject({ t: 'joined', peers: 0 });
      squatters.push(squatter);
    }
    // Alone for less than aloneTimeoutMs (default 30 s): a newcomer is refused, nobody is displaced.
    clock.advance(29_999);
    const early = await connect(url);
    expect(await early.closed).toBe(1013);
    clock.advance(1);
    // The legitimate pair gets in: each newcomer takes the place of the member alone longest (1013).
    const alice = await connect(url);
    expect(await squatters[0]!.closed).toBe(1013);
    expect(await join(alice.socket, 'call')).toMatchObject({ t: 'joined', peers: 0 });
    const bob = await connect(url);
    expect(await squatters[1]!.closed).toBe(1013);
    const peerJoined = new Promise((resolve) =>
      alice.socket.once('message', (raw) => resolve(JSON.parse(String(raw)))),
    );
    expect(await join(bob.socket, 'call')).toMatchObject({ t: 'joined', peers: 1 });
    expect(await peerJoined).toEqual({ t: 'peer-joined' });
    // Long after, the pair is still never displaced: newcomers take the two remaining squatters' places, then,
    // with only the pair and two fresh lone members left, one more is refused.
    clock.advance(60_000);
    const third = await connect(url);
    expect(await squatters[2]!.closed).toBe(1013);
    await join(third.socket, 'other-1');
    const fourth = await connect(url);
    expect(await squatters[3]!.closed).toBe(1013);
    await join(fourth.socket, 'other-2');
    const refused = await connect(url);
    expect(await refused.closed).toBe(1013);
    for (const socket of [alice, bob, third, fourth]) expect(socket.socket.readyState).toBe(WebSocket.OPEN);
    // A member whose partner left is alone again from then, and displaceable once aloneTimeoutMs has passed.
    const peerLeft = new Promise((resolve) =>
      alice.socket.once('message', (raw) => resolve(JSON.parse(String(raw)))),
    );
    bob.socket.close();
    expect(await peerLeft).toEqual({ t: 'peer-left' });
    const filler = await connect(url);
    await join(filler.socket, 'other-3');
    clock.advance(30_000);
    // Oldest alone first: third and fourth (alone since before alice), then alice, whose partner left.
    const newcomers = [];
    for (const displaced of [third, fourth, alice]) {
      const newcomer = await connect(url);
      expect(await displaced.closed).toBe(1013);
      await join(newcomer.socket, `late-${newcomers.length}`);
      newcomers.push(newcomer);
    }
    expect(filler.socket.readyState).toBe(WebSocket.OPEN);
    for (const socket of [filler, ...newcomers]) socket.socket.close();
  });

  it('rejects an aloneTimeoutMs of 0 or beyond 2**31-1', async () => {
    await expect(createRelayServer({ aloneTimeoutMs: 0 })).rejects.toThrow(/aloneTimeoutMs/);
    await expect(createRelayServer({ aloneTimeoutMs: 2 ** 31 })).rejects.toThrow(/aloneTimeoutMs/);
  });

  it("binds 127.0.0.1 by default: not reachable on the machine's other addresses", async () => {
    relay = await createRelayServer({ port: 0, pingIntervalMs: 0 });
    const external = Object.values(networkInterfaces())
      .flat()
      .find((address) => address && address.family === 'IPv4' && !address.internal);
    const local = await connect(`ws://127.0.0.1:${relay.port}`);
    local.socket.close();
    if (!external) return; // a machine with loopback only has nothing else to reach it on
    await expect(connect(`ws://${external.address}:${relay.port}`)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('rejects a negative maxConnections', async () => {
    await expect(createRelayServer({ maxConnections: -1 })).rejects.toThrow(TypeError);
  });
});
