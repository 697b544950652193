// TEMP trace script (helper, deleted afterwards)
import { CallSession, createInMemorySignalingPair, type RtcRuntime, type SignalingAdapter } from '../src/index.js';
import { getUserMedia, loopbackOnly, RTC_CONFIGURATION, RTCPeerConnectionCtor } from './common.js';
import { rawAdapter } from './adapters/raw.js';

let t0 = 0;
const ts = () => (performance.now() - t0).toFixed(2).padStart(7);
const log: string[] = [];
const runtime: RtcRuntime = { RTCPeerConnection: RTCPeerConnectionCtor, getUserMedia: async (c) => { log.push(`${ts()} gUM start`); const s = await getUserMedia(c); log.push(`${ts()} gUM done`); return s; } };
const logger = (side: string) => ({ debug: (m: string) => log.push(`${ts()} ${side} dbg ${m}`), info: (m: string) => log.push(`${ts()} ${side} info ${m}`), warn: (m: string) => log.push(`${ts()} ${side} warn ${m}`), error: (m: string) => log.push(`${ts()} ${side} err ${m}`) });
const tap = (side: string, s: SignalingAdapter): SignalingAdapter => ({
  send(m) { log.push(`${ts()} ${side} send ${m.type}${m.type === 'description' ? ' ' + m.description.type : m.type === 'candidate' ? ' ' + (m.candidate?.candidate?.split(' ').slice(4, 8).join(' ') ?? 'null') : ''}`); return s.send(m); },
  subscribe: (l) => s.subscribe((e) => { if (e.type === 'message') log.push(`${ts()} ${side} recv ${(e.data as any).type}${(e.data as any).description ? ' ' + (e.data as any).description.type : ''}`); l(e); }),
});
async function hangupOnce(verbose: boolean) {
  log.length = 0;
  const pair = createInMemorySignalingPair();
  t0 = performance.now();
  const make = (side: 'a' | 'b') => {
    const s = new CallSession({ signaling: tap(side, loopbackOnly(pair[side])), polite: side === 'a', runtime, rtcConfiguration: RTC_CONFIGURATION, logger: logger(side) });
    s.on('stateChange', (st: any) => log.push(`${ts()} ${side} state ${JSON.stringify(st)}`));
    return s;
  };
  const a = make('a'); const b = make('b');
  await Promise.all([a.start(), b.start()]);
  const ms = performance.now() - t0;
  log.push(`${ts()} BOTH CONNECTED`);
  await new Promise((r) => setTimeout(r, 30));
  log.push(`${ts()} (after 30ms)`);
  a.end(); await b.ended;
  if (verbose) console.log(log.join('\n'));
  return ms;
}
const mode = process.argv[2] ?? 'trace';
for (let i = 0; i < 5; i++) { await hangupOnce(false); const c = await rawAdapter.connect(); c.hangUp(); await c.remoteEnded; }
if (mode === 'trace') await hangupOnce(true);
else {
  const h: number[] = [], r: number[] = [];
  for (let i = 0; i < 30; i++) { h.push(await hangupOnce(false)); await new Promise((x) => setTimeout(x, 5)); const t = performance.now(); const c = await rawAdapter.connect(); r.push(performance.now() - t); await c.ready; c.hangUp(); await c.remoteEnded; for (const tr of c.localTracks) tr.stop(); await new Promise((x) => setTimeout(x, 5)); }
  const med = (x: number[]) => x.sort((p, q) => p - q)[x.length >> 1]!;
  console.log('hangup', med(h).toFixed(2), 'raw', med(r).toFixed(2));
}
process.exit(0);
