import { describe, expect, it } from 'vitest';
import { isInvalidSignalError } from '../../../src/errors/InvalidSignalError.js';
import { DEFAULT_SIGNAL_LIMITS, parseSignalMessage } from '../../../src/signaling/parseSignalMessage.js';
import { settle } from '../../../src/testing/index.js';
import { driveTo, expectReleased, remoteSdp, solo } from '../../helpers/fakeCall.js';

const HEAD = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';

/** An SDP with `sections` media sections, each with `candidatesPerSection` candidate lines. */
function sdpWith(sections: number, candidatesPerSection = 0, ufrag = 'R1'): string {
  let sdp = `${HEAD}a=ice-ufrag:${ufrag}\r\na=ice-pwd:pw${ufrag}pw${ufrag}pw${ufrag}pw${ufrag}\r\n`;
  for (let m = 0; m < sections; m++) {
    sdp += `m=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\na=mid:${m}\r\na=sendrecv\r\n`;
    for (let c = 0; c < candidatesPerSection; c++) {
      sdp += `a=candidate:${c} 1 udp 2122260223 10.0.${m % 256}.${c % 256} ${10000 + c} typ host\r\n`;
    }
  }
  return sdp;
}

const offer = (sdp: string) => ({ type: 'description', description: { type: 'offer', sdp } });

function rejection(data: unknown): string | undefined {
  try {
    parseSignalMessage(data);
    return undefined;
  } catch (error) {
    expect(isInvalidSignalError(error)).toBe(true);
    return (error as Error).message;
  }
}

describe('parseSignalMessage: what an SDP may ask the runtime to build', () => {
  it('accepts 16 media sections and refuses 17 with InvalidSignalError', () => {
    expect(rejection(offer(sdpWith(16)))).toBeUndefined();
    expect(rejection(offer(sdpWith(17)))).toBe(
      'invalid signal message: description.sdp has more than 16 media sections (m= lines)',
    );
  });

  it('refuses the 2 200-section description that fits under the 256 KiB size limit', () => {
    const sdp = sdpWith(2_200);
    expect(new TextEncoder().encode(sdp).length).toBeLessThan(DEFAULT_SIGNAL_LIMITS.maxSdpBytes);
    expect(rejection(offer(sdp))).toMatch(/more than 16 media sections/);
    // An answer and a pranswer carry the same risk.
    for (const type of ['answer', 'pranswer', 'rollback']) {
      expect(rejection({ type: 'description', description: { type, sdp } })).toMatch(/media sections/);
    }
  });

  it('accepts 128 candidate lines and refuses 129, counted over every section', () => {
    expect(rejection(offer(sdpWith(4, 32)))).toBeUndefined();
    expect(rejection(offer(`${sdpWith(4, 32)}a=candidate:x 1 udp 1 10.9.9.9 9 typ host\r\n`))).toBe(
      'invalid signal message: description.sdp lists more than 128 candidates',
    );
    expect(rejection(offer(sdpWith(1, 3_000)))).toMatch(/more than 128 candidates/);
  });

  it('accepts 4 096 lines and refuses 4 097, whatever the lines are', () => {
    const lines = (n: number) => `${HEAD}${'a=x\r\n'.repeat(n - 4)}`;
    expect(rejection(offer(lines(4_096)))).toBeUndefined();
    expect(rejection(offer(lines(4_097)))).toBe(
      'invalid signal message: description.sdp has more than 4096 lines',
    );
    // Bare \n line ends count the same; a final line without an end counts too.
    expect(rejection(offer(`${'a=x\n'.repeat(4_096)}a=y`))).toMatch(/more than 4096 lines/);
    expect(rejection(offer('a=x\n'.repeat(4_096)))).toBeUndefined();
  });

  it('counts only line starts: m= or a=candidate: inside a line is not a section or a candidate', () => {
    const inline = `${HEAD}a=note:${'m=audio a=candidate:1 '.repeat(100)}\r\n`;
    expect(rejection(offer(inline))).toBeUndefined();
  });

  it('honours custom limits, and validates them', () => {
    expect(() => parseSignalMessage(offer(sdpWith(3)), { maxMediaSections: 2 })).toThrow(/more than 2 media/);
    expect(() => parseSignalMessage(offer(sdpWith(40)), { maxMediaSections: 40 })).not.toThrow();
    expect(() => parseSignalMessage(offer(sdpWith(1, 2)), { maxSdpCandidates: 1 })).toThrow(/candidates/);
    expect(() => parseSignalMessage(offer(sdpWith(1)), { maxSdpLines: 3 })).toThrow(/more than 3 lines/);
    expect(() => parseSignalMessage(offer(sdpWith(1)), { maxSdpLines: -1 })).toThrow(TypeError);
  });
});

describe('a session given an oversized description', () => {
  it('drops it with an INVALID_SIGNAL error before the runtime sees it, and stays consistent', async () => {
    const s = solo();
    await driveTo(s, 'connected');
    const applied = s.pc().remoteDescriptions.length;
    s.signaling.message(offer(sdpWith(2_200)));
    s.signaling.message(offer(sdpWith(1, 1_000, 'R2')));
    await settle();
    expect(s.log.errors.map((error) => error.message)).toEqual([
      'invalid signal message: description.sdp has more than 16 media sections (m= lines)',
      'invalid signal message: description.sdp lists more than 128 candidates',
    ]);
    expect(s.pc().remoteDescriptions).toHaveLength(applied);
    expect(s.pc().signalingState).toBe('stable');
    expect(s.session.state).toBe('connected');
    // A sane renegotiation afterwards still goes through.
    s.signaling.message({ type: 'description', description: remoteSdp('offer', 'R1', 2) });
    await settle();
    expect(s.pc().remoteDescriptions).toHaveLength(applied + 1);
    s.session.end();
    expectReleased(s.session);
  });
});
