import { act, StrictMode, useState } from 'react';
import { describe, expect, it } from 'vitest';
import type { CallSession, CallSessionOptions } from '../../../src/index.js';
import {
  type CallSessionSource,
  type UseCallSessionResult,
  useCallSession,
} from '../../../src/react/index.js';
import { createFakeMediaStream } from '../../../src/testing/index.js';
import { expectReleased } from '../../helpers/fakeCall.js';
import { advance, advanceUntil, mount, reactCall, renders } from './reactHarness.js';

function Call(props: {
  source: CallSessionSource;
  deps?: unknown[];
  onRender: (result: UseCallSessionResult) => void;
}) {
  const result = useCallSession(props.source, props.deps);
  props.onRender(result);
  return <p>{result.state}</p>;
}

/** Re-renders on demand, with a new options object every time (as inline JSX props would be). */
function Ticker(props: {
  options: CallSessionOptions;
  sessions: Set<CallSession>;
  control: { bump(): void };
}) {
  const [count, setCount] = useState(0);
  props.control.bump = () => setCount((c) => c + 1);
  const { session, state } = useCallSession({ ...props.options });
  if (session) props.sessions.add(session);
  return (
    <p>
      {count} {state}
    </p>
  );
}

const connected =
  (...sessions: (CallSession | undefined)[]) =>
  () =>
    sessions.every((session) => session?.state === 'connected');

/**
 * Mounts `<Call>` under StrictMode (which mounts, discards and mounts again), starts the peer, and returns the
 * one session the hook kept: the test fails here if StrictMode left two.
 */
async function mountStrict(call: ReturnType<typeof reactCall>, source: CallSessionSource) {
  const sessions = new Set<CallSession>();
  const view = await mount(
    <StrictMode>
      <Call
        source={source}
        onRender={(r) => {
          if (r.session) sessions.add(r.session);
        }}
      />
    </StrictMode>,
  );
  void call.peer.start();
  expect(sessions.size).toBe(1);
  const [live] = [...sessions] as [CallSession];
  return { view, live };
}

describe('useCallSession', () => {
  it('under StrictMode builds exactly one session: the discarded mount never creates, acquires or signals', async () => {
    const call = reactCall();
    const seen = renders();
    const view = await mount(
      <StrictMode>
        <Call source={call.factory} onRender={(r) => seen.all.push(r)} />
      </StrictMode>,
    );
    void call.peer.start();
    expect(call.created).toHaveLength(1);
    const [live] = call.created as [CallSession];
    expect(seen.last.session).toBe(live);

    await advanceUntil(call.clock, connected(live, call.peer));
    expect(live.state).toBe('connected');
    expect(call.peer.state).toBe('connected');
    // One media request per session: nothing else touched the camera.
    expect(call.runtime.mediaRequests).toHaveLength(2);
    const ownTracks = [
      ...(live.localStream?.getTracks() ?? []),
      ...(call.peer.localStream?.getTracks() ?? []),
    ];
    expect(call.runtime.liveTracks().every((track) => ownTracks.includes(track as never))).toBe(true);
    expect(call.runtime.openPeerConnections()).toHaveLength(2);
    expect(seen.last.state).toBe('connected');

    await view.unmount();
    expect(live.endReason).toBe('disposed');
    await advanceUntil(call.clock, () => call.peer.state === 'ended');
    expect(call.peer.endReason).toBe('remote-hangup');
    expectReleased(live, call.peer);
    expect(call.runtime.liveTracks()).toEqual([]);
  });

  it('under StrictMode a stream handed in through the options is owned by the one session and stopped at unmount', async () => {
    const call = reactCall();
    const stream = createFakeMediaStream();
    const { view, live } = await mountStrict(call, { ...call.hookOptions, media: stream });
    await advanceUntil(call.clock, connected(live, call.peer));
    // The discarded mount did not stop the camera the live session uses.
    expect(stream.getTracks().map((track) => track.readyState)).toEqual(['live', 'live']);
    await view.unmount();
    expect(stream.getTracks().map((track) => track.readyState)).toEqual(['ended', 'ended']);
    await advanceUntil(call.clock, () => call.peer.state === 'ended');
    expectReleased(live, call.peer);
  });

  it('under StrictMode with the options form builds one started session and disposes the other', async () => {
    const call = reactCall();
    const { view, live } = await mountStrict(call, call.hookOptions);
    await advanceUntil(call.clock, connected(live, call.peer));
    expect(live.state).toBe('connected');
    expect(call.runtime.mediaRequests).toHaveLength(2);
    expect(call.runtime.peerConnections).toHaveLength(2);
    await view.unmount();
    await advanceUntil(call.clock, () => call.peer.state === 'ended');
    expectReleased(live, call.peer);
    expect(call.runtime.liveTracks()).toEqual([]);
  });

  it('unmount ends the call with "disposed" and releases everything before unmount returns', async () => {
    const call = reactCall();
    const seen = renders();
    const view = await mount(<Call source={call.factory} onRender={(r) => seen.all.push(r)} />);
    void call.peer.start();
    const session = seen.last.session as CallSession;
    await advanceUntil(call.clock, connected(session, call.peer));
    expect(session.state).toBe('connected');
    const tracks = session.localStream?.getTracks() ?? [];
    expect(tracks).toHaveLength(2);

    await view.unmount();
    expect(session.endReason).toBe('disposed');
    expectReleased(session);
    expect(tracks.every((track) => track.readyState === 'ended')).toBe(true);
    await advanceUntil(call.clock, () => call.peer.state === 'ended');
    expect(call.peer.endReason).toBe('remote-hangup');
    expectReleased(call.peer);
    expect(call.runtime.liveTracks()).toEqual([]);
    expect(call.runtime.openPeerConnections()).toEqual([]);
  });

  it('unmount while the camera permission is pending: the tracks that arrive later are stopped', async () => {
    const call = reactCall();
    call.runtime.holdMedia();
    const seen = renders();
    const view = await mount(<Call source={call.factory} onRender={(r) => seen.all.push(r)} />);
    await act(async () => {});
    const session = seen.last.session as CallSession;
    expect(session.state).toBe('starting');
    expect(call.runtime.pendingMedia).toHaveLength(1);
    await view.unmount();
    expect(session.endReason).toBe('disposed');
    expectReleased(session);
    const late = call.runtime.pendingMedia[0]?.resolve();
    await advance(call.clock, 1);
    expect(late?.getTracks().every((track) => track.readyState === 'ended')).toBe(true);
    expect(call.runtime.liveTracks()).toEqual([]);
  });

  it('state, streams, elapsedMs and remainingMs follow the session, and the end clears the streams', async () => {
    const call = reactCall({ maxDurationMs: 10_000, tickMs: 1_000, expiryWarningMs: 0 });
    const seen = renders();
    const view = await mount(<Call source={call.factory} onRender={(r) => seen.all.push(r)} />);
    expect(seen.all[0]?.state).toBe('idle');
    expect(seen.all[0]?.session).toBeUndefined();
    void call.peer.start();
    const session = seen.last.session as CallSession;
    await advanceUntil(call.clock, connected(session, call.peer));
    const states = seen.all.map((r) => r.state).filter((s, i, all) => s !== all[i - 1]);
    // React batches what happens within one task, so 'starting' may be rendered or skipped; the order holds.
    expect([
      ['idle', 'starting', 'connecting', 'connected'],
      ['idle', 'connecting', 'connected'],
    ]).toContainEqual(states);
    expect(seen.last.localStream).toBe(session.localStream);
    expect(seen.last.localStream).toBeDefined();
    expect(seen.last.remoteStream).toBe(session.remoteStream);
    expect(seen.last.remoteStream).toBeDefined();
    expect(seen.last.remainingMs).toBe(10_000);

    await advance(call.clock, 3_000);
    expect(seen.last.remainingMs).toBe(7_000);
    expect(seen.last.elapsedMs).toBe(3_000);

    await advance(call.clock, 7_000);
    expect(seen.last.state).toBe('ended');
    expect(seen.last.endReason).toBe('expired');
    expect(seen.last.remainingMs).toBe(0);
    expect(seen.last.localStream).toBeUndefined();
    expect(seen.last.remoteStream).toBeUndefined();
    await advanceUntil(call.clock, () => call.peer.state === 'ended');
    expectReleased(session, call.peer);
    await view.unmount();
    expect(session.endReason).toBe('expired');
  });

  it('end() hangs up with "hangup"', async () => {
    const call = reactCall();
    const seen = renders();
    const view = await mount(<Call source={call.factory} onRender={(r) => seen.all.push(r)} />);
    void call.peer.start();
    const session = seen.last.session as CallSession;
    await advanceUntil(call.clock, connected(session, call.peer));
    let summary: ReturnType<UseCallSessionResult['end']>;
    await act(async () => {
      summary = seen.last.end();
    });
    expect(summary?.reason).toBe('hangup');
    expect(seen.last.state).toBe('ended');
    expect(seen.last.endReason).toBe('hangup');
    expectReleased(session);
    await advanceUntil(call.clock, () => call.peer.state === 'ended');
    expect(call.peer.endReason).toBe('remote-hangup');
    expectReleased(call.peer);
    await view.unmount();
  });

  it('a component that re-renders often (with fresh inline options each time) keeps its one call', async () => {
    const call = reactCall();
    const sessions = new Set<CallSession>();
    const ticker = { bump: (): void => {} };
    const view = await mount(<Ticker options={call.hookOptions} sessions={sessions} control={ticker} />);
    void call.peer.start();
    const [session] = [...sessions] as [CallSession];
    await advanceUntil(call.clock, connected(session, call.peer));
    for (let i = 0; i < 50; i++) {
      await act(async () => ticker.bump());
    }
    expect(sessions.size).toBe(1);
    expect(session.state).toBe('connected');
    expect(call.runtime.mediaRequests).toHaveLength(2);
    expect(call.runtime.peerConnections).toHaveLength(2);
    await view.unmount();
    await advanceUntil(call.clock, () => call.peer.state === 'ended');
    expectReleased(session, call.peer);
  });

  it('a change in deps disposes the current session and starts a new one', async () => {
    const call = reactCall();
    call.runtime.holdMedia();
    const seen = renders();
    const view = await mount(
      <Call source={call.factory} deps={['room-1']} onRender={(r) => seen.all.push(r)} />,
    );
    const first = seen.last.session as CallSession;
    await act(async () => {});
    expect(first.state).toBe('starting');
    await view.render(<Call source={call.factory} deps={['room-1']} onRender={(r) => seen.all.push(r)} />);
    expect(call.created).toHaveLength(1);

    await view.render(<Call source={call.factory} deps={['room-2']} onRender={(r) => seen.all.push(r)} />);
    expect(call.created).toHaveLength(2);
    expect(first.endReason).toBe('disposed');
    expectReleased(first);
    const second = seen.last.session as CallSession;
    expect(second).toBe(call.created[1]);
    await act(async () => {});
    expect(second.state).toBe('starting');
    expect(call.runtime.pendingMedia).toHaveLength(2);
    await view.unmount();
    expect(second.endReason).toBe('disposed');
    expectReleased(second);
    // Both permissions are granted only now: whatever arrives is stopped at once.
    for (const request of [...call.runtime.pendingMedia]) request.resolve();
    await advance(call.clock, 1);
    expect(call.runtime.tracks).toHaveLength(4);
    expect(call.runtime.liveTracks()).toEqual([]);
  });
});

describe('useCallSession: second version', () => {
  it('exposes muted, remoteMuted and screenSharing, re-rendering when they change', async () => {
    const call = reactCall();
    const seen = renders();
    const view = await mount(<Call source={call.hookOptions} onRender={(r) => seen.all.push(r)} />);
    void call.peer.start();
    await advanceUntil(call.clock, () => seen.last.state === 'connected' && call.peer.state === 'connected');
    expect(seen.last.muted).toEqual({ audio: false, video: false });
    expect(seen.last.screenSharing).toBe(false);

    await act(async () => seen.last.session?.setMuted('audio', true));
    expect(seen.last.muted).toEqual({ audio: true, video: false });
    await act(async () => call.peer.setMuted('video', true));
    await advanceUntil(call.clock, () => seen.last.remoteMuted.video);
    expect(seen.last.remoteMuted).toEqual({ audio: false, video: true });
    await act(async () => seen.last.session?.startScreenShare());
    expect(seen.last.screenSharing).toBe(true);

    const live = seen.last.session!;
    await view.unmount();
    await advanceUntil(call.clock, () => call.peer.state === 'ended');
    expectReleased(live, call.peer);
  });

  it('under StrictMode the function form creates one adapter, for the one session, and closes it at unmount', async () => {
    const call = reactCall();
    const made: string[] = [];
    const options: CallSessionOptions = {
      ...call.hookOptions,
      signaling: () => {
        made.push('created');
        return {
          send: (message) => call.pair.a.send(message),
          subscribe: (listener) => call.pair.a.subscribe(listener),
          close: () => void made.push('closed'),
        };
      },
    };
    const seen = renders();
    const view = await mount(
      <StrictMode>
        <Call source={options} onRender={(r) => seen.all.push(r)} />
      </StrictMode>,
    );
    void call.peer.start();
    await advanceUntil(call.clock, () => seen.last.state === 'connected');
    expect(made).toEqual(['created']);
    const live = seen.last.session!;
    await view.unmount();
    expect(made).toEqual(['created', 'closed']);
    await advanceUntil(call.clock, () => call.peer.state === 'ended');
    expect(call.peer.endReason).toBe('remote-hangup');
    expectReleased(live, call.peer);
  });
});
