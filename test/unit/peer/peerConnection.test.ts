import { describe, expect, it } from 'vitest';
import { attachPeerConnection, type PeerConnectionHost } from '../../../src/peer/peerConnection.js';

/** A bare object with only the handler slots, so each test decides which state properties exist. */
function stubPc(state: Record<string, unknown>): RTCPeerConnection & Record<string, unknown> {
  return { ...state } as unknown as RTCPeerConnection & Record<string, unknown>;
}

function handlers(states: RTCPeerConnectionState[]): PeerConnectionHost {
  return {
    negotiationNeeded: () => {},
    iceCandidate: () => {},
    track: () => {},
    connectionState: (state) => states.push(state),
  };
}

describe('attachPeerConnection: connection state', () => {
  it('reads connectionState once per change where the runtime has it (no iceconnectionstatechange)', () => {
    let reads = 0;
    const pc = stubPc({ oniceconnectionstatechange: null });
    Object.defineProperty(pc, 'connectionState', {
      get: () => {
        reads++;
        return 'connected';
      },
    });
    const states: RTCPeerConnectionState[] = [];
    attachPeerConnection(pc, handlers(states));

    // Each state read is a native call in @roamhq/wrtc: the ICE event must not trigger a second one.
    expect(pc.oniceconnectionstatechange).toBeNull();
    (pc.onconnectionstatechange as () => void)();
    expect(states).toEqual(['connected']);
    expect(reads).toBe(1);
  });

  it('falls back to iceconnectionstatechange where connectionState does not exist', () => {
    const pc = stubPc({ iceConnectionState: 'checking' });
    const states: RTCPeerConnectionState[] = [];
    attachPeerConnection(pc, handlers(states));

    (pc.oniceconnectionstatechange as () => void)();
    (pc as Record<string, unknown>).iceConnectionState = 'completed';
    (pc.oniceconnectionstatechange as () => void)();
    expect(states).toEqual(['connecting', 'connected']);
  });
});
