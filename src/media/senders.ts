/**
 * Sender plumbing shared by the media controls: find what carries a kind of media, put a track on it,
 * swap a track inside the local stream.
 */

/** The transceiver that sends (or could send) media of `kind`: the first one not stopped. */
function transceiverFor(pc: RTCPeerConnection, kind: 'audio' | 'video'): RTCRtpTransceiver | undefined {
  return pc.getTransceivers().find((transceiver) => {
    if ((transceiver.direction as string) === 'stopped') return false;
    const trackKind = transceiver.sender.track?.kind ?? transceiver.receiver.track?.kind;
    return trackKind === kind;
  });
}

/**
 * Puts `track` on the outgoing media of its kind. An existing sender gets `replaceTrack` (no renegotiation);
 * a receive-only transceiver is turned to send as well (the runtime fires `negotiationneeded`); a call with
 * no transceiver of that kind (audio-only) gets `addTrack`, which renegotiates through perfect negotiation.
 */
export async function sendTrack(
  pc: RTCPeerConnection,
  kind: 'audio' | 'video',
  track: MediaStreamTrack | null,
  stream: MediaStream | undefined,
): Promise<void> {
  const transceiver = transceiverFor(pc, kind);
  if (transceiver) {
    await transceiver.sender.replaceTrack(track);
    if (track && transceiver.direction === 'recvonly') transceiver.direction = 'sendrecv';
    else if (track && transceiver.direction === 'inactive') transceiver.direction = 'sendonly';
    return;
  }
  if (!track) return;
  if (stream) pc.addTrack(track, stream);
  else pc.addTrack(track);
}

/** Replaces `previous` by `next` inside `stream` (the same object, so a `<video>` showing it follows). */
export function swapStreamTrack(
  stream: MediaStream,
  previous: MediaStreamTrack | undefined,
  next: MediaStreamTrack | undefined,
): void {
  if (previous) stream.removeTrack(previous);
  if (next) stream.addTrack(next);
}

/** The first track of `kind` in `stream`. */
export function trackOf(
  stream: MediaStream | undefined,
  kind: 'audio' | 'video',
): MediaStreamTrack | undefined {
  return (kind === 'audio' ? stream?.getAudioTracks() : stream?.getVideoTracks())?.[0];
}
