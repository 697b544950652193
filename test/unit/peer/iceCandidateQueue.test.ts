import { describe, expect, it } from 'vitest';
import { IceCandidateQueue, readRemoteIce } from '../../../src/peer/IceCandidateQueue.js';
import { remoteCandidate, remoteSdp } from '../../helpers/fakeCall.js';

const sdp = (ufrag: string) => remoteSdp('offer', ufrag).sdp;

describe('IceCandidateQueue', () => {
  it('queues before a remote description and releases in arrival order after it', () => {
    const queue = new IceCandidateQueue(10);
    expect(queue.accept(remoteCandidate(3))).toBe('queued');
    expect(queue.accept(remoteCandidate(1))).toBe('queued');
    expect(queue.accept(remoteCandidate(2))).toBe('queued');
    expect(queue.size).toBe(3);
    expect(queue.onRemoteDescription(readRemoteIce(sdp('R1'))).ready).toEqual([
      remoteCandidate(3),
      remoteCandidate(1),
      remoteCandidate(2),
    ]);
    expect(queue.size).toBe(0);
    expect(queue.accept(remoteCandidate(4))).toBe('add');
  });

  it('lets go of candidates of a generation that two later descriptions did not bring (an ignored offer)', () => {
    const queue = new IceCandidateQueue(10);
    queue.onRemoteDescription(readRemoteIce(sdp('R1')));
    // Candidates of an offer the impolite side ignored in a collision: generation X never arrives.
    expect(queue.accept(remoteCandidate(1, 'X'))).toBe('queued');
    expect(queue.onRemoteDescription(readRemoteIce(sdp('R2'))).ready).toEqual([]);
    expect(queue.size).toBe(1);
    expect(queue.onRemoteDescription(readRemoteIce(sdp('R3'))).ready).toEqual([]);
    expect(queue.size).toBe(0);
    // A generation that overtook its own offer by one description is still delivered.
    expect(queue.accept(remoteCandidate(2, 'R4'))).toBe('queued');
    expect(queue.onRemoteDescription(readRemoteIce(sdp('R4'))).ready).toEqual([remoteCandidate(2, 'R4')]);
  });

  it('caps the queue: overflow is reported and the queue does not grow', () => {
    const queue = new IceCandidateQueue(2);
    expect(queue.cap).toBe(2);
    queue.accept(remoteCandidate(1));
    queue.accept(remoteCandidate(2));
    expect(queue.accept(remoteCandidate(3))).toBe('overflow');
    expect(queue.size).toBe(2);
    // An overflowed candidate is not remembered as seen: it may come again once there is room.
    queue.onRemoteDescription(readRemoteIce(sdp('R1')));
    expect(queue.accept(remoteCandidate(3))).toBe('add');
  });

  it('a cap of 0 queues nothing but still adds once a description exists', () => {
    const queue = new IceCandidateQueue(0);
    expect(queue.accept(remoteCandidate(1))).toBe('overflow');
    queue.onRemoteDescription(readRemoteIce(sdp('R1')));
    expect(queue.accept(remoteCandidate(1))).toBe('add');
  });

  it('drops duplicates, queued or added', () => {
    const queue = new IceCandidateQueue(10);
    expect(queue.accept(remoteCandidate(1))).toBe('queued');
    expect(queue.accept({ ...remoteCandidate(1) })).toBe('duplicate');
    expect(queue.size).toBe(1);
    queue.onRemoteDescription(readRemoteIce(sdp('R1')));
    expect(queue.accept(remoteCandidate(1))).toBe('duplicate');
    expect(queue.accept(remoteCandidate(2))).toBe('add');
    expect(queue.accept(remoteCandidate(2))).toBe('duplicate');
  });

  it('same candidate line in another generation is not a duplicate', () => {
    const queue = new IceCandidateQueue(10);
    queue.onRemoteDescription(readRemoteIce(sdp('R1')));
    expect(queue.accept(remoteCandidate(1, 'R1'))).toBe('add');
    queue.onRemoteDescription(readRemoteIce(sdp('R2')));
    expect(queue.accept(remoteCandidate(1, 'R2'))).toBe('add');
  });

  it('drops candidates of a replaced generation, queued ones included', () => {
    const queue = new IceCandidateQueue(10);
    queue.onRemoteDescription(readRemoteIce(sdp('R1')));
    expect(queue.accept(remoteCandidate(1, 'R1'))).toBe('add');
    // A candidate of the next generation overtakes its offer: it waits.
    expect(queue.accept(remoteCandidate(2, 'R2'))).toBe('queued');
    expect(queue.onRemoteDescription(readRemoteIce(sdp('R2'))).ready).toEqual([remoteCandidate(2, 'R2')]);
    expect(queue.accept(remoteCandidate(3, 'R1'))).toBe('stale');
    expect(queue.accept(remoteCandidate(4, 'R2'))).toBe('add');
  });

  it('queued candidates of a generation retired meanwhile are dropped at flush', () => {
    const queue = new IceCandidateQueue(10);
    queue.onRemoteDescription(readRemoteIce(sdp('R1')));
    queue.accept(remoteCandidate(1, 'R9')); // unknown generation: waits
    queue.onRemoteDescription(readRemoteIce(sdp('R2'))); // R1 retired; R9 still unknown, keeps waiting
    expect(queue.size).toBe(1);
    expect(queue.onRemoteDescription(readRemoteIce(sdp('R9'))).ready).toEqual([remoteCandidate(1, 'R9')]);
    expect(queue.accept(remoteCandidate(2, 'R2'))).toBe('stale');
  });

  it('a candidate without usernameFragment is trusted to be current', () => {
    const queue = new IceCandidateQueue(10);
    const bare = { candidate: 'candidate:1 1 udp 1 10.0.0.1 1 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    expect(queue.accept(bare)).toBe('queued');
    expect(queue.onRemoteDescription(readRemoteIce(sdp('R1'))).ready).toEqual([bare]);
  });

  it('a description without ufrag lines keeps the current generation', () => {
    const queue = new IceCandidateQueue(10);
    queue.onRemoteDescription(readRemoteIce(sdp('R1')));
    queue.onRemoteDescription(readRemoteIce('v=0\r\n'));
    expect(queue.accept(remoteCandidate(1, 'R1'))).toBe('add');
    const fresh = new IceCandidateQueue(10);
    fresh.accept(remoteCandidate(1, 'R1'));
    expect(fresh.onRemoteDescription(readRemoteIce(undefined)).ready).toEqual([remoteCandidate(1, 'R1')]);
  });

  it('clear() empties the queue and forgets everything', () => {
    const queue = new IceCandidateQueue(10);
    queue.onRemoteDescription(readRemoteIce(sdp('R1')));
    queue.accept(remoteCandidate(1, 'R1'));
    queue.onRemoteDescription(readRemoteIce(sdp('R2')));
    queue.accept(remoteCandidate(2, 'R3'));
    queue.clear();
    expect(queue.size).toBe(0);
    expect(queue.accept(remoteCandidate(1, 'R1'))).toBe('queued');
  });

  it('readRemoteIce reads the generation and the identities of the listed candidates in one pass', () => {
    const ice = readRemoteIce(
      'v=0\r\na=ice-ufrag:abc\r\na=candidate:1 1 UDP 5 10.0.0.1 9 typ host generation 0\r\n' +
        'a=candidate:2 1 udp 5 10.0.0.2 9 typ host\r\n',
    );
    expect([...ice.ufrags]).toEqual(['abc']);
    expect([...ice.listed]).toEqual(['1 1 udp 10.0.0.1 9 host', '2 1 udp 10.0.0.2 9 host']);
    expect(readRemoteIce(undefined)).toEqual({ ufrags: new Set(), listed: new Set() });
  });

  it('empty end-of-candidates markers are told apart by their section, and repeats dropped', () => {
    const queue = new IceCandidateQueue(10);
    queue.onRemoteDescription(readRemoteIce(sdp('R1')));
    expect(queue.accept({ candidate: '', sdpMid: '0' })).toBe('add');
    expect(queue.accept({ candidate: '', sdpMid: '1' })).toBe('add');
    expect(queue.accept({ candidate: '', sdpMid: '0' })).toBe('duplicate');
  });

  it('readRemoteIce reads every a=ice-ufrag line', () => {
    expect([...readRemoteIce('v=0\r\na=ice-ufrag:abc\r\nm=audio\r\na=ice-ufrag:def\r\n').ufrags]).toEqual([
      'abc',
      'def',
    ]);
    expect(readRemoteIce(undefined).ufrags.size).toBe(0);
    expect(readRemoteIce('a=ice-pwd:x').ufrags.size).toBe(0);
  });
});
