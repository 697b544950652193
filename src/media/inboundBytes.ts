/**
 * Inbound RTP bytes received so far per kind (`inbound-rtp` stats of a `getStats()` read summed), or
 * `undefined` when there is no read (no connection) or it failed (a runtime may reject `getStats()` around
 * `close()`).
 */
export async function readInboundBytes(
  read: Promise<RTCStatsReport> | undefined,
): Promise<Record<'audio' | 'video', number> | undefined> {
  if (!read) return undefined;
  let report: RTCStatsReport;
  try {
    report = await read;
  } catch {
    return undefined;
  }
  const bytes = { audio: 0, video: 0 };
  report.forEach((stat: { type?: string; kind?: string; mediaType?: string; bytesReceived?: number }) => {
    if (stat.type !== 'inbound-rtp') return;
    // `mediaType` is the older name (some @roamhq/wrtc builds still report only it).
    const kind = stat.kind ?? stat.mediaType;
    if ((kind === 'audio' || kind === 'video') && typeof stat.bytesReceived === 'number') {
      bytes[kind] += stat.bytesReceived;
    }
  });
  return bytes;
}
