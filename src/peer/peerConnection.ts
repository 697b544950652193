/** What {@link attachPeerConnection} calls on its host (the peer link). */
export interface PeerConnectionHost {
  negotiationNeeded(): void;
  iceCandidate(candidate: RTCIceCandidate | null): void;
  track(event: RTCTrackEvent): void;
  /** Called with the combined connection state whenever either state changes. */
  connectionState(state: RTCPeerConnectionState): void;
}

/** Every `on*` handler hangup may set; all are cleared before `close()`. */
const HANDLER_PROPERTIES = [
  'onnegotiationneeded',
  'onicecandidate',
  'ontrack',
  'onconnectionstatechange',
  'oniceconnectionstatechange',
  'onicegatheringstatechange',
  'onsignalingstatechange',
  'ondatachannel',
  'onicecandidateerror',
] as const;

/**
 * Wires the handlers through `on*` properties (one slot each, so they can be detached without keeping
 * references to listener functions).
 */
export function attachPeerConnection(pc: RTCPeerConnection, host: PeerConnectionHost): void {
  pc.onnegotiationneeded = () => host.negotiationNeeded();
  pc.onicecandidate = (event) => host.iceCandidate(event.candidate);
  pc.ontrack = (event) => host.track(event);
  const onState = () => host.connectionState(connectionStateOf(pc));
  pc.onconnectionstatechange = onState;
  // `iceconnectionstatechange` is only the fallback for runtimes without `connectionState`: where both
  // exist, every change arrives as a `connectionstatechange` anyway, and in @roamhq/wrtc each state read is a
  // synchronous native call (~50–100 µs) that would otherwise run twice per change while the call connects.
  if (!Reflect.has(pc, 'connectionState')) pc.oniceconnectionstatechange = onState;
}

/**
 * Detaches every handler, then closes. Handlers go first because @roamhq/wrtc fires state events from
 * `close()` itself, and nothing may react to a connection the session already let go. Returns what threw.
 */
export function closePeerConnection(pc: RTCPeerConnection): unknown[] {
  const failures: unknown[] = [];
  for (const property of HANDLER_PROPERTIES) {
    try {
      (pc as unknown as Record<string, unknown>)[property] = null;
    } catch (error) {
      failures.push(error);
    }
  }
  try {
    pc.close();
  } catch (error) {
    failures.push(error);
  }
  return failures;
}

/**
 * `connectionState`, or where a runtime lacks it, the same thing derived from `iceConnectionState`.
 */
function connectionStateOf(pc: RTCPeerConnection): RTCPeerConnectionState {
  const state = pc.connectionState;
  if (typeof state === 'string') return state;
  switch (pc.iceConnectionState) {
    case 'checking':
      return 'connecting';
    case 'completed':
    case 'connected':
      return 'connected';
    default:
      return pc.iceConnectionState as RTCPeerConnectionState;
  }
}

/** A candidate as plain JSON (runtimes differ on whether `toJSON` exists). */
export function candidateToJson(candidate: RTCIceCandidate): RTCIceCandidateInit {
  const init: RTCIceCandidateInit = {
    candidate: candidate.candidate,
    sdpMid: candidate.sdpMid ?? null,
    sdpMLineIndex: candidate.sdpMLineIndex ?? null,
  };
  if (candidate.usernameFragment) init.usernameFragment = candidate.usernameFragment;
  return init;
}
