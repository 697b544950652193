import { describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../src/logger.js';
import { BroadcastChannelSignaling } from '../../../src/signaling/BroadcastChannelSignaling.js';
import { createInMemorySignalingPair } from '../../../src/signaling/createInMemorySignalingPair.js';
import { SignalingEventHub } from '../../../src/signaling/SignalingEventHub.js';
import { ManualClock } from '../../../src/testing/index.js';

// Every listener exception in the library goes through one re-throw path, and every id through one generator.
vi.mock('../../../src/util/rethrowLater.js', () => ({ rethrowLater: vi.fn() }));
vi.mock('../../../src/util/randomId.js', () => ({ randomId: () => 'the-shared-random-id' }));
const { rethrowLater } = await import('../../../src/util/rethrowLater.js');

describe('shared helpers', () => {
  it('SignalingEventHub re-throws a listener exception through rethrowLater', () => {
    vi.mocked(rethrowLater).mockClear();
    const hub = new SignalingEventHub({ maxEvents: 8, maxBytes: 1_024 }, silentLogger);
    const boom = new Error('listener bug');
    const others: string[] = [];
    hub.subscribe(() => {
      throw boom;
    });
    hub.subscribe((event) => others.push(event.type));
    hub.emit({ type: 'peer-left' });
    expect(others).toEqual(['peer-left']);
    expect(vi.mocked(rethrowLater).mock.calls).toEqual([[boom]]);
  });

  it('the in-memory pair re-throws a listener exception through rethrowLater', () => {
    vi.mocked(rethrowLater).mockClear();
    const clock = new ManualClock();
    const pair = createInMemorySignalingPair({ clock });
    const boom = new Error('listener bug');
    pair.b.subscribe(() => {
      throw boom;
    });
    pair.a.send({ type: 'bye', reason: 'hangup' });
    clock.advance(1);
    expect(vi.mocked(rethrowLater).mock.calls).toEqual([[boom]]);
    pair.close();
    clock.advance(1);
  });

  it('BroadcastChannelSignaling takes its instance id from randomId()', () => {
    const posted: { from?: unknown }[] = [];
    class FakeChannel {
      postMessage(message: { from?: unknown }): void {
        posted.push(message);
      }
      close(): void {}
      addEventListener(): void {}
      removeEventListener(): void {}
    }
    const signaling = new BroadcastChannelSignaling({ name: 'ids', BroadcastChannel: FakeChannel });
    signaling.send({ type: 'bye', reason: 'hangup' });
    signaling.close();
    expect(posted.length).toBeGreaterThan(0);
    expect(posted.every((message) => message.from === 'the-shared-random-id')).toBe(true);
  });
});
