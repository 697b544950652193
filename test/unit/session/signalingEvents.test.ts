import { describe, expect, it } from 'vitest';
import { settle } from '../../../src/testing/index.js';
import { driveTo, expectReleased, remoteSdp, solo } from '../../helpers/fakeCall.js';

describe('callId', () => {
  it('a message of another call is dropped silently: no error event, no state change', async () => {
    const s = solo({ callId: 'call-1' });
    await driveTo(s, 'connected');
    const before = [...s.log.events];
    s.signaling.message({ type: 'bye', reason: 'hangup', callId: 'call-2' });
    s.signaling.message({ type: 'mute', kind: 'audio', muted: true, callId: 'call-2' });
    s.signaling.message({ type: 'description', description: remoteSdp('offer'), callId: 'call-2' });
    await settle();
    expect(s.session.state).toBe('connected');
    expect(s.log.events).toEqual(before);
    // Only the answer that driveTo delivered: the foreign offer was never applied.
    expect(s.pc().remoteDescriptions.map((d) => d.type)).toEqual(['answer']);
    s.session.end();
    expectReleased(s.session);
  });

  it.each([
    ['matching', { callId: 'call-1' }],
    ['absent', {}],
  ])('a message with a %s callId is accepted', async (_name, extra) => {
    const s = solo({ callId: 'call-1' });
    await driveTo(s, 'connected');
    s.signaling.message({ type: 'mute', kind: 'video', muted: true, ...extra });
    expect(s.log.events.at(-1)).toBe('remoteMute:video:true');
    s.signaling.message({ type: 'bye', reason: 'hangup', ...extra });
    expect(s.session.endReason).toBe('remote-hangup');
    expectReleased(s.session);
  });

  it('a session without a callId accepts messages carrying any callId', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    s.signaling.message({ type: 'bye', reason: 'hangup', callId: 'whatever' });
    expect(s.session.endReason).toBe('remote-hangup');
    expectReleased(s.session);
  });

  it('every outbound message is stamped with the callId', async () => {
    const s = solo({ callId: 'call-1' });
    await driveTo(s, 'connected');
    s.pc().emitIceCandidate({
      candidate: 'candidate:1 1 udp 1 10.0.0.1 1 typ host',
      sdpMid: '0',
      sdpMLineIndex: 0,
    });
    s.session.setMuted('audio', true);
    s.session.end();
    const types = new Set(s.signaling.sent.map((m) => m.type));
    expect([...types].sort()).toEqual(['bye', 'candidate', 'description', 'mute']);
    for (const message of s.signaling.sent) expect(message.callId).toBe('call-1');
    expectReleased(s.session);
  });

  it('without a callId nothing is stamped', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    s.session.end();
    for (const message of s.signaling.sent) expect('callId' in message).toBe(false);
    expectReleased(s.session);
  });
});

describe('invalid inbound data', () => {
  const GARBAGE: unknown[] = [
    null,
    undefined,
    42,
    'bye',
    [],
    { type: 'nonsense' },
    { type: 'bye' },
    { type: 'bye', reason: 'because' },
    { type: 'description' },
    { type: 'description', description: { type: 'offer' } },
    { type: 'candidate', candidate: 7 },
    { type: 'mute', kind: 'screen', muted: true },
    { type: 'mute', kind: 'audio', muted: 'yes' },
    JSON.parse('{"type":"bye","reason":"hangup","__proto__":{"polluted":true}}'),
  ];

  it.each(GARBAGE.map((data) => [JSON.stringify(data) ?? String(data), data]))(
    '%s → INVALID_SIGNAL error event, no state change, nothing thrown into the adapter',
    async (_label, data) => {
      const s = solo();
      await driveTo(s, 'connected');
      expect(() => s.signaling.message(data)).not.toThrow();
      expect(s.session.state).toBe('connected');
      expect(s.log.events.at(-1)).toBe('error:INVALID_SIGNAL');
      expect(s.log.errors.at(-1)?.name).toBe('InvalidSignalError');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      s.session.end();
      expectReleased(s.session);
    },
  );

  it('unknown or malformed events are ignored without an error', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    expect(() => s.signaling.deliver({ type: 'weird' } as never)).not.toThrow();
    expect(() => s.signaling.deliver(undefined as never)).not.toThrow();
    expect(() => s.signaling.deliver(null as never)).not.toThrow();
    expect(s.session.state).toBe('connected');
    s.session.end();
    expectReleased(s.session);
  });

  it('garbage while media is still being acquired is reported too', async () => {
    const s = solo();
    await driveTo(s, 'starting');
    s.signaling.message({ type: 'description', description: { type: 'offer', sdp: 5 } });
    expect(s.log.events.at(-1)).toBe('error:INVALID_SIGNAL');
    expect(s.session.state).toBe('starting');
    s.session.end();
    expectReleased(s.session);
  });
});

describe('signaling events in flight', () => {
  it('a description that arrives while media is being acquired is applied once the pc exists', async () => {
    const s = solo({ polite: true });
    await driveTo(s, 'starting');
    s.signaling.message({ type: 'description', description: remoteSdp('offer') });
    s.runtime.pendingMedia[0]!.resolve();
    await settle();
    await settle();
    expect(s.pc().remoteDescriptions.map((d) => d.type)).toContain('offer');
    expect(s.signaling.sentOfType('description').some((m) => m.description.type === 'answer')).toBe(true);
    s.session.end();
    expectReleased(s.session);
  });

  it('a send that throws during the call is a SEND_FAILED error event; the call continues', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    s.signaling.sendError = new Error('socket full');
    s.signaling.failTypes = ['mute'];
    s.session.setMuted('audio', true);
    expect(s.log.events.at(-1)).toBe('error:SEND_FAILED');
    expect(s.log.errors.at(-1)?.cause).toBe(s.signaling.sendError);
    expect(s.session.state).toBe('connected');
    s.session.end();
    expect(s.signaling.sentOfType('bye')).toHaveLength(1);
    expectReleased(s.session);
  });

  it('a send that rejects during the call is a SEND_FAILED error event', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    s.signaling.sendRejection = new Error('later');
    s.session.setMuted('video', true);
    await settle();
    expect(s.log.events.at(-1)).toBe('error:SEND_FAILED');
    expect(s.session.state).toBe('connected');
    s.signaling.sendRejection = undefined;
    s.session.end();
    expectReleased(s.session);
  });

  it('the peer mute state is reported through remoteMute', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    s.signaling.message({ type: 'mute', kind: 'audio', muted: true });
    expect(s.log.events.at(-1)).toBe('remoteMute:audio:true');
    s.session.end();
    expectReleased(s.session);
  });
});
