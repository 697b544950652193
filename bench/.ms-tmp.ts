// TEMP milestones (helper, deleted afterwards)
import wrtc from '@roamhq/wrtc';
import { rawAdapter } from './adapters/raw.js';
import { hangupAdapter } from './adapters/hangup.js';
import { stopLeftovers, type BenchAdapter } from './common.js';
const P = (wrtc.RTCPeerConnection as any).prototype;
let t0 = 0; let marks: Record<string, number> = {};
const mark = (k: string) => { if (!(k in marks)) marks[k] = performance.now() - t0; };
const wrap = (m: string, before: (a: any[]) => string | undefined, after?: (a: any[]) => string | undefined) => {
  const o = P[m]; P[m] = function (this: any, ...a: any[]) { const b = before(a); if (b) mark(b); const r = o.apply(this, a); const af = after?.(a); if (af) r.then(() => mark(af)); return r; };
};
wrap('createOffer', () => '1 createOffer');
wrap('setLocalDescription', (a) => a[0]?.type === 'offer' ? '2a SLD offer call' : a[0]?.type === 'answer' ? '4a SLD answer call' : undefined, (a) => a[0]?.type === 'offer' ? '2b SLD offer done' : a[0]?.type === 'answer' ? '4b SLD answer done' : undefined);
wrap('setRemoteDescription', (a) => a[0]?.type === 'offer' ? '3 SRD offer call' : '5a SRD answer call', (a) => a[0]?.type === 'offer' ? undefined : '5b SRD answer done');
const gum = wrtc.getUserMedia; (wrtc as any).getUserMedia = (...a: any[]) => gum.apply(wrtc, a).then((s: any) => { mark('0 gum done'); return s; });
const adapters: Record<string, BenchAdapter> = { raw: rawAdapter, hangup: hangupAdapter };
const all: Record<string, Record<string, number[]>> = { raw: {}, hangup: {} };
for (let i = 0; i < 60; i++) for (const name of i % 2 ? ['raw', 'hangup'] : ['hangup', 'raw']) {
  marks = {}; t0 = performance.now();
  const c = await adapters[name]!.connect(); mark('6 connected');
  if (c.ready) await c.ready; c.hangUp(); await c.remoteEnded; stopLeftovers(c.localTracks);
  if (i >= 10) for (const [k, v] of Object.entries(marks)) (all[name]![k] ??= []).push(v);
  await new Promise((r) => setTimeout(r, 5));
}
const med = (x: number[]) => [...x].sort((p, q) => p - q)[x.length >> 1]!;
const keys = Object.keys(all.hangup!).sort();
console.log('milestone'.padEnd(22), 'raw'.padStart(7), 'hangup'.padStart(7));
for (const k of keys) console.log(k.padEnd(22), med(all.raw![k] ?? [NaN]).toFixed(2).padStart(7), med(all.hangup![k]!).toFixed(2).padStart(7));
process.exit(0);
