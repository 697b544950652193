import { describe, expect, it } from 'vitest';
import type { SignalingEvent } from '../../../src/index.js';
import { settle } from '../../../src/testing/index.js';
import {
  driveTo,
  expectReleased,
  remoteCandidate,
  remoteSdp,
  SpySignaling,
  solo,
} from '../../helpers/fakeCall.js';

const errorsOf = (events: string[]) => events.filter((event) => event.startsWith('error'));

describe('work waiting in line is bounded', () => {
  it('descriptions waiting on the negotiation chain: 32 (MAX_PENDING_STEPS), the excess reported once', async () => {
    const s = solo({ polite: true });
    // The media request is held, so the chain is not running yet: every offer waits in line.
    await driveTo(s, 'starting');
    for (let version = 1; version <= 40; version++) {
      s.signaling.message({ type: 'description', description: remoteSdp('offer', 'R1', version) });
    }
    await settle();
    // Eight over the bound, one event: reports about the peer's descriptions are one a second at most.
    expect(errorsOf(s.log.events)).toEqual(['error:NEGOTIATION_FAILED']);
    expect(s.log.errors[0]?.message).toContain('receive description');
    expect(String((s.log.errors[0] as Error & { cause?: Error }).cause?.message)).toContain(
      'too many descriptions in line',
    );
    s.session.end();
    await settle();
    expectReleased(s.session);
  });

  it('messages an adapter delivers inside subscribe(): 64 held (MAX_HELD_MESSAGES), the excess reported', async () => {
    class Replaying extends SpySignaling {
      override subscribe(listener: (event: SignalingEvent) => void): () => void {
        const unsubscribe = super.subscribe(listener);
        for (let n = 1; n <= 70; n++) {
          listener({ type: 'message', data: { type: 'candidate', candidate: remoteCandidate(n) } });
        }
        return unsubscribe;
      }
    }
    const s = solo({ signaling: new Replaying() });
    s.runtime.holdMedia();
    void s.session.start();
    expect(errorsOf(s.log.events)).toEqual(Array.from({ length: 6 }, () => 'error:NEGOTIATION_FAILED'));
    expect(s.log.errors[0]?.message).toContain('hold early message');
    await settle();
    // The 64 held ones went on to the candidate queue once the negotiation existed.
    expect(s.session.liveResources().queuedCandidates).toBe(64);
    s.session.end();
    await settle();
    expectReleased(s.session);
  });
});
