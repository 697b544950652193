import { describe, expect, it } from 'vitest';
import { createRelayServer } from '../../../src/server/createRelayServer.js';

// Issue #11 item 9 (relay half): a timer delay above 2**31-1 ms is clamped to 1 ms by Node, so such a
// `maxDurationMs` finalized every room at once and such a `pingIntervalMs` pinged (and terminated) continuously.
// Every duration and size option is checked before anything listens.

const MAX_TIMER_MS = 2 ** 31 - 1;

describe('createRelayServer option validation', () => {
  const durations = ['maxDurationMs', 'pingIntervalMs', 'joinTimeoutMs'] as const;
  for (const name of durations) {
    it(`rejects a ${name} above 2**31-1 ms, non-finite or negative, saying how to fix it`, async () => {
      for (const value of [MAX_TIMER_MS + 1, 30 * 24 * 3_600_000, Number.POSITIVE_INFINITY, Number.NaN, -1]) {
        const attempt = createRelayServer({ port: 0, [name]: value });
        await expect(attempt, `${name}: ${value}`).rejects.toThrow(TypeError);
        await expect(attempt).rejects.toThrow(new RegExp(`${name} must be .*2147483647`));
      }
      await expect(createRelayServer({ port: 0, [name]: '1000' as never })).rejects.toThrow(TypeError);
    });
  }

  it('accepts the largest timer delay', async () => {
    const relay = await createRelayServer({
      port: 0,
      maxDurationMs: MAX_TIMER_MS,
      pingIntervalMs: MAX_TIMER_MS,
      joinTimeoutMs: MAX_TIMER_MS,
    });
    await relay.close();
  });

  it('rejects non-finite or non-positive sizes and rates', async () => {
    for (const name of ['maxFrameBytes', 'maxBufferedBytes', 'maxMessagesPerSecond'] as const) {
      for (const value of [0, -1, Number.POSITIVE_INFINITY, Number.NaN]) {
        await expect(createRelayServer({ port: 0, [name]: value }), `${name}: ${value}`).rejects.toThrow(
          new RegExp(`${name} must be`),
        );
      }
    }
    for (const name of ['maxConnections', 'maxRememberedRooms'] as const) {
      for (const value of [-1, Number.POSITIVE_INFINITY, Number.NaN]) {
        await expect(createRelayServer({ port: 0, [name]: value }), `${name}: ${value}`).rejects.toThrow(
          new RegExp(`${name} must be`),
        );
      }
    }
  });

  it('rejects a maxBufferedBytes smaller than maxFrameBytes (a largest frame could never be delivered)', async () => {
    await expect(createRelayServer({ port: 0, maxFrameBytes: 4096, maxBufferedBytes: 4095 })).rejects.toThrow(
      /maxBufferedBytes must be at least maxFrameBytes/,
    );
  });

  it('rejects a joinTimeoutMs of 0 (sockets could never join)', async () => {
    await expect(createRelayServer({ port: 0, joinTimeoutMs: 0 })).rejects.toThrow(
      /joinTimeoutMs must be .* from 1/,
    );
  });
});
