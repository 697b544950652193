import { describe, expect, it } from 'vitest';
import type { SignalingAdapter, SignalingEvent, SignalMessage } from '../../src/signaling/types.js';
import {
  type SignalingAdapterPair,
  signalingAdapterConformance,
} from '../../src/testing/signalingAdapterConformance.js';

type Fault =
  | 'none'
  | 'drop'
  | 'reorder'
  | 'echo'
  | 'loopback'
  | 'duplicate'
  | 'late-duplicate'
  | 'leaky-unsubscribe'
  | 'buffers-only-before-first-subscriber'
  | 'lossy-resume'
  | 'duplicating-resume'
  | 'never-resumes'
  | 'peer-left-on-interrupt';

/** A minimal loopback pair with one deliberate defect, to prove the kit notices it. */
function createFaultyPair(fault: Fault): SignalingAdapterPair {
  const listeners = { a: new Set<(e: SignalingEvent) => void>(), b: new Set<(e: SignalingEvent) => void>() };
  const everyone = { a: new Set<(e: SignalingEvent) => void>(), b: new Set<(e: SignalingEvent) => void>() };
  const pending = { a: [] as SignalingEvent[], b: [] as SignalingEvent[] };
  const everSubscribed = { a: false, b: false };
  let sent = 0;
  let held: (() => void) | undefined;
  /** The side whose connection is down (interrupt), and what it sent meanwhile. */
  let down: 'a' | 'b' | undefined;
  const outage: ['a' | 'b', SignalingEvent][] = [];
  const deliver = (to: 'a' | 'b', event: SignalingEvent, delayMs = 0): void => {
    setTimeout(() => {
      const targets = fault === 'leaky-unsubscribe' ? everyone[to] : listeners[to];
      const lost = fault === 'buffers-only-before-first-subscriber' && everSubscribed[to];
      if (targets.size === 0 && !lost) pending[to].push(event);
      for (const listener of targets) listener(structuredClone(event));
    }, delayMs);
  };
  const side = (me: 'a' | 'b', peer: 'a' | 'b'): SignalingAdapter => ({
    send(message: SignalMessage) {
      sent++;
      const event: SignalingEvent = { type: 'message', data: structuredClone(message) };
      if (down !== undefined) {
        // A faithful resume holds everything sent during the outage and delivers it afterwards.
        if (fault !== 'lossy-resume') outage.push([peer, event]);
        return;
      }
      if (fault === 'drop' && sent % 7 === 3) return;
      if (fault === 'echo') deliver(me, event);
      // Hands the message back to its sender instead of the peer.
      if (fault === 'loopback') return deliver(me, event);
      if (fault === 'duplicate') deliver(peer, event);
      // The copy trails well behind the original: only a quiet period after the expected count sees it.
      if (fault === 'late-duplicate') deliver(peer, event, 15);
      if (fault === 'reorder' && !held) {
        held = () => deliver(peer, event);
        return;
      }
      deliver(peer, event);
      if (held) {
        const release = held;
        held = undefined;
        release();
      }
    },
    subscribe(listener) {
      listeners[me].add(listener);
      everyone[me].add(listener);
      everSubscribed[me] = true;
      for (const event of pending[me].splice(0)) deliver(me, event);
      return () => listeners[me].delete(listener);
    },
  });
  return {
    a: side('a', 'b'),
    b: side('b', 'a'),
    leave: (who) => deliver(who === 'a' ? 'b' : 'a', { type: 'peer-left' }),
    close: () => {
      deliver('a', { type: 'closed' });
      deliver('b', { type: 'closed' });
    },
    interrupt: (who) => {
      down = who;
      deliver(who, { type: 'interrupted' });
      if (fault === 'peer-left-on-interrupt') deliver(who === 'a' ? 'b' : 'a', { type: 'peer-left' });
      setTimeout(() => {
        down = undefined;
        if (fault === 'never-resumes') return;
        deliver(who, { type: 'resumed' });
        for (const [to, event] of outage.splice(0)) {
          deliver(to, event);
          if (fault === 'duplicating-resume') deliver(to, event);
        }
      }, 20);
    },
  };
}

async function failures(fault: Fault): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  const cases = signalingAdapterConformance(() => createFaultyPair(fault), {
    timeoutMs: 300,
    quietMs: 30,
    resumeTimeoutMs: 300,
  });
  for (const testCase of cases) {
    try {
      await testCase.run();
    } catch (error) {
      result[testCase.name] = (error as Error).message;
    }
  }
  return result;
}

describe('the conformance kit catches broken adapters', () => {
  it('passes the fault-free reference pair', async () => {
    expect(await failures('none')).toEqual({});
  });

  it('a pair without controls: a plain `await run()` passes every case, the control cases report skipped', async () => {
    const cases = signalingAdapterConformance(
      () => {
        const { a, b } = createFaultyPair('none');
        return { a, b };
      },
      { timeoutMs: 300, quietMs: 30, resumeTimeoutMs: 300 },
    );
    const skipped: string[] = [];
    for (const testCase of cases) {
      const outcome = await testCase.run();
      if (outcome?.skipped) skipped.push(testCase.name);
    }
    expect(skipped).toEqual([
      'propagates peer-left',
      'propagates finalize to both sides',
      'propagates close to both sides',
      'resume: nothing is lost or duplicated across an interruption, in either direction',
      'resume: interrupted then resumed, once each, and the peer sees no peer-left',
      'send after close does not throw synchronously',
    ]);
  });

  const lossless = 'resume: nothing is lost or duplicated across an interruption, in either direction';
  const lifecycle = 'resume: interrupted then resumed, once each, and the peer sees no peer-left';

  it('catches an adapter that loses what was sent during an interruption', async () => {
    const found = await failures('lossy-resume');
    expect(found[lossless]).toMatch(/received 5 of 10 expected message\(s\)/);
  });

  it('catches an adapter that delivers twice what was sent during an interruption', async () => {
    const found = await failures('duplicating-resume');
    expect(found[lossless]).toMatch(/received 15 messages across the interruption, expected 10/);
  });

  it('catches an adapter that never says resumed', async () => {
    const found = await failures('never-resumes');
    expect(found[lifecycle]).toMatch(/did not receive a 'resumed' event/);
  });

  it('catches an adapter that tells the peer peer-left on a mere interruption', async () => {
    const found = await failures('peer-left-on-interrupt');
    expect(found[lifecycle]).toMatch(/b received \[peer-left\] while a was only interrupted/);
  });

  it('catches an adapter that drops messages', async () => {
    const found = await failures('drop');
    expect(found['keeps the order of a burst']).toMatch(/received \d+ of 50 expected message\(s\)/);
  });

  it('catches an adapter that reorders messages', async () => {
    const found = await failures('reorder');
    expect(found['keeps the order of a burst']).toMatch(/burst order broken: message #0 of 50 arrived as #1/);
  });

  it('catches an adapter that echoes to the sender', async () => {
    const found = await failures('echo');
    expect(found['does not echo to the sender']).toMatch(/a received its own message back/);
  });

  it('catches an adapter that hands messages back to the sender instead of the peer', async () => {
    const found = await failures('loopback');
    expect(found['round trip: bye']).toMatch(/bye sent a → b: the received message differs/);
    expect(found['round trip: message with callId']).toMatch(/sent a → b: the received message differs/);
  });

  it('catches an adapter that delivers every message twice', async () => {
    const found = await failures('duplicate');
    expect(found['round trip: candidate']).toMatch(/b, after a sent one candidate: received 2 messages/);
    expect(found['keeps the order of a burst']).toMatch(/burst of 50 delivered 100 messages \(duplicates\)/);
  });

  it('catches duplicates that arrive after the expected count', async () => {
    const found = await failures('late-duplicate');
    expect(found['round trip: bye']).toMatch(/received 2 messages, expected 1/);
    expect(found['keeps the order of a burst']).toMatch(/burst of 50 delivered 100 messages \(duplicates\)/);
  });

  it('catches an adapter whose unsubscribe does not stop delivery', async () => {
    const found = await failures('leaky-unsubscribe');
    expect(found['unsubscribe stops delivery']).toMatch(/unsubscribed listener still received 1 message/);
  });

  it('catches an adapter that buffers only before its first subscriber (a reused adapter loses messages)', async () => {
    const found = await failures('buffers-only-before-first-subscriber');
    expect(found['messages arriving between two subscribers wait for the next one']).toMatch(
      /b received 0 of 1 expected message\(s\).*while b had no subscriber/,
    );
    // Before the first subscriber it still buffers, so the older case cannot tell.
    expect(found['delivers messages sent before the receiver subscribed']).toBeUndefined();
  });
});
