import { describe, expect, it } from 'vitest';
import { settle } from '../../../src/testing/index.js';
import { debugLogger } from '../../helpers/debugLogger.js';
import { driveTo, expectReleased, remoteCandidate, remoteSdp, solo } from '../../helpers/fakeCall.js';

// Review of #11: every refused remote description (a forged ICE restart, a re-offer listing too many
// candidates) was its own NEGOTIATION_FAILED event, so a peer could make the app's error handler run as often
// as signaling carries messages. Reports about the peer's descriptions are now one a second at most; the
// rest go to the debug log.

/** A re-offer of generation R1 listing `count` candidates numbered from `from`: over the allowance, refused. */
function overListing(version: number, from = version * 1_000, count = 128) {
  const description = remoteSdp('offer', 'R1', version);
  let lines = '';
  for (let n = from; n < from + count; n++) lines += `a=${remoteCandidate(n).candidate}\r\n`;
  return { ...description, sdp: description.sdp + lines };
}

function withDebugLog() {
  const { logger, debug } = debugLogger();
  return { s: solo({ logger }), debug };
}

const negotiationErrors = (events: string[]) => events.filter((e) => e === 'error:NEGOTIATION_FAILED');

describe('error events about the peer’s descriptions are bounded', () => {
  it('100 refused descriptions: one event; the others at debug; one after the window is reported again', async () => {
    const { s, debug } = withDebugLog();
    await driveTo(s, 'connected');
    const applied = s.pc().remoteDescriptions.length;
    for (let version = 2; version < 102; version++) {
      s.signaling.message({ type: 'description', description: overListing(version) });
      await settle();
    }
    // None reached the runtime, and the app heard of it once.
    expect(s.pc().remoteDescriptions).toHaveLength(applied);
    expect(negotiationErrors(s.log.events)).toHaveLength(1);
    expect(String((s.log.errors[0] as Error & { cause?: Error }).cause?.message)).toContain(
      '128 new candidates',
    );
    expect(debug.filter((line) => line.includes('report suppressed'))).toHaveLength(99);
    // Still inside the second: suppressed.
    s.clock.advance(999);
    s.signaling.message({ type: 'description', description: overListing(200) });
    await settle();
    expect(negotiationErrors(s.log.events)).toHaveLength(1);
    // A refused description after the window is reported again.
    s.clock.advance(1);
    s.signaling.message({ type: 'description', description: overListing(201) });
    await settle();
    expect(negotiationErrors(s.log.events)).toHaveLength(2);
    // A sustained flood of 20 a second for ten seconds, starting in the second just reported: one a second
    // for the nine after it.
    for (let second = 0; second < 10; second++) {
      for (let n = 0; n < 20; n++) {
        s.signaling.message({ type: 'description', description: overListing(300 + second * 20 + n) });
        await settle();
      }
      s.clock.advance(1_000);
    }
    expect(negotiationErrors(s.log.events)).toHaveLength(2 + 9);
    expect(s.session.state).toBe('connected');
    s.session.end();
    expectReleased(s.session);
  });

  it('forged ICE restarts past the generation bound: one event for the burst', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    for (let generation = 2; generation <= 40; generation++) {
      s.signaling.message({
        type: 'description',
        description: remoteSdp('offer', `R${generation}`, generation),
      });
      await settle();
    }
    expect(s.pc().remoteDescriptions.at(-1)?.sdp).toContain('a=ice-ufrag:R8');
    expect(negotiationErrors(s.log.events)).toHaveLength(1);
    expect(String((s.log.errors[0] as Error & { cause?: Error }).cause?.message)).toContain('restarted ICE');
    s.session.end();
    expectReleased(s.session);
  });
});
