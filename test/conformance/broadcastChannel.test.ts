import { afterEach, describe, expect, it, vi } from 'vitest';
import { BroadcastChannelSignaling } from '../../src/signaling/BroadcastChannelSignaling.js';
import type { SignalingEvent } from '../../src/signaling/types.js';
import { runConformance } from './runConformance.js';

let counter = 0;
const uniqueName = (): string => `hangup-test-${process.pid}-${++counter}`;

async function createPair() {
  const name = uniqueName();
  const a = new BroadcastChannelSignaling({ name });
  const b = new BroadcastChannelSignaling({ name });
  // A tab that leaves before the two ever met has no peer to tell; the kit's pairs are connected ones.
  await Promise.all([a.ready, b.ready]);
  return {
    a,
    b,
    leave: (side: 'a' | 'b') => (side === 'a' ? a : b).close(),
    close: () => {
      a.close();
      b.close();
    },
  };
}

describe('BroadcastChannelSignaling conformance', () => {
  runConformance(createPair);
});

describe('BroadcastChannelSignaling', () => {
  const opened: BroadcastChannelSignaling[] = [];
  const open = (name: string): BroadcastChannelSignaling => {
    const adapter = new BroadcastChannelSignaling({ name });
    opened.push(adapter);
    return adapter;
  };
  afterEach(() => {
    for (const adapter of opened.splice(0)) adapter.close();
  });

  it('a bye sent just before close() reaches the paired tab before peer-left (nothing to flush: it is posted at once)', async () => {
    const name = uniqueName();
    const a = open(name);
    const b = open(name);
    await Promise.all([a.ready, b.ready]);
    const events: SignalingEvent[] = [];
    b.subscribe((event) => events.push(event));
    a.send({ type: 'bye', reason: 'hangup' });
    a.close();
    await vi.waitFor(() => expect(events.map((event) => event.type)).toContain('peer-left'), {
      timeout: 2_000,
    });
    expect(events).toEqual([
      { type: 'message', data: { type: 'bye', reason: 'hangup' } },
      { type: 'peer-left' },
    ]);
  });

  const collect = (adapter: BroadcastChannelSignaling): SignalingEvent[] => {
    const events: SignalingEvent[] = [];
    adapter.subscribe((event) => events.push(event));
    return events;
  };
  const until = async (check: () => boolean): Promise<void> => {
    while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
  };

  it('delivers messages sent before the other tab existed', async () => {
    const name = uniqueName();
    const a = open(name);
    a.send({ type: 'bye', reason: 'hangup' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const b = open(name);
    const events = collect(b);
    await until(() => events.length > 0);
    expect(events).toEqual([{ type: 'message', data: { type: 'bye', reason: 'hangup' } }]);
  });

  it('a third instance on the same name neither receives nor disturbs the pair', async () => {
    const name = uniqueName();
    const a = open(name);
    const b = open(name);
    const aEvents = collect(a);
    const bEvents = collect(b);
    a.send({ type: 'mute', kind: 'audio', muted: true });
    await until(() => bEvents.length === 1);
    const c = open(name);
    const cEvents = collect(c);
    c.send({ type: 'bye', reason: 'hangup' });
    a.send({ type: 'mute', kind: 'audio', muted: false });
    b.send({ type: 'mute', kind: 'video', muted: true });
    await until(() => bEvents.length === 2 && aEvents.length === 1);
    c.close();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(cEvents.filter((event) => event.type === 'message')).toEqual([]);
    expect(aEvents).toEqual([{ type: 'message', data: { type: 'mute', kind: 'video', muted: true } }]);
    expect(bEvents.map((event) => event.type)).toEqual(['message', 'message']);
  });

  it('pagehide announces leaving and closes; close removes the pagehide listener', async () => {
    const name = uniqueName();
    const posted: unknown[] = [];
    class RecordingChannel extends BroadcastChannel {
      override postMessage(message: unknown): void {
        posted.push(message);
        super.postMessage(message);
      }
    }
    const added = vi.spyOn(window, 'addEventListener');
    const removed = vi.spyOn(window, 'removeEventListener');
    const a = new BroadcastChannelSignaling({ name, BroadcastChannel: RecordingChannel });
    opened.push(a);
    const aEvents = collect(a);
    window.dispatchEvent(new Event('pagehide'));
    await until(() => aEvents.some((event) => event.type === 'closed'));
    expect(posted).toContainEqual(expect.objectContaining({ kind: 'leave' }));
    const handler = added.mock.calls.find(([type]) => type === 'pagehide')?.[1];
    expect(handler).toBeTypeOf('function');
    expect(removed).toHaveBeenCalledWith('pagehide', handler);
    added.mockRestore();
    removed.mockRestore();
  });

  it('rejects a missing name with a TypeError', () => {
    expect(() => new BroadcastChannelSignaling({ name: '' })).toThrow(TypeError);
  });
});
