import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { type ClusterRelayServer, createRelayServer } from '../../src/server/index.js';
import { describeRedis, startRedis, type TestRedis } from '../helpers/redisServer.js';
import { type RelayNode, startRelayNode } from '../helpers/relayNode.js';
import { type ResumableSide, resumableSide, until } from '../helpers/resumableCall.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcpProxy.js';
import { expectSideReleased } from '../helpers/wrtcCall.js';

// Real @roamhq/wrtc calls through a cluster of relay processes (child processes) sharing a real redis-server.
// A loopback TCP proxy per side plays the load balancer: it can be pointed at another process.

let redis: TestRedis;
let prefixCounter = 0;
const cleanups: (() => unknown)[] = [];
let sides: ResumableSide[] = [];

describeRedis('real calls through a relay cluster', () => {
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    for (const side of sides) {
      side.session.teardown('disposed');
      side.signaling.close();
      side.pcs.length = 0;
    }
    sides = [];
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function cluster(count: number, extra: Record<string, unknown> = {}) {
    const options = {
      redis: redis.url,
      redisKeyPrefix: `w${++prefixCounter}:`,
      heartbeatMs: 500,
      pingIntervalMs: 0,
      ...extra,
    };
    const processes: RelayNode[] = await Promise.all(
      Array.from({ length: count }, () => startRelayNode(options)),
    );
    for (const relay of processes) cleanups.push(() => relay.kill());
    // An in-process member of the same cluster, for operator calls (finalize).
    const operator = (await createRelayServer(options as never)) as ClusterRelayServer;
    cleanups.push(() => operator.close());
    return { processes, operator };
  }

  async function balancer(port: number): Promise<TcpProxy> {
    const proxy = await startTcpProxy(port);
    cleanups.push(() => proxy.close());
    return proxy;
  }

  function call(urlA: string, urlB: string, room: string, extra = {}) {
    const a = resumableSide(urlA, room, true, extra);
    const b = resumableSide(urlB, room, false, extra);
    sides.push(a, b);
    return { a, b };
  }

  async function expectExactlyOnce(a: ResumableSide, b: ResumableSide): Promise<void> {
    await until(
      () => b.received.length >= a.sent.length && a.received.length >= b.sent.length,
      'every message in both directions',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(b.received).toEqual(a.sent);
    expect(a.received).toEqual(b.sent);
  }

  const url = (port: number) => `ws://127.0.0.1:${port}`;

  it('members on different relay processes: the call connects and hangs up', async () => {
    const { processes } = await cluster(2);
    const { a, b } = call(url(processes[0]!.port), url(processes[1]!.port), 'split');
    await Promise.all([a.session.start(), b.session.start()]);
    a.session.end();
    expect((await b.session.ended).reason).toBe('remote-hangup');
    await expectExactlyOnce(a, b);
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
    expectSideReleased(a);
    expectSideReleased(b);
  });

  it('a relay process SIGKILLed mid-call: its member resumes on another, the call stays connected, mute and ICE restart work', async () => {
    const { processes } = await cluster(2);
    const [one, two] = processes as [RelayNode, RelayNode];
    const lbA = await balancer(one.port);
    const { a, b } = call(url(lbA.port), url(two.port), 'killed');
    await Promise.all([a.session.start(), b.session.start()]);
    lbA.retarget(two.port);
    await one.kill();
    await until(() => a.control.includes('resumed'), 'a resumed on the surviving process');
    expect(a.control).toEqual(['interrupted', 'resumed']);
    expect(b.control).toEqual([]);
    expect([a.session.state, b.session.state]).toEqual(['connected', 'connected']);
    a.session.setMuted('video', true);
    await until(() => b.remoteMutes.length === 1, 'remoteMute on b');
    expect(b.remoteMutes).toEqual([{ kind: 'video', muted: true }]);
    const pc = a.pcs[0]!;
    const before = /a=ice-ufrag:(\S+)/.exec(pc.localDescription?.sdp ?? '')?.[1];
    pc.restartIce();
    await until(() => {
      const now = /a=ice-ufrag:(\S+)/.exec(pc.localDescription?.sdp ?? '')?.[1];
      return now !== before && pc.signalingState === 'stable';
    }, 'the ICE restart negotiated through the surviving process');
    await until(() => a.session.state === 'connected' && b.session.state === 'connected', 'connected');
    b.session.end();
    expect((await a.session.ended).reason).toBe('remote-hangup');
    await expectExactlyOnce(a, b);
    expectSideReleased(a);
    expectSideReleased(b);
  });

  it('a third caller on a third process is refused (room-full) and ends signaling-closed; the call goes on', async () => {
    const { processes } = await cluster(3);
    const { a, b } = call(url(processes[0]!.port), url(processes[1]!.port), 'full');
    await Promise.all([a.session.start(), b.session.start()]);
    const intruder = resumableSide(url(processes[2]!.port), 'full', true);
    sides.push(intruder);
    await expect(intruder.session.start()).rejects.toMatchObject({ reason: 'signaling-closed' });
    expect(String((await intruder.session.ended).error)).toMatch(/room-full/);
    expect([a.session.state, b.session.state]).toEqual(['connected', 'connected']);
    expectSideReleased(intruder);
    a.session.end();
    expect((await b.session.ended).reason).toBe('remote-hangup');
    expectSideReleased(a);
    expectSideReleased(b);
  });

  it('finalize from another process ends both sides with finalized', async () => {
    const { processes, operator } = await cluster(2);
    const { a, b } = call(url(processes[0]!.port), url(processes[1]!.port), 'finalize');
    await Promise.all([a.session.start(), b.session.start()]);
    expect(await operator.finalize('finalize', { reason: 'billing' })).toBe(true);
    expect((await a.session.ended).reason).toBe('finalized');
    expect((await b.session.ended).reason).toBe('finalized');
    expectSideReleased(a);
    expectSideReleased(b);
  });

  it('the call limit holds across processes: both sides end finalized', async () => {
    const { processes } = await cluster(2, { maxDurationMs: 2_000 });
    const { a, b } = call(url(processes[0]!.port), url(processes[1]!.port), 'limit');
    await Promise.all([a.session.start(), b.session.start()]);
    expect((await a.session.ended).reason).toBe('finalized');
    expect((await b.session.ended).reason).toBe('finalized');
    expectSideReleased(a);
    expectSideReleased(b);
  });

  it('Redis restarting mid-call (state lost): signaling ends, the connected call stays up and still hangs up over its data channel', async () => {
    const { processes } = await cluster(2, { resumeGraceMs: 1_500 });
    const { a, b } = call(url(processes[0]!.port), url(processes[1]!.port), 'redis-restart');
    await Promise.all([a.session.start(), b.session.start()]);
    await redis.restart();
    await until(
      () => a.control.includes('closed') && b.control.includes('closed'),
      'signaling closed',
      15_000,
    );
    expect([a.session.state, b.session.state]).toEqual(['connected', 'connected']);
    a.session.end();
    expect((await b.session.ended).reason).toBe('remote-hangup');
    expectSideReleased(a);
    expectSideReleased(b);
  });
});
