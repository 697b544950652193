import { describe, expect, it } from 'vitest';
import {
  IceCandidateQueue,
  MAX_REMOTE_GENERATIONS,
  readRemoteIce,
} from '../../../src/peer/IceCandidateQueue.js';
import { remoteCandidate, remoteSdp } from '../../helpers/fakeCall.js';

const sdp = (ufrag: string) => remoteSdp('offer', ufrag).sdp;
const twoUfrags = (a: string, b: string) => `${sdp(a)}m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=ice-ufrag:${b}\r\n`;

/** Offers `count` distinct candidates of `ufrag` (numbered from `from`); returns the verdicts in order. */
function flood(queue: IceCandidateQueue, count: number, ufrag = 'R1', from = 1): string[] {
  const verdicts: string[] = [];
  for (let n = from; n < from + count; n++) verdicts.push(queue.accept(remoteCandidate(n, ufrag)));
  return verdicts;
}

describe('IceCandidateQueue: the per-generation limit', () => {
  it('lets through at most the limit after the description; one limit-reached, then over-limit', () => {
    const queue = new IceCandidateQueue(10, 3);
    expect(queue.perGeneration).toBe(3);
    queue.onRemoteDescription(readRemoteIce(sdp('R1')));
    expect(flood(queue, 6)).toEqual(['add', 'add', 'add', 'limit-reached', 'over-limit', 'over-limit']);
  });

  it('defaults to 64 per generation', () => {
    const queue = new IceCandidateQueue(256);
    queue.onRemoteDescription(readRemoteIce(sdp('R1')));
    const verdicts = flood(queue, 5_000);
    expect(verdicts.filter((v) => v === 'add')).toHaveLength(64);
    expect(verdicts.filter((v) => v === 'limit-reached')).toHaveLength(1);
    expect(verdicts[64]).toBe('limit-reached');
  });

  it('a repeat inside the generation never passes again, however many distinct ones came between', () => {
    // The old dedupe memory forgot the oldest of 1 024 keys, so a repeat after 1 024 others was added again.
    const queue = new IceCandidateQueue(256);
    queue.onRemoteDescription(readRemoteIce(sdp('R1')));
    expect(queue.accept(remoteCandidate(1))).toBe('add');
    flood(queue, 5_000, 'R1', 2);
    for (let n = 1; n <= 64; n++) expect(queue.accept(remoteCandidate(n))).toBe('duplicate');
    // Nor does a candidate dropped over the limit pass later.
    expect(queue.accept(remoteCandidate(4_000))).toBe('over-limit');
  });

  it('an ICE restart (the old ufrag retired) starts a new generation with its own limit and report', () => {
    const queue = new IceCandidateQueue(10, 2);
    queue.onRemoteDescription(readRemoteIce(sdp('R1')));
    expect(flood(queue, 4)).toEqual(['add', 'add', 'limit-reached', 'over-limit']);
    expect(queue.onRemoteDescription(readRemoteIce(sdp('R2')))).toEqual({ ready: [], limitReached: false });
    expect(flood(queue, 4, 'R2')).toEqual(['add', 'add', 'limit-reached', 'over-limit']);
    expect(queue.accept(remoteCandidate(9, 'R1'))).toBe('stale');
  });

  it('a renegotiation that keeps the ufrag, or only adds one, does not renew the allowance', () => {
    const queue = new IceCandidateQueue(10, 2);
    queue.onRemoteDescription(readRemoteIce(sdp('R1')));
    expect(flood(queue, 3)).toEqual(['add', 'add', 'limit-reached']);
    queue.onRemoteDescription(readRemoteIce(sdp('R1')));
    queue.onRemoteDescription(readRemoteIce(twoUfrags('R1', 'X')));
    expect(flood(queue, 2, 'R1', 10)).toEqual(['over-limit', 'over-limit']);
    expect(flood(queue, 2, 'X', 20)).toEqual(['over-limit', 'over-limit']);
  });

  it('queued candidates count when they are flushed; the flush reports the limit once', () => {
    const queue = new IceCandidateQueue(10, 3);
    expect(flood(queue, 5)).toEqual(['queued', 'queued', 'queued', 'queued', 'queued']);
    expect(queue.onRemoteDescription(readRemoteIce(sdp('R1')))).toEqual({
      ready: [remoteCandidate(1), remoteCandidate(2), remoteCandidate(3)],
      limitReached: true,
    });
    expect(queue.size).toBe(0);
    expect(queue.accept(remoteCandidate(6))).toBe('over-limit');
    // A flush that finds the generation already over its limit does not report again.
    queue.accept(remoteCandidate(7, 'R9'));
    expect(queue.onRemoteDescription(readRemoteIce(twoUfrags('R1', 'R9')))).toEqual({
      ready: [],
      limitReached: false,
    });
  });

  it('candidates of the next generation queued during a flood are admitted under the new allowance', () => {
    const queue = new IceCandidateQueue(10, 2);
    queue.onRemoteDescription(readRemoteIce(sdp('R1')));
    flood(queue, 5);
    expect(flood(queue, 3, 'R2', 100)).toEqual(['queued', 'queued', 'queued']);
    expect(queue.onRemoteDescription(readRemoteIce(sdp('R2')))).toEqual({
      ready: [remoteCandidate(100, 'R2'), remoteCandidate(101, 'R2')],
      limitReached: true,
    });
  });

  it('a queued duplicate is still a duplicate, and its key is forgotten only once it is gone', () => {
    const queue = new IceCandidateQueue(10, 5);
    queue.accept(remoteCandidate(1, 'R2'));
    expect(queue.accept(remoteCandidate(1, 'R2'))).toBe('duplicate');
    queue.onRemoteDescription(readRemoteIce(sdp('R1')));
    queue.onRemoteDescription(readRemoteIce(sdp('R3')));
    // R2 never came: its candidate was let go, and with it the key.
    expect(queue.size).toBe(0);
    expect(queue.accept(remoteCandidate(1, 'R2'))).toBe('queued');
  });

  it('clear() forgets the generation count', () => {
    const queue = new IceCandidateQueue(10, 1);
    queue.onRemoteDescription(readRemoteIce(sdp('R1')));
    flood(queue, 3);
    queue.clear();
    queue.onRemoteDescription(readRemoteIce(sdp('R1')));
    expect(flood(queue, 2)).toEqual(['add', 'limit-reached']);
  });
});

describe('IceCandidateQueue: the call-wide budget', () => {
  it('lets at most two generations worth through over a call, restarts or not', () => {
    const queue = new IceCandidateQueue(10, 2);
    expect(queue.perCall).toBe(4);
    let added = 0;
    const reports: number[] = [];
    for (let generation = 1; generation <= 20; generation++) {
      queue.onRemoteDescription(readRemoteIce(sdp(`G${generation}`)));
      const verdicts = flood(queue, 5, `G${generation}`);
      added += verdicts.filter((v) => v === 'add').length;
      reports.push(verdicts.filter((v) => v === 'limit-reached').length);
    }
    expect(added).toBe(4);
    // Still one report per generation, never one per candidate.
    expect(reports).toEqual(Array.from({ length: 20 }, () => 1));
  });
});

describe('IceCandidateQueue: generations and a full queue', () => {
  it('refuses a description that would start a ninth generation of the peer, not one that keeps the current', () => {
    const queue = new IceCandidateQueue(10, 2);
    expect(MAX_REMOTE_GENERATIONS).toBe(8);
    for (let generation = 1; generation <= 8; generation++) {
      expect(queue.refusal(readRemoteIce(sdp(`G${generation}`)))).toBeUndefined();
      queue.onRemoteDescription(readRemoteIce(sdp(`G${generation}`)));
    }
    expect(queue.refusal(readRemoteIce(sdp('G9')))).toBe(
      'the peer restarted ICE more than 7 times in this call',
    );
    expect(queue.refusal(readRemoteIce(sdp('G8')))).toBeUndefined();
    expect(queue.refusal(readRemoteIce(twoUfrags('G8', 'extra')))).toBeUndefined();
    expect(queue.refusal(readRemoteIce(undefined))).toBeUndefined();
    queue.clear();
    expect(queue.refusal(readRemoteIce(sdp('G9')))).toBeUndefined();
  });

  it('reports a full queue once per filling, not once per dropped candidate', () => {
    const queue = new IceCandidateQueue(2, 10);
    expect(flood(queue, 6)).toEqual([
      'queued',
      'queued',
      'overflow',
      'still-full',
      'still-full',
      'still-full',
    ]);
    queue.onRemoteDescription(readRemoteIce(sdp('R1')));
    expect(flood(queue, 3, 'R2', 100)).toEqual(['queued', 'queued', 'overflow']);
  });
});

describe('IceCandidateQueue: candidates listed in the description', () => {
  const listing = (ufrag: string, count: number) =>
    sdp(ufrag) +
    Array.from({ length: count }, (_, n) => `a=candidate:${n} 1 udp 1 10.1.0.${n} 9 typ host\r\n`).join('');

  it('spend the allowance of the generation they start, once', () => {
    const queue = new IceCandidateQueue(10, 3);
    expect(queue.refusal(readRemoteIce(listing('R1', 5)))).toBeUndefined(); // the first description is never refused
    queue.onRemoteDescription(readRemoteIce(listing('R1', 5)));
    expect(flood(queue, 2)).toEqual(['limit-reached', 'over-limit']);
    const fresh = new IceCandidateQueue(10, 3);
    fresh.onRemoteDescription(readRemoteIce(listing('R1', 2)));
    // A renegotiation of the same generation lists them again: not counted twice.
    fresh.onRemoteDescription(readRemoteIce(listing('R1', 2)));
    expect(flood(fresh, 2)).toEqual(['add', 'limit-reached']);
  });

  it('are the same candidates when the peer trickles them too: duplicates, counted once', () => {
    const listingRemote = (count: number) =>
      sdp('R1') +
      Array.from({ length: count }, (_, n) => `a=${remoteCandidate(n + 1).candidate}\r\n`).join('');
    const queue = new IceCandidateQueue(10, 3);
    queue.onRemoteDescription(readRemoteIce(listingRemote(2)));
    expect(flood(queue, 2)).toEqual(['duplicate', 'duplicate']);
    expect(flood(queue, 3, 'R1', 3)).toEqual(['add', 'limit-reached', 'over-limit']);
    // Queued before the description that lists them: not released to the runtime a second time.
    const early = new IceCandidateQueue(10, 3);
    expect(flood(early, 3)).toEqual(['queued', 'queued', 'queued']);
    expect(early.onRemoteDescription(readRemoteIce(listingRemote(2)))).toEqual({
      ready: [remoteCandidate(3)],
      limitReached: false,
    });
  });

  it('refuse an ICE restart that lists more candidates than the call has left', () => {
    const queue = new IceCandidateQueue(10, 4); // 8 per call
    queue.onRemoteDescription(readRemoteIce(sdp('R1')));
    flood(queue, 4);
    expect(queue.refusal(readRemoteIce(listing('R2', 5)))).toBe(
      "the peer's ICE restart lists 5 candidates; the call accepts 4 more",
    );
    expect(queue.refusal(readRemoteIce(listing('R2', 4)))).toBeUndefined();
    queue.onRemoteDescription(readRemoteIce(listing('R2', 4)));
    expect(flood(queue, 1, 'R2', 50)).toEqual(['limit-reached']);
    expect(queue.refusal(readRemoteIce(listing('R3', 1)))).toBe(
      "the peer's ICE restart lists 1 candidates; the call accepts 0 more",
    );
    expect(queue.refusal(readRemoteIce(sdp('R3')))).toBeUndefined();
  });
});
