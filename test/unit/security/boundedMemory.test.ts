import { describe, expect, it } from 'vitest';
import { IceCandidateQueue, readRemoteIce } from '../../../src/peer/IceCandidateQueue.js';

// Security review (docs/security.md): a hostile peer can send candidates for as long as the call lasts. The
// duplicate-detection memory must stay bounded however many distinct candidates arrive.

const candidate = (n: number, ufrag = 'u1'): RTCIceCandidateInit => ({
  candidate: `candidate:${n} 1 udp 1 192.0.2.1 ${n} typ host`,
  sdpMid: '0',
  sdpMLineIndex: 0,
  usernameFragment: ufrag,
});

describe('IceCandidateQueue memory under a candidate flood', () => {
  it('remembers exactly the candidates the generation admitted, and admits no more than its limit', () => {
    // Issue #11: forgetting the oldest of 1 024 keys let repeats pass again. Memory is now bounded by the
    // per-generation limit (64 by default) and exact within it.
    const queue = new IceCandidateQueue(256);
    queue.onRemoteDescription(readRemoteIce('v=0\r\na=ice-ufrag:u1\r\n'));
    const verdicts = Array.from({ length: 1_101 }, (_, n) => queue.accept(candidate(n)));
    expect(verdicts.filter((verdict) => verdict === 'add')).toHaveLength(64);
    expect(queue.accept(candidate(0))).toBe('duplicate');
    expect(queue.accept(candidate(63))).toBe('duplicate');
    expect(queue.accept(candidate(1100))).toBe('over-limit');
  });

  it('remembers at most 64 retired ICE generations', () => {
    const queue = new IceCandidateQueue(256);
    for (let generation = 0; generation <= 70; generation++) {
      queue.onRemoteDescription(readRemoteIce(`v=0\r\na=ice-ufrag:g${generation}\r\n`));
    }
    // A recent retired generation is still stale; the oldest one is no longer tracked.
    expect(queue.accept(candidate(1, 'g69'))).toBe('stale');
    expect(queue.accept(candidate(1, 'g0'))).not.toBe('stale');
  });
});
