import type { SignalMessage } from '../signaling/types.js';

/** A realistic audio+video offer SDP as Chrome produces it (host candidates stripped, as with trickle ICE). */
function sampleSdp(type: 'offer' | 'answer'): string {
  const setup = type === 'offer' ? 'actpass' : 'active';
  return [
    'v=0',
    'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0 1',
    'a=extmap-allow-mixed',
    'a=msid-semantic: WMS 5f2d0d5e-0c5c-4bb7-9a55-2a2a7f4b2c11',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    'a=ice-ufrag:Hd8e',
    'a=ice-pwd:Vf3lPq0cJ1k6wZ8xq2UuR9aB',
    'a=ice-options:trickle',
    'a=fingerprint:sha-256 6B:8B:5D:EA:59:04:20:23:29:C8:87:1C:CC:87:32:BE:DD:8C:66:A5:8E:50:55:EA:8C:D3:B6:5C:09:5E:D6:BC',
    `a=setup:${setup}`,
    'a=mid:0',
    'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
    'a=sendrecv',
    'a=msid:5f2d0d5e-0c5c-4bb7-9a55-2a2a7f4b2c11 8e1c2a8f-3d4e-4f5a-9b6c-7d8e9f0a1b2c',
    'a=rtcp-mux',
    'a=rtpmap:111 opus/48000/2',
    'a=rtcp-fb:111 transport-cc',
    'a=fmtp:111 minptime=10;useinbandfec=1',
    'a=ssrc:1001 cname:q0N1Ko7p2Xb3Yc4Z',
    'm=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103',
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    'a=ice-ufrag:Hd8e',
    'a=ice-pwd:Vf3lPq0cJ1k6wZ8xq2UuR9aB',
    'a=ice-options:trickle',
    'a=fingerprint:sha-256 6B:8B:5D:EA:59:04:20:23:29:C8:87:1C:CC:87:32:BE:DD:8C:66:A5:8E:50:55:EA:8C:D3:B6:5C:09:5E:D6:BC',
    `a=setup:${setup}`,
    'a=mid:1',
    'a=sendrecv',
    'a=rtcp-mux',
    'a=rtcp-rsize',
    'a=rtpmap:96 VP8/90000',
    'a=rtcp-fb:96 goog-remb',
    'a=rtcp-fb:96 transport-cc',
    'a=rtcp-fb:96 ccm fir',
    'a=rtcp-fb:96 nack',
    'a=rtcp-fb:96 nack pli',
    'a=rtpmap:97 rtx/90000',
    'a=fmtp:97 apt=96',
    'a=ssrc-group:FID 2001 2002',
    'a=ssrc:2001 cname:q0N1Ko7p2Xb3Yc4Z',
    'a=ssrc:2002 cname:q0N1Ko7p2Xb3Yc4Z',
    '',
  ].join('\r\n');
}

/** An SDP of about `bytes` bytes: the sample padded with plausible `a=` lines (many codecs, many ssrcs). */
export function largeSdp(bytes: number): string {
  const base = sampleSdp('offer');
  const lines: string[] = [];
  let size = base.length;
  for (let i = 0; size < bytes; i++) {
    const line = `a=ssrc:${100_000 + i} msid:stream-${i % 97} track-${i.toString(36).padStart(8, '0')}\r\n`;
    lines.push(line);
    size += line.length;
  }
  return base + lines.join('');
}

/** A host candidate as browsers trickle it. */
export function sampleCandidate(index: number): RTCIceCandidateInit {
  return {
    candidate: `candidate:${842163049 + index} 1 udp 2122260223 192.168.1.${(index % 250) + 2} ${50000 + index} typ host generation 0 ufrag Hd8e network-id 1`,
    sdpMid: '0',
    sdpMLineIndex: 0,
    usernameFragment: 'Hd8e',
  };
}

/** One labelled example of every message type and variant the kit round-trips. */
export function sampleMessages(): { label: string; message: SignalMessage }[] {
  return [
    {
      label: 'description offer',
      message: { type: 'description', description: { type: 'offer', sdp: sampleSdp('offer') } },
    },
    {
      label: 'description answer',
      message: { type: 'description', description: { type: 'answer', sdp: sampleSdp('answer') } },
    },
    { label: 'description rollback', message: { type: 'description', description: { type: 'rollback' } } },
    { label: 'candidate', message: { type: 'candidate', candidate: sampleCandidate(0) } },
    { label: 'candidate null (end of candidates)', message: { type: 'candidate', candidate: null } },
    { label: 'bye', message: { type: 'bye', reason: 'hangup' } },
    { label: 'mute', message: { type: 'mute', kind: 'audio', muted: true } },
    {
      label: 'message with callId',
      message: { type: 'mute', kind: 'video', muted: false, callId: 'call-7f3a' },
    },
  ];
}
