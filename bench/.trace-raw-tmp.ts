// TEMP trace (helper, deleted afterwards)
import { RTCPeerConnectionCtor } from './common.js';
import { rawAdapter } from './adapters/raw.js';
let t0 = 0; const log: string[] = [];
const ts = () => (performance.now() - t0).toFixed(2).padStart(7);
const P = (RTCPeerConnectionCtor as any).prototype;
const ids = new WeakMap<object, string>(); let n = 0;
const id = (pc: object) => { if (!ids.has(pc)) ids.set(pc, `pc${n++ % 2 ? 'B' : 'A'}`); return ids.get(pc); };
for (const m of ['createOffer', 'createAnswer', 'setLocalDescription', 'setRemoteDescription', 'addTrack', 'createDataChannel']) {
  const orig = P[m];
  P[m] = function (this: any, ...args: any[]) {
    const t = performance.now(); const r = orig.apply(this, args); const sync = (performance.now() - t).toFixed(2);
    if (r && typeof r.then === 'function') { log.push(`${ts()} ${id(this)} ${m} called (sync ${sync})`); return r.then((v: any) => { log.push(`${ts()} ${id(this)} ${m} resolved`); return v; }); }
    log.push(`${ts()} ${id(this)} ${m} sync ${sync}ms`); return r;
  };
}
const d = Object.getOwnPropertyDescriptor(P, 'onconnectionstatechange');
console.log('desc', !!d);
async function once(v: boolean) {
  log.length = 0; n = 0; t0 = performance.now();
  const c = await rawAdapter.connect(); log.push(`${ts()} BOTH CONNECTED`);
  await c.ready; c.hangUp(); await c.remoteEnded; for (const tr of c.localTracks) tr.stop();
  if (v) console.log(log.join('\n'));
}
for (let i = 0; i < 5; i++) await once(false);
await once(true);
process.exit(0);
