import { describe, expect, it } from 'vitest';
import { IceCandidateQueue } from '../../../src/peer/IceCandidateQueue.js';

// Security review (docs/security.md): a hostile peer can send candidates for as long as the call lasts. The
// duplicate-detection memory must stay bounded however many distinct candidates arrive.

const candidate = (n: number, ufrag = 'u1'): RTCIceCandidateInit => ({
  candidate: `candidate:${n} 1 udp 1 192.0.2.1 ${n} typ host`,
  sdpMid: '0',
  sdpMLineIndex: 0,
  usernameFragment: ufrag,
});

describe('IceCandidateQueue memory under a candidate flood', () => {
  it('forgets the oldest remembered candidates beyond 1024 (so memory stays bounded)', () => {
    const queue = new IceCandidateQueue(256);
    queue.onRemoteDescription('v=0\r\na=ice-ufrag:u1\r\n');
    for (let n = 0; n <= 1100; n++) expect(queue.accept(candidate(n))).toBe('add');
    // The newest are still recognised as duplicates; the oldest were forgotten and are simply added again.
    expect(queue.accept(candidate(1100))).toBe('duplicate');
    expect(queue.accept(candidate(0))).toBe('add');
  });

  it('remembers at most 64 retired ICE generations', () => {
    const queue = new IceCandidateQueue(256);
    for (let generation = 0; generation <= 70; generation++) {
      queue.onRemoteDescription(`v=0\r\na=ice-ufrag:g${generation}\r\n`);
    }
    // A recent retired generation is still stale; the oldest one is no longer tracked.
    expect(queue.accept(candidate(1, 'g69'))).toBe('stale');
    expect(queue.accept(candidate(1, 'g0'))).not.toBe('stale');
  });
});
