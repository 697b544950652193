/** Compile-time tests of the public types of `hangup/testing`, `hangup/react`, `hangup/server` and `hangup/node`. */
import { describe, expectTypeOf, it } from 'vitest';
import type {
  CallSession,
  CallState,
  Clock,
  EndReason,
  EndSummary,
  MuteState,
  RtcRuntime,
} from '../../src/index.js';
import { createNodeMediaRuntime, type NodeMediaRuntime, type WrtcModuleLike } from '../../src/node/index.js';
import type { useCallSession } from '../../src/react/index.js';
import { type ClusterRelayServer, createRelayServer, type RelayServer } from '../../src/server/index.js';
import { assertReleased, type FakeRuntime, type ManualClock } from '../../src/testing/index.js';

describe('hangup/testing', () => {
  it('ManualClock is a Clock and FakeRuntime an RtcRuntime', () => {
    expectTypeOf<ManualClock>().toMatchTypeOf<Clock>();
    expectTypeOf<FakeRuntime>().toMatchTypeOf<RtcRuntime>();
    expectTypeOf<ManualClock['advance']>().parameters.toMatchTypeOf<[ms: number]>();
  });

  it('assertReleased takes a session', () => {
    expectTypeOf<CallSession>().toMatchTypeOf<Parameters<typeof assertReleased>[0]>();
    expectTypeOf(assertReleased).returns.toEqualTypeOf<void>();
  });
});

describe('hangup/react', () => {
  it('useCallSession returns the contract fields', () => {
    type Result = ReturnType<typeof useCallSession>;
    expectTypeOf<Result['session']>().toEqualTypeOf<CallSession | undefined>();
    expectTypeOf<Result['state']>().toEqualTypeOf<CallState>();
    expectTypeOf<Result['localStream']>().toEqualTypeOf<MediaStream | undefined>();
    expectTypeOf<Result['remoteStream']>().toEqualTypeOf<MediaStream | undefined>();
    expectTypeOf<Result['remainingMs']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<Result['endReason']>().toEqualTypeOf<EndReason | undefined>();
    expectTypeOf<Result['end']>().returns.toMatchTypeOf<EndSummary | undefined>();
  });

  it('useCallSession exposes mute and screen-share state (second version)', () => {
    type Result = ReturnType<typeof useCallSession>;
    expectTypeOf<Result['muted']>().toEqualTypeOf<MuteState>();
    expectTypeOf<Result['remoteMuted']>().toEqualTypeOf<MuteState>();
    expectTypeOf<Result['screenSharing']>().toEqualTypeOf<boolean>();
    expectTypeOf<MuteState>().toEqualTypeOf<{ readonly audio: boolean; readonly video: boolean }>();
  });
});

describe('hangup/server', () => {
  it('createRelayServer resolves to a server with a port and close()', () => {
    expectTypeOf(createRelayServer({ port: 0 })).toEqualTypeOf<Promise<RelayServer>>();
    // Cluster mode: finalize goes through Redis, so it resolves later.
    expectTypeOf(createRelayServer({ redis: 'redis://127.0.0.1:6379' })).toEqualTypeOf<
      Promise<ClusterRelayServer>
    >();
    expectTypeOf<ClusterRelayServer['finalize']>().returns.toEqualTypeOf<Promise<boolean>>();
    expectTypeOf<RelayServer['finalize']>().returns.toEqualTypeOf<boolean>();
    expectTypeOf<RelayServer['port']>().toEqualTypeOf<number>();
    expectTypeOf<RelayServer['close']>().toBeFunction();
    // @ts-expect-error port is a number
    void createRelayServer({ port: '8080' });
  });
});

describe('hangup/node', () => {
  it('createNodeMediaRuntime takes the wrtc module and returns an RtcRuntime', () => {
    expectTypeOf(createNodeMediaRuntime).parameter(0).toEqualTypeOf<WrtcModuleLike>();
    expectTypeOf(createNodeMediaRuntime).returns.toEqualTypeOf<NodeMediaRuntime>();
    expectTypeOf<NodeMediaRuntime>().toMatchTypeOf<RtcRuntime>();
    expectTypeOf<NodeMediaRuntime['runningGenerators']>().toEqualTypeOf<number>();
    // @ts-expect-error a frame rate is a number
    void createNodeMediaRuntime({} as WrtcModuleLike, { video: { frameRate: '30' } });
  });
});
