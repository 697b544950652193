/**
 * The WebRTC implementation a session uses. Browsers provide it as globals; in Node pass
 * `@roamhq/wrtc`: `{ RTCPeerConnection: wrtc.RTCPeerConnection, getUserMedia: wrtc.getUserMedia }`.
 * Tests pass the fake runtime from `hangup/testing`.
 */
export interface RtcRuntime {
  RTCPeerConnection: new (configuration?: RTCConfiguration) => RTCPeerConnection;
  getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream>;
  getDisplayMedia?(options?: DisplayMediaStreamOptions): Promise<MediaStream>;
}

/**
 * Resolves the runtime: the one given, else the browser's globals.
 * @throws TypeError when neither is available, saying how to fix it.
 */
export function resolveRuntime(runtime: RtcRuntime | undefined): RtcRuntime {
  if (runtime !== undefined) {
    if (typeof runtime !== 'object' || runtime === null || typeof runtime.RTCPeerConnection !== 'function') {
      throw new TypeError('options.runtime.RTCPeerConnection must be a constructor');
    }
    if (typeof runtime.getUserMedia !== 'function') {
      throw new TypeError('options.runtime.getUserMedia must be a function');
    }
    return runtime;
  }
  const g = globalThis as {
    RTCPeerConnection?: RtcRuntime['RTCPeerConnection'];
    navigator?: { mediaDevices?: MediaDevices };
  };
  if (typeof g.RTCPeerConnection !== 'function') {
    throw new TypeError(
      'no RTCPeerConnection: in Node pass options.runtime from @roamhq/wrtc ({ RTCPeerConnection, getUserMedia })',
    );
  }
  const mediaDevices = g.navigator?.mediaDevices;
  return {
    RTCPeerConnection: g.RTCPeerConnection,
    getUserMedia: (constraints) => {
      if (!mediaDevices?.getUserMedia) {
        return Promise.reject(
          new TypeError('navigator.mediaDevices.getUserMedia is unavailable (insecure context?)'),
        );
      }
      return mediaDevices.getUserMedia(constraints);
    },
    getDisplayMedia: mediaDevices?.getDisplayMedia
      ? (options) => mediaDevices.getDisplayMedia(options)
      : undefined,
  };
}
