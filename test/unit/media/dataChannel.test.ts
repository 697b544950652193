import { describe, expect, it } from 'vitest';
import { isCallEndedError, isHangupError } from '../../../src/index.js';
import { PEER_CLOSE_GRACE_MS } from '../../../src/session/sessionHosts.js';
import { connect, expectReleased, fakeCall, record } from '../../helpers/fakeCall.js';
import { hangUpAndExpectReleased, lossyCall } from './mediaCall.js';

describe('session data channel', () => {
  it('carries strings and ArrayBuffers both ways', async () => {
    const call = fakeCall();
    const atA: unknown[] = [];
    const atB: unknown[] = [];
    call.a.on('message', (data) => atA.push(data));
    call.b.on('message', (data) => atB.push(data));
    await connect(call);
    await call.clock.advanceAsync(1);

    call.a.send('hello');
    call.b.send(new Uint8Array([1, 2, 3]).buffer);
    await call.clock.advanceAsync(1);

    expect(atB).toEqual(['hello']);
    expect(atA).toHaveLength(1);
    expect([...new Uint8Array(atA[0] as ArrayBuffer)]).toEqual([1, 2, 3]);
    await hangUpAndExpectReleased(call);
  });

  it('queues before open, in order, and refuses past the bound with DATA_CHANNEL', async () => {
    const call = fakeCall();
    const atB: unknown[] = [];
    call.b.on('message', (data) => atB.push(data));
    for (let i = 0; i < 256; i++) call.a.send(`m${i}`);
    let overflow: unknown;
    try {
      call.a.send('one too many');
    } catch (error) {
      overflow = error;
    }
    expect(isHangupError(overflow) && overflow.code).toBe('DATA_CHANNEL');
    expect(() => call.b.send('x'.repeat(1024 * 1024 + 1))).toThrow(/queue is full/);
    expect(() => call.a.send(42 as unknown as string)).toThrow(TypeError);

    await connect(call);
    await call.clock.advanceAsync(1);
    expect(atB).toHaveLength(256);
    expect(atB[0]).toBe('m0');
    expect(atB[255]).toBe('m255');
    await hangUpAndExpectReleased(call);
  });

  it('throws CallEndedError after the end and closes its channels (handlers first) at teardown', async () => {
    const call = fakeCall();
    await connect(call);
    await call.clock.advanceAsync(1);
    const channels = call.runtime.peerConnections.flatMap((pc) => pc.dataChannels);
    expect(channels).toHaveLength(4);
    expect(channels.every((c) => c.readyState === 'open')).toBe(true);

    call.a.end();
    await call.clock.advanceAsync(10);

    expect(channels.every((c) => c.readyState === 'closed')).toBe(true);
    expect(channels.every((c) => c.onmessage === null && c.onclose === null && c.onopen === null)).toBe(true);
    let error: unknown;
    try {
      call.a.send('late');
    } catch (e) {
      error = e;
    }
    expect(isCallEndedError(error)).toBe(true);
    expectReleased(call.a, call.b);
  });

  it('delivers the bye over the channel when signaling drops it', async () => {
    const call = lossyCall();
    const logB = record(call.b);
    await connect(call);
    await call.clock.advanceAsync(1);
    call.dropA.add('bye');

    call.a.end();
    await call.clock.advanceAsync(0);

    expect(call.b.endReason).toBe('remote-hangup');
    expect(logB.events.filter((e) => e.startsWith('ended'))).toEqual(['ended:remote-hangup']);
    expectReleased(call.a, call.b);
  });

  it('treats the second copy of a bye (channel + signaling) as a no-op', async () => {
    const call = fakeCall();
    const logB = record(call.b);
    await connect(call);
    await call.clock.advanceAsync(1);
    call.a.end();
    await call.clock.advanceAsync(10);
    expect(call.b.endReason).toBe('remote-hangup');
    expect(logB.events.filter((e) => e.startsWith('ended') || e.startsWith('error'))).toEqual([
      'ended:remote-hangup',
    ]);
    expectReleased(call.a, call.b);
  });

  it("ends a connected call with 'peer-left' within PEER_CLOSE_GRACE_MS when the channel closes without a bye", async () => {
    const call = lossyCall();
    await connect(call);
    await call.clock.advanceAsync(1);
    const control = call.runtime.peerConnections
      .flatMap((pc) => pc.dataChannels)
      .find((c) => c.label === 'hangup-control');
    // Whichever side that channel is on, its peer end closing is the peer leaving.
    const sessionOfPeer = control!.peer!;
    sessionOfPeer.simulateRemoteClose();
    // A bye still in flight gets a moment to arrive; none comes here.
    expect([call.a.state, call.b.state]).toEqual(['connected', 'connected']);
    call.clock.advance(PEER_CLOSE_GRACE_MS);
    const ended = [call.a, call.b].filter((s) => s.state === 'ended');
    expect(ended).toHaveLength(1);
    expect(ended[0]!.endReason).toBe('peer-left');
    const other = [call.a, call.b].find((s) => s.state !== 'ended')!;
    other.end();
    await call.clock.advanceAsync(10);
    expectReleased(call.a, call.b);
  });

  it('a bye that arrives within the grace after the channel closed still ends the call as remote-hangup', async () => {
    const call = fakeCall();
    await connect(call);
    await call.clock.advanceAsync(1);
    const control = call.runtime.peerConnections
      .flatMap((pc) => pc.dataChannels)
      .find((c) => c.label === 'hangup-control');
    control!.peer!.simulateRemoteClose();
    const closedSide = [call.a, call.b].find((s) => s.liveResources().timers > 0 && s.state === 'connected');
    expect(closedSide).toBeDefined();
    const otherAdapter = closedSide === call.a ? call.pair.b : call.pair.a;
    await otherAdapter.send({ type: 'bye', reason: 'hangup' });
    await call.clock.advanceAsync(PEER_CLOSE_GRACE_MS - 1);
    expect(closedSide!.endReason).toBe('remote-hangup');
    for (const s of [call.a, call.b]) s.end();
    expectReleased(call.a, call.b);
  });

  it('reports garbage on the control channel as an error and keeps the call', async () => {
    const call = fakeCall();
    const logB = record(call.b);
    await connect(call);
    await call.clock.advanceAsync(1);
    const pcA = call.runtime.peerConnections.find((pc) => pc.dataChannels[0]!.peer)!;
    pcA.dataChannels[0]!.send('{not json');
    pcA.dataChannels[0]!.send(JSON.stringify({ type: 'bye', reason: 'nonsense' }));
    await call.clock.advanceAsync(1);
    expect(logB.events.filter((e) => e.startsWith('error'))).toEqual([
      'error:INVALID_SIGNAL',
      'error:INVALID_SIGNAL',
    ]);
    expect(call.a.state).toBe('connected');
    expect(call.b.state).toBe('connected');
    await hangUpAndExpectReleased(call);
  });

  it('creates no channel with dataChannel: false, and send() says so', async () => {
    const call = fakeCall({ dataChannel: false });
    await connect(call);
    expect(call.runtime.peerConnections.flatMap((pc) => pc.dataChannels)).toEqual([]);
    expect(() => call.a.send('x')).toThrow(/disabled/);
    await hangUpAndExpectReleased(call);
  });
});

describe('the control channel accepts bye and mute only', () => {
  it('a description or candidate arriving on it is an INVALID_SIGNAL error and is not applied', async () => {
    const call = fakeCall();
    const logB = record(call.b);
    await connect(call);
    await call.clock.advanceAsync(1);
    const pcA = call.runtime.peerConnections.find((pc) => pc.dataChannels[0]?.peer)!;
    const pcB = call.runtime.peerConnections.find((pc) => pc !== pcA)!;
    const before = pcB.remoteDescriptions.length;
    pcA.dataChannels[0]!.send(
      JSON.stringify({ type: 'description', description: { type: 'offer', sdp: 'v=0\r\n' } }),
    );
    pcA.dataChannels[0]!.send(JSON.stringify({ type: 'candidate', candidate: null }));
    await call.clock.advanceAsync(1);
    expect(logB.events.filter((e) => e.startsWith('error'))).toEqual([
      'error:INVALID_SIGNAL',
      'error:INVALID_SIGNAL',
    ]);
    expect(pcB.remoteDescriptions.length).toBe(before);
    expect(call.b.state).toBe('connected');
    call.a.end();
    await call.clock.advanceAsync(1);
    expectReleased(call.a, call.b);
  });
});
