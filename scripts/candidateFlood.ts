/**
 * Long variant of test/wrtc/hostilePeer.test.ts: a connected @roamhq/wrtc call whose peer turns hostile.
 *
 *   node --expose-gc --import tsx scripts/candidateFlood.ts                         # 6 000 candidates
 *   node --expose-gc --import tsx scripts/candidateFlood.ts --candidates 10000 --victim polite
 *   node --expose-gc --import tsx scripts/candidateFlood.ts --candidates 128 --restarts 30
 *   node --expose-gc --import tsx scripts/candidateFlood.ts --sections 2200         # one huge offer instead
 *   node --expose-gc --import tsx scripts/candidateFlood.ts --candidates 0 --restarts 30 --listed 128
 *   node --expose-gc --import tsx scripts/candidateFlood.ts --candidates 0 --restarts 50 --listed 128 --keep-ufrag
 *
 * The attacker injects raw signaling: `--candidates` distinct valid host candidates of its current ICE
 * generation; with `--restarts R` it then sends R forged ICE-restart offers (new credentials), each listing
 * `--listed L` candidates in its SDP and followed by as many trickled candidates again (`--keep-ufrag`: the
offers re-offer the same credentials instead, no ICE restart, which must not dodge the limits); with `--sections M` it sends one offer with M extra media sections. The
 * victim is a normal session (`--max-remote N` sets its maxRemoteCandidates). Printed: the victim's error
 * events by code, how many candidates reached its peer connection, the longest event-loop stall, open file
 * descriptors, and how long the victim's `end()` took. Nothing here is an assertion: the bounded checks are
 * in the test; this prints the figures docs/security.md quotes.
 */
import { readdirSync } from 'node:fs';
import wrtc from '@roamhq/wrtc';
import {
  CallSession,
  createInMemorySignalingPair,
  type RtcRuntime,
  type SignalMessage,
} from '../src/index.js';
import { manySectionOffer } from '../test/helpers/hostileSdp.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};
const count = (name: string, fallback: number): number => {
  const value = Number(flag(name) ?? fallback);
  if (!Number.isInteger(value) || value < 0) throw new TypeError(`${name} must be a non-negative integer`);
  return value;
};
const CANDIDATES = count('--candidates', 6_000);
const RESTARTS = count('--restarts', 0);
const SECTIONS = count('--sections', 0);
const LISTED = count('--listed', 0);
const MAX_REMOTE = flag('--max-remote') === undefined ? undefined : count('--max-remote', 128);
const VICTIM_POLITE = flag('--victim') === 'polite';
const KEEP_UFRAG = args.includes('--keep-ufrag');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function openFds(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return -1;
  }
}

let added = 0;
/** Distinct candidates listed in the remote descriptions the victim applied. */
const listedApplied = new Set<string>();
class CountedPeerConnection extends wrtc.RTCPeerConnection {
  override addIceCandidate(candidate?: RTCIceCandidateInit | null): Promise<void> {
    if (candidate) added++;
    return super.addIceCandidate(candidate as never) as Promise<void>;
  }
  override async setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    await (super.setRemoteDescription(description as never) as Promise<void>);
    for (const line of description.sdp?.match(/^a=candidate:.*$/gm) ?? []) listedApplied.add(line);
  }
}
const runtime: RtcRuntime = {
  RTCPeerConnection: wrtc.RTCPeerConnection as unknown as RtcRuntime['RTCPeerConnection'],
  getUserMedia: (constraints) => wrtc.getUserMedia(constraints) as unknown as Promise<MediaStream>,
};
const victimRuntime: RtcRuntime = {
  ...runtime,
  RTCPeerConnection: CountedPeerConnection as unknown as RtcRuntime['RTCPeerConnection'],
};

async function main(): Promise<void> {
  const pair = createInMemorySignalingPair();
  let attackerSdp = '';
  const attacker = new CallSession({
    signaling: {
      send: (message: SignalMessage) => {
        if (message.type === 'description' && message.description.sdp) attackerSdp = message.description.sdp;
        return pair.a.send(message);
      },
      subscribe: (listener) => pair.a.subscribe(listener),
    },
    polite: !VICTIM_POLITE,
    runtime,
    endOnPageHide: false,
  });
  const victim = new CallSession({
    signaling: pair.b,
    polite: VICTIM_POLITE,
    runtime: victimRuntime,
    endOnPageHide: false,
    ...(MAX_REMOTE !== undefined && { maxRemoteCandidates: MAX_REMOTE }),
  });
  const errors = new Map<string, number>();
  victim.on('error', (error) => errors.set(error.code, (errors.get(error.code) ?? 0) + 1));
  const victimTracks: MediaStreamTrack[] = [];
  victim.on('localStream', (stream) => victimTracks.push(...stream.getTracks()));
  await Promise.all([attacker.start(), victim.start()]);
  const fdsBefore = openFds();
  let ufrag = /a=ice-ufrag:(\S+)/.exec(attackerSdp)?.[1] ?? '';

  let maxStall = 0;
  let last = performance.now();
  const watch = setInterval(() => {
    const now = performance.now();
    maxStall = Math.max(maxStall, now - last - 10);
    last = now;
  }, 10);

  let port = 0;
  const flood = () => {
    for (let n = 0; n < CANDIDATES; n++, port++) {
      pair.a.send({
        type: 'candidate',
        candidate: {
          candidate: `candidate:${900_000 + port} 1 udp 2122260223 127.0.0.1 ${1_024 + (port % 60_000)} typ host`,
          sdpMid: '0',
          sdpMLineIndex: 0,
          usernameFragment: ufrag,
        },
      });
    }
  };
  const started = performance.now();
  if (SECTIONS > 0) {
    pair.a.send({
      type: 'description',
      description: { type: 'offer', sdp: manySectionOffer(attackerSdp, SECTIONS) },
    });
  } else {
    flood();
    for (let restart = 1; restart <= RESTARTS; restart++) {
      await sleep(300);
      if (!KEEP_UFRAG) ufrag = `hostile${restart}`;
      const credentials = KEEP_UFRAG
        ? attackerSdp
        : attackerSdp
            .replace(/a=ice-ufrag:\S+/g, `a=ice-ufrag:${ufrag}`)
            .replace(/a=ice-pwd:\S+/g, `a=ice-pwd:hostilepassword${restart}xxxxxxxxxx`);
      const sdp = credentials
        .replace(
          /^o=(\S+) (\d+) (\d+)/m,
          (_m, user, id, version) => `o=${user} ${id} ${Number(version) + restart}`,
        )
        .replace(/a=setup:\w+/g, 'a=setup:actpass');
      let listed = '';
      for (let n = 0; n < LISTED; n++, port++) {
        listed += `a=candidate:${900_000 + port} 1 udp 2122260223 127.0.0.1 ${1_024 + (port % 60_000)} typ host\r\n`;
      }
      pair.a.send({ type: 'description', description: { type: 'offer', sdp: sdp + listed } });
      await sleep(200);
      flood();
    }
  }
  while (pair.pendingDeliveries() > 0) await sleep(20);
  await sleep(2_000);
  const injectedMs = performance.now() - started;
  const fdsUnder = openFds();
  const stateBefore = victim.state;
  const endStarted = performance.now();
  victim.end();
  const endMs = performance.now() - endStarted;
  clearInterval(watch);
  attacker.end();
  const live = victim.liveResources();
  const tracksEnded = victimTracks.every((track) => track.readyState === 'ended');
  victimTracks.length = 0;
  const what =
    SECTIONS > 0
      ? `one offer with ${SECTIONS} extra media sections`
      : KEEP_UFRAG
        ? `${CANDIDATES} candidates, then ${RESTARTS} re-offers keeping the ufrag${LISTED ? `, ${LISTED} listed in each` : ''}`
        : `${CANDIDATES} candidates x ${RESTARTS + 1} generation(s)${LISTED ? `, ${LISTED} listed in each restart offer` : ''}`;
  console.log(
    [
      `hostile peer: ${what}, victim ${VICTIM_POLITE ? 'polite (answering)' : 'impolite (offering)'}, maxRemoteCandidates ${MAX_REMOTE ?? 'default'}`,
      `  delivered and settled in ${injectedMs.toFixed(0)} ms; victim state before end(): ${stateBefore}`,
      `  error events: ${JSON.stringify(Object.fromEntries(errors))}`,
      `  candidates that reached the victim's peer connection: ${added} trickled, ${listedApplied.size} listed in applied descriptions`,
      `  longest event-loop stall: ${maxStall.toFixed(0)} ms; open fds ${fdsBefore} before, ${fdsUnder} under attack`,
      `  victim end(): ${endMs.toFixed(1)} ms; released: ${JSON.stringify(live)}; tracks ended: ${tracksEnded}`,
    ].join('\n'),
  );
  (globalThis as { gc?: () => void }).gc?.();
  await sleep(100);
}

await main();
