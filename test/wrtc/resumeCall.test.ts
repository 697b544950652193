import { afterEach, describe, expect, it } from 'vitest';
import { createRelayServer, type RelayServer } from '../../src/server/index.js';
import { mulberry32 as seeded } from '../../src/util/mulberry32.js';
import { type ResumableSide, resumableSide, until } from '../helpers/resumableCall.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcpProxy.js';
import { expectSideReleased } from '../helpers/wrtcCall.js';

// Real @roamhq/wrtc calls whose signaling sockets are cut by a loopback TCP proxy (RST) at seeded random moments,
// during negotiation and mid-call. The call connects (or stays connected), and every signaling message arrives
// exactly once, in order: what one session sent is exactly what the other's adapter delivered.

let relay: RelayServer | undefined;
let proxies: TcpProxy[] = [];
let sides: ResumableSide[] = [];
let timers: ReturnType<typeof setTimeout>[] = [];

afterEach(async () => {
  for (const timer of timers) clearTimeout(timer);
  timers = [];
  for (const side of sides) {
    side.session.teardown('disposed');
    side.signaling.close();
  }
  sides = [];
  await Promise.all(proxies.map((proxy) => proxy.close()));
  proxies = [];
  await relay?.close();
  relay = undefined;
});

async function setUp(room: string) {
  relay = await createRelayServer({ port: 0, pingIntervalMs: 0 });
  const pa = await startTcpProxy(relay.port);
  const pb = await startTcpProxy(relay.port);
  proxies.push(pa, pb);
  const a = resumableSide(`ws://127.0.0.1:${pa.port}`, room, true);
  const b = resumableSide(`ws://127.0.0.1:${pb.port}`, room, false);
  sides.push(a, b);
  return { a, b, pa, pb };
}

/** Cuts one of the proxies at random moments (seeded) until stopped; returns how many sockets it cut. */
function cutRandomly(random: () => number, targets: TcpProxy[], meanMs: number): { stop(): number } {
  let cuts = 0;
  let pending: ReturnType<typeof setTimeout> | undefined;
  const schedule = (): void => {
    pending = setTimeout(
      () => {
        cuts += targets[Math.floor(random() * targets.length)]!.cut();
        schedule();
      },
      Math.floor(random() * 2 * meanMs),
    );
    timers.push(pending);
  };
  schedule();
  return {
    stop() {
      clearTimeout(pending);
      return cuts;
    },
  };
}

async function expectExactlyOnce(from: ResumableSide, to: ResumableSide): Promise<void> {
  // A duplicate would trail the expected messages: give it time to show up.
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(to.received).toEqual(from.sent);
}

describe('real calls over resumable signaling', () => {
  it.each([1, 2, 3])(
    'socket cuts during negotiation (seed %i): the call connects, nothing lost or duplicated',
    async (seed) => {
      const { a, b, pa, pb } = await setUp(`negotiation-${seed}`);
      await Promise.all([a.signaling.ready, b.signaling.ready]);
      const cutter = cutRandomly(seeded(seed), [pa, pb], 20);
      await Promise.all([a.session.start(), b.session.start()]);
      const cuts = cutter.stop();
      expect([a.session.state, b.session.state]).toEqual(['connected', 'connected']);
      a.session.end();
      expect((await b.session.ended).reason).toBe('remote-hangup');
      // Messages may still be on their way after an interruption near the end: wait for both directions.
      await until(
        () => b.received.length >= a.sent.length && a.received.length >= b.sent.length,
        'every message in both directions',
      );
      expectExactlyOnce(a, b);
      expectExactlyOnce(b, a);
      expect(cuts).toBeGreaterThan(0);
      expect([...a.control, ...b.control]).not.toContain('peer-left');
      expect(a.errors).toEqual([]);
      expect(b.errors).toEqual([]);
      expectSideReleased(a);
      expectSideReleased(b);
    },
  );

  it('socket cuts mid-call: the call stays connected; a mute and an ICE restart after the resume work', async () => {
    const { a, b, pa, pb } = await setUp('mid-call');
    await Promise.all([a.session.start(), b.session.start()]);
    const cutter = cutRandomly(seeded(7), [pa, pb], 60);
    await new Promise((resolve) => setTimeout(resolve, 600));
    const cuts = cutter.stop();
    expect(cuts).toBeGreaterThan(0);
    await until(
      () =>
        [a, b].every(
          (side) =>
            side.control.filter((t) => t === 'interrupted').length ===
            side.control.filter((t) => t === 'resumed').length,
        ),
      'every interruption resumed',
    );
    expect([a.session.state, b.session.state]).toEqual(['connected', 'connected']);
    // After the resume, signaling works again: a mute reaches the peer...
    a.session.setMuted('audio', true);
    await until(() => b.remoteMutes.length === 1, 'remoteMute on b');
    expect(b.remoteMutes).toEqual([{ kind: 'audio', muted: true }]);
    // ...and so does an ICE restart (new credentials negotiated over signaling).
    const pc = a.pcs[0]!;
    const before = pc.localDescription?.sdp.match(/a=ice-ufrag:(\S+)/)?.[1];
    pc.restartIce();
    await until(() => {
      const now = pc.localDescription?.sdp.match(/a=ice-ufrag:(\S+)/)?.[1];
      return now !== undefined && now !== before && pc.signalingState === 'stable';
    }, 'the ICE restart negotiated');
    await until(() => a.session.state === 'connected' && b.session.state === 'connected', 'connected again');
    b.session.end();
    expect((await a.session.ended).reason).toBe('remote-hangup');
    await until(
      () => b.received.length >= a.sent.length && a.received.length >= b.sent.length,
      'every message in both directions',
    );
    await expectExactlyOnce(a, b);
    await expectExactlyOnce(b, a);
    expect([...a.control, ...b.control]).not.toContain('peer-left');
    a.pcs.length = 0;
    b.pcs.length = 0;
    expectSideReleased(a);
    expectSideReleased(b);
  });
});
