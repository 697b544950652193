import wrtc from '@roamhq/wrtc';
import type { RtcRuntime } from '../../src/index.js';

/** @roamhq/wrtc as a hangup runtime: fake camera and microphone, real peer connections. */
export const wrtcRuntime: RtcRuntime = {
  RTCPeerConnection: wrtc.RTCPeerConnection as unknown as RtcRuntime['RTCPeerConnection'],
  getUserMedia: (constraints) => wrtc.getUserMedia(constraints) as unknown as Promise<MediaStream>,
};
