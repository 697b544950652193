/**
 * How much sooner does the remote side learn of a hang-up when signaling loses the `bye`?
 * Runs real @roamhq/wrtc calls; a's signaling drops every `bye`. With the session's data channel the bye
 * also travels over SCTP (and the channel closing is a second hint); without it (`dataChannel: false`) the
 * remote only notices through ICE (disconnected after ~8 s in wrtc, then the grace period and restarts).
 * Logs timings; asserts nothing. Run: npx tsx bench/byeOverDataChannel.ts [runs]
 */
import wrtc from '@roamhq/wrtc';
import {
  CallSession,
  createInMemorySignalingPair,
  type RtcRuntime,
  type SignalingAdapter,
} from '../src/index.js';

const runtime: RtcRuntime = {
  RTCPeerConnection: wrtc.RTCPeerConnection as unknown as RtcRuntime['RTCPeerConnection'],
  getUserMedia: (constraints) => wrtc.getUserMedia(constraints) as unknown as Promise<MediaStream>,
};

async function once(dataChannel: boolean): Promise<{ ms: number; reason: string }> {
  const pair = createInMemorySignalingPair();
  let dropBye = false;
  const lossyA: SignalingAdapter = {
    send: (message) => (dropBye && message.type === 'bye' ? undefined : pair.a.send(message)),
    subscribe: (listener) => pair.a.subscribe(listener),
  };
  const common = { runtime, dataChannel, media: { audio: true, video: false } };
  const a = new CallSession({ signaling: lossyA, polite: true, ...common });
  const b = new CallSession({ signaling: pair.b, polite: false, ...common });
  await Promise.all([a.start(), b.start()]);
  if (dataChannel) {
    const open = new Promise((resolve) => b.once('message', resolve));
    a.send('ready');
    await open;
  }
  dropBye = true;
  const started = performance.now();
  a.end();
  const summary = await b.ended;
  return { ms: performance.now() - started, reason: summary.reason };
}

const runs = Number(process.argv[2] ?? 5);
const modes = process.argv[3] === 'channel-only' ? [true] : [true, false];
for (const dataChannel of modes) {
  const results: { ms: number; reason: string }[] = [];
  // Without the channel each run waits out ICE: one run says enough.
  for (let i = 0; i < (dataChannel ? runs : 1); i++) results.push(await once(dataChannel));
  const ms = results.map((r) => r.ms).sort((x, y) => x - y);
  console.log(
    `dataChannel=${dataChannel}: median ${ms[Math.floor(ms.length / 2)]!.toFixed(1)} ms over ${ms.length} run(s); reasons ${[...new Set(results.map((r) => r.reason))].join(', ')}`,
  );
}
