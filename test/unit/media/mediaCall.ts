import { expect } from 'vitest';
import {
  CallSession,
  type CallSessionOptions,
  createInMemorySignalingPair,
  type SignalingAdapter,
} from '../../../src/index.js';
import {
  type FakeRTCPeerConnection,
  FakeRuntime,
  type FakeRuntimeOptions,
  ManualClock,
} from '../../../src/testing/index.js';
import { expectReleased, type FakeCall } from '../../helpers/fakeCall.js';

/** A signaling adapter that silently drops outbound messages of the types in `drop` (lossy signaling). */
export function lossy(inner: SignalingAdapter): { adapter: SignalingAdapter; drop: Set<string> } {
  const drop = new Set<string>();
  return {
    drop,
    adapter: {
      send: (message) => (drop.has(message.type) ? undefined : inner.send(message)),
      subscribe: (listener) => inner.subscribe(listener),
    },
  };
}

/** Like `fakeCall`, but each side's outbound signaling can drop message types (`dropA`, `dropB`). */
export function lossyCall(
  options: Partial<CallSessionOptions> = {},
  runtimeOptions: FakeRuntimeOptions = {},
): FakeCall & { dropA: Set<string>; dropB: Set<string> } {
  const clock = new ManualClock();
  const runtime = new FakeRuntime(runtimeOptions);
  const pair = createInMemorySignalingPair({ clock });
  const sideA = lossy(pair.a);
  const sideB = lossy(pair.b);
  const common = { runtime, clock, endOnPageHide: false, ...options };
  const a = new CallSession({ signaling: sideA.adapter, polite: true, ...common });
  const b = new CallSession({ signaling: sideB.adapter, polite: false, ...common });
  // `sent` is not recorded here (the lossy wrappers sit where fakeCall records).
  return { clock, runtime, pair, a, b, sent: { a: [], b: [] }, dropA: sideA.drop, dropB: sideB.drop };
}

/** The fake peer connection of a session: the one whose senders carry one of its local tracks. */
export function pcOf(call: Pick<FakeCall, 'runtime'>, session: CallSession): FakeRTCPeerConnection {
  const tracks = session.localStream?.getTracks() ?? [];
  const pc = call.runtime.peerConnections.find((candidate) =>
    candidate.getSenders().some((sender) => sender.track !== null && tracks.includes(sender.track)),
  );
  if (!pc) throw new Error('no peer connection carries this session’s tracks');
  return pc;
}

/** The track a peer connection sends for `kind`. */
export function sentTrack(
  pc: FakeRTCPeerConnection,
  kind: 'audio' | 'video',
): MediaStreamTrack | null | undefined {
  return pc.getTransceivers().find((t) => (t.sender.track?.kind ?? t.receiver.track.kind) === kind)?.sender
    .track;
}

/**
 * Hangs up on A, lets the bye reach B, and checks that both sessions let go of everything and that no track
 * the fake runtime handed out is still live: the end of most media tests.
 */
export async function hangUpAndExpectReleased(call: FakeCall): Promise<void> {
  call.a.end();
  await call.clock.advanceAsync(10);
  expect(call.runtime.liveTracks()).toEqual([]);
  expectReleased(call.a, call.b);
}
