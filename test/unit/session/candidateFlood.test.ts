import { describe, expect, it } from 'vitest';
import { settle } from '../../../src/testing/index.js';
import { driveTo, expectReleased, remoteCandidate, remoteSdp, solo } from '../../helpers/fakeCall.js';

type S = ReturnType<typeof solo>;

function flood(s: S, count: number, ufrag = 'R1', from = 1): void {
  for (let n = from; n < from + count; n++) {
    s.signaling.message({ type: 'candidate', candidate: remoteCandidate(n, ufrag) });
  }
}

const limitErrors = (s: S) => s.log.events.filter((event) => event === 'error:CANDIDATE_LIMIT');

describe('a peer flooding candidates after the remote description', () => {
  it('gets at most maxRemoteCandidates (default 64) to the connection and one CANDIDATE_LIMIT error', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    flood(s, 5_000);
    await settle();
    expect(s.pc().addedCandidates).toHaveLength(64);
    expect(s.pc().addedCandidates.at(-1)).toEqual(remoteCandidate(64));
    expect(limitErrors(s)).toEqual(['error:CANDIDATE_LIMIT']);
    expect(s.log.errors).toHaveLength(1);
    expect(s.log.errors[0]?.message).toContain('maxRemoteCandidates');
    // Repeats of admitted candidates, after thousands of others, are still recognised.
    flood(s, 64);
    await settle();
    expect(s.pc().addedCandidates).toHaveLength(64);
    expect(s.session.state).toBe('connected');
    s.session.end();
    expectReleased(s.session);
  });

  it('an ICE restart gives the new generation its own allowance and its own single report', async () => {
    const s = solo({ maxRemoteCandidates: 4 });
    await driveTo(s, 'connected');
    flood(s, 50);
    await settle();
    expect(s.pc().addedCandidates).toHaveLength(4);
    s.signaling.message({ type: 'description', description: remoteSdp('offer', 'R2', 2) });
    await settle();
    flood(s, 50, 'R2', 1_000);
    flood(s, 50, 'R1', 2_000); // the retired generation: stale, not counted, not reported
    await settle();
    expect(s.pc().addedCandidates).toHaveLength(8);
    expect(s.pc().addedCandidates.slice(4)).toEqual(
      [1_000, 1_001, 1_002, 1_003].map((n) => remoteCandidate(n, 'R2')),
    );
    expect(limitErrors(s)).toHaveLength(2);
    s.session.end();
    expectReleased(s.session);
  });

  it('candidates queued before the description count against the same allowance', async () => {
    const s = solo({ maxRemoteCandidates: 3 });
    await driveTo(s, 'connecting');
    await settle();
    flood(s, 10);
    expect(s.session.liveResources().queuedCandidates).toBe(10);
    s.signaling.message({ type: 'description', description: remoteSdp('answer') });
    await settle();
    expect(s.pc().addedCandidates).toEqual([1, 2, 3].map((n) => remoteCandidate(n)));
    flood(s, 10, 'R1', 100);
    await settle();
    expect(s.pc().addedCandidates).toHaveLength(3);
    expect(limitErrors(s)).toHaveLength(1);
    s.session.end();
    expectReleased(s.session);
  });

  it('end() after the flood releases everything', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    flood(s, 2_000);
    const summary = s.session.end();
    expect(summary.reason).toBe('hangup');
    expectReleased(s.session);
    expect(s.pc().signalingState).toBe('closed');
  });

  it('maxRemoteCandidates must be a whole number >= 1', () => {
    expect(() => solo({ maxRemoteCandidates: 0 })).toThrow(
      /options\.maxRemoteCandidates must be a whole number >= 1/,
    );
    expect(() => solo({ maxRemoteCandidates: 2.5 })).toThrow(TypeError);
    expect(() => solo({ maxRemoteCandidates: Number.POSITIVE_INFINITY })).toThrow(TypeError);
  });
});

describe('a peer restarting ICE over and over', () => {
  it('gets seven restarts; the description that would start a ninth generation never reaches the runtime', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    for (let generation = 2; generation <= 8; generation++) {
      s.signaling.message({
        type: 'description',
        description: remoteSdp('offer', `R${generation}`, generation),
      });
      await settle();
    }
    const applied = s.pc().remoteDescriptions.length;
    expect(s.pc().remoteDescriptions.at(-1)?.sdp).toContain('a=ice-ufrag:R8');
    expect(s.log.errors).toEqual([]);
    s.signaling.message({ type: 'description', description: remoteSdp('offer', 'R9', 9) });
    await settle();
    expect(s.pc().remoteDescriptions).toHaveLength(applied);
    expect(s.log.events.filter((e) => e.startsWith('error'))).toEqual(['error:NEGOTIATION_FAILED']);
    expect(String((s.log.errors[0] as Error & { cause?: Error }).cause?.message)).toContain('restarted ICE');
    // A renegotiation within the current generation still goes through.
    s.signaling.message({ type: 'description', description: remoteSdp('offer', 'R8', 10) });
    await settle();
    expect(s.pc().remoteDescriptions).toHaveLength(applied + 1);
    expect(s.session.state).toBe('connected');
    s.session.end();
    expectReleased(s.session);
  });
});

/** `remoteSdp` of generation `ufrag` listing the candidates numbered `from` to `from + count - 1`. */
function listingSdp(ufrag: string, version: number, from: number, count: number) {
  const description = remoteSdp('offer', ufrag, version);
  let lines = '';
  for (let n = from; n < from + count; n++) {
    lines += `a=${remoteCandidate(n, ufrag).candidate}\r\n`;
  }
  return { ...description, sdp: description.sdp + lines };
}

const listedInRuntime = (s: S): number => {
  const seen = new Set<string>();
  for (const description of s.pc().remoteDescriptions) {
    for (const line of description.sdp?.match(/^a=candidate:.*$/gm) ?? []) seen.add(line);
  }
  return seen.size + s.pc().addedCandidates.length;
};

describe('a peer re-offering without an ICE restart', () => {
  it('cannot list more new candidates than the call has left: the description is refused', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    for (let offer = 0; offer < 50; offer++) {
      s.signaling.message({
        type: 'description',
        description: listingSdp('R1', 10 + offer, offer * 128, 128),
      });
      await settle();
    }
    // Only the answer of driveTo got through: each offer listed 128 new candidates, over the 64 left.
    expect(s.pc().remoteDescriptions).toHaveLength(1);
    expect(listedInRuntime(s)).toBe(0);
    // All 50 refused within one second of the clock: one event (test/unit/security/peerFaultReports.test.ts).
    expect(s.log.events.filter((e) => e.startsWith('error'))).toEqual(['error:NEGOTIATION_FAILED']);
    expect(String((s.log.errors[0] as Error & { cause?: Error }).cause?.message)).toContain(
      '128 new candidates',
    );
    expect(s.session.state).toBe('connected');
    s.session.end();
    expectReleased(s.session);
  });

  it('pays for new listed candidates only: re-listing is free, trickled ones count, the limit holds', async () => {
    const s = solo({ maxRemoteCandidates: 10 });
    await driveTo(s, 'connected');
    flood(s, 4); // 4 trickled: 6 left in the generation
    await settle();
    expect(s.pc().addedCandidates).toHaveLength(4);
    // Lists the 4 trickled ones again (free) and 6 new: exactly what is left.
    s.signaling.message({ type: 'description', description: listingSdp('R1', 2, 1, 10) });
    await settle();
    expect(s.pc().remoteDescriptions).toHaveLength(2);
    // The same 10 again: free.
    s.signaling.message({ type: 'description', description: listingSdp('R1', 3, 1, 10) });
    await settle();
    expect(s.pc().remoteDescriptions).toHaveLength(3);
    expect(s.log.errors).toEqual([]);
    // One new one: the generation is spent.
    s.signaling.message({ type: 'description', description: listingSdp('R1', 4, 1, 11) });
    await settle();
    expect(s.pc().remoteDescriptions).toHaveLength(3);
    expect(s.log.events.filter((e) => e.startsWith('error'))).toEqual(['error:NEGOTIATION_FAILED']);
    // Trickled candidates past the limit are refused as before.
    flood(s, 5, 'R1', 500);
    await settle();
    expect(s.pc().addedCandidates).toHaveLength(4);
    expect(listedInRuntime(s)).toBeLessThanOrEqual(s.pc().addedCandidates.length + 10);
    expect(s.session.state).toBe('connected');
    s.session.end();
    expectReleased(s.session);
  });

  it('a restart spends the call: later re-offers of that generation stay within what the call has left', async () => {
    const s = solo({ maxRemoteCandidates: 10 }); // 20 for the call
    await driveTo(s, 'connected');
    s.signaling.message({ type: 'description', description: listingSdp('R1', 2, 1, 10) });
    await settle();
    s.signaling.message({ type: 'description', description: listingSdp('R2', 3, 100, 8) });
    await settle();
    expect(s.pc().remoteDescriptions).toHaveLength(3);
    // 2 left in the call, though the generation has 2 too; 3 new is over.
    s.signaling.message({ type: 'description', description: listingSdp('R2', 4, 100, 11) });
    await settle();
    expect(s.pc().remoteDescriptions).toHaveLength(3);
    s.signaling.message({ type: 'description', description: listingSdp('R2', 5, 100, 10) });
    await settle();
    expect(s.pc().remoteDescriptions).toHaveLength(4);
    expect(s.log.events.filter((e) => e.startsWith('error'))).toEqual(['error:NEGOTIATION_FAILED']);
    s.session.end();
    expectReleased(s.session);
  });
});
