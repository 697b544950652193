// TEMP comparison (helper, deleted afterwards)
import { CallSession, createInMemorySignalingPair, type RtcRuntime } from '../src/index.js';
import { getUserMedia, loopbackOnly, RTC_CONFIGURATION, RTCPeerConnectionCtor, stopLeftovers, type BenchAdapter } from './common.js';
import { rawAdapter } from './adapters/raw.js';
import * as X from '../.exp-src-tmp/index.js';
const runtime: RtcRuntime = { RTCPeerConnection: RTCPeerConnectionCtor, getUserMedia };
const variant = (politeSide: 'a' | 'b', CS: any = CallSession): BenchAdapter => ({
  name: 'hangup' as const,
  async connect() {
    const pair = createInMemorySignalingPair();
    const localTracks: MediaStreamTrack[] = [];
    const make = (side: 'a' | 'b') => { const s: CallSession = new CS({ signaling: loopbackOnly(pair[side]), polite: side === politeSide, runtime, rtcConfiguration: RTC_CONFIGURATION }); s.on('localStream', (st) => localTracks.push(...st.getTracks())); return s; };
    const a = make('a'); const b = make('b');
    const remoteEnded = b.ended.then(() => undefined);
    await Promise.all([a.start(), b.start()]);
    return { localTracks, hangUp: () => a.end(), remoteEnded };
  },
});
const adapters: Record<string, BenchAdapter> = { raw: rawAdapter, politeA: variant('a'), politeB: variant('b'), exp: variant('a', X.CallSession) };
const names = (process.argv[2] ?? 'raw,politeA,politeB').split(',');
const res: Record<string, { c: number[]; h: number[] }> = Object.fromEntries(names.map((n) => [n, { c: [], h: [] }]));
const pause = (ms = 5) => new Promise((r) => setTimeout(r, ms));
for (let i = 0; i < 45; i++) {
  for (let k = 0; k < names.length; k++) {
    const name = names[(i + k) % names.length]!;
    const t = performance.now(); const c = await adapters[name]!.connect(); const cm = performance.now() - t;
    if (c.ready) await c.ready;
    const t1 = performance.now(); c.hangUp(); await c.remoteEnded; const hm = performance.now() - t1;
    stopLeftovers(c.localTracks);
    if (i >= 5) { res[name]!.c.push(cm); res[name]!.h.push(hm); }
    await pause();
  }
}
const med = (x: number[]) => [...x].sort((p, q) => p - q)[x.length >> 1]!;
const rc = med(res.raw?.c ?? [1]), rh = med(res.raw?.h ?? [1]);
for (const n of names) console.log(n.padEnd(8), 'connect', med(res[n]!.c).toFixed(2), (med(res[n]!.c) / rc).toFixed(2) + 'x', ' hangup', med(res[n]!.h).toFixed(2), (med(res[n]!.h) / rh).toFixed(2) + 'x');
process.exit(0);
