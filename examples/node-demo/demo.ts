/**
 * A real call in one Node process: two CallSessions over the in-memory signaling pair, each sending a
 * generated test pattern and tone (`hangup/node`: wrtc's own getUserMedia tracks send no RTP). Each side
 * counts the video frames and audio chunks it decodes. Prints a timeline and a teardown audit for both sides.
 *
 *   npm run demo                      # the call runs into its 6 s limit ('expired')
 *   npm run demo -- --end hangup      # alice hangs up after 2 s
 *   npm run demo -- --end peer-left   # signaling reports bob gone
 *   npm run demo -- --end finalize    # the server finalizes the call
 */
import wrtc from '@roamhq/wrtc';
import {
  CallSession,
  createInMemorySignalingPair,
  type EndSummary,
  type RtcRuntime,
} from '../../src/index.js';
import { createNodeMediaRuntime, type WrtcModuleLike } from '../../src/node/index.js';

type Ending = 'expire' | 'hangup' | 'peer-left' | 'finalize';
const ENDINGS: readonly Ending[] = ['expire', 'hangup', 'peer-left', 'finalize'];

function parseEnding(argv: readonly string[]): Ending {
  const index = argv.indexOf('--end');
  const value = index >= 0 ? argv[index + 1] : 'expire';
  if (!ENDINGS.includes(value as Ending)) {
    console.error(`unknown --end ${value}; use one of: ${ENDINGS.join(', ')}`);
    process.exit(2);
  }
  return value as Ending;
}

const ending = parseEnding(process.argv.slice(2));
const t0 = performance.now();
const stamp = (): string => `${String(Math.round(performance.now() - t0)).padStart(6)} ms`;
const say = (who: string, text: string): void => console.log(`${stamp()}  ${who.padEnd(5)} ${text}`);

/** Peer connections created by either side, so the audit can check they were closed. */
const createdPeerConnections: { who: string; pc: RTCPeerConnection }[] = [];
/** One media runtime for both sides: generated frames and tone; `runningGenerators` is audited at the end. */
const media = createNodeMediaRuntime(wrtc as unknown as WrtcModuleLike);
function runtimeFor(who: string): RtcRuntime {
  const RTCPeerConnectionImpl = media.RTCPeerConnection;
  return {
    RTCPeerConnection: class extends RTCPeerConnectionImpl {
      constructor(configuration?: RTCConfiguration) {
        super(configuration);
        createdPeerConnections.push({ who, pc: this });
      }
    },
    getUserMedia: (constraints) => media.getUserMedia(constraints),
  };
}

/** Frames and audio chunks each side decodes from the other (wrtc's nonstandard sinks). */
type Sink = { onframe?: (() => void) | null; ondata?: (() => void) | null; stop(): void };
const sinkTypes = wrtc.nonstandard as unknown as {
  RTCVideoSink: new (track: MediaStreamTrack) => Sink;
  RTCAudioSink: new (track: MediaStreamTrack) => Sink;
};
const received: Record<string, { frames: number; chunks: number; sinks: Sink[] }> = {
  alice: { frames: 0, chunks: 0, sinks: [] },
  bob: { frames: 0, chunks: 0, sinks: [] },
};
function countRemoteMedia(who: string, stream: MediaStream): void {
  const tally = received[who];
  if (!tally) return;
  for (const track of stream.getTracks()) {
    if (track.kind === 'video') {
      const sink = new sinkTypes.RTCVideoSink(track);
      sink.onframe = () => tally.frames++;
      tally.sinks.push(sink);
    } else {
      const sink = new sinkTypes.RTCAudioSink(track);
      sink.ondata = () => tally.chunks++;
      tally.sinks.push(sink);
    }
  }
}
function stopSinks(): void {
  for (const tally of Object.values(received)) {
    for (const sink of tally.sinks.splice(0)) {
      sink.onframe = null;
      sink.ondata = null;
      sink.stop();
    }
  }
}

const pair = createInMemorySignalingPair({ latencyMs: 5 });
const limitMs = 6_000;
const sessions = {
  alice: new CallSession({
    signaling: pair.a,
    polite: true,
    runtime: runtimeFor('alice'),
    maxDurationMs: limitMs,
    expiryWarningMs: 2_000,
  }),
  bob: new CallSession({
    signaling: pair.b,
    polite: false,
    runtime: runtimeFor('bob'),
    maxDurationMs: limitMs,
    expiryWarningMs: 2_000,
  }),
};
/** Every local track either side acquired, for the audit. */
const localTracks: Record<string, MediaStreamTrack[]> = { alice: [], bob: [] };

for (const [who, session] of Object.entries(sessions)) {
  session.on('stateChange', (state, previous) => say(who, `${previous} → ${state}`));
  session.on('localStream', (stream) => {
    localTracks[who]?.push(...stream.getTracks());
    say(
      who,
      `camera and mic on (${stream
        .getTracks()
        .map((t) => t.kind)
        .join(' + ')})`,
    );
  });
  session.on('remoteStream', (stream) => say(who, `receiving ${stream.getTracks().length} remote tracks`));
  session.on('expiring', ({ remainingMs }) => say(who, `expiring: ${Math.round(remainingMs / 1000)} s left`));
  session.on('error', (error) => say(who, `error ${error.code}: ${error.message}`));
  session.on('ended', (summary) =>
    say(who, `ENDED: ${summary.reason} after ${(summary.durationMs / 1000).toFixed(1)} s connected`),
  );
}
sessions.alice.on('tick', ({ remainingMs }) => {
  if (remainingMs !== undefined) say('alice', `countdown ${Math.round(remainingMs / 1000)} s`);
});

console.log(`hangup demo: a real WebRTC call in Node (@roamhq/wrtc), ending by: ${ending}\n`);
await Promise.all([sessions.alice.start(), sessions.bob.start()]);
say('both', 'connected');
// The second remote track may land just after `connected`; wait for it a little (bounded), then count.
for (let waited = 0; waited < 2_000; waited += 20) {
  if (Object.values(sessions).every((session) => session.remoteStream?.getTracks().length === 2)) break;
  await new Promise((resolve) => setTimeout(resolve, 20));
}
for (const [who, session] of Object.entries(sessions)) {
  if (session.remoteStream) countRemoteMedia(who, session.remoteStream);
}

if (ending !== 'expire') {
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  if (ending === 'hangup') {
    for (const [who, tally] of Object.entries(received)) {
      say(who, `decoded ${tally.frames} video frames and ${tally.chunks} audio chunks so far`);
    }
    say('alice', 'presses "End call"');
    sessions.alice.end();
  } else if (ending === 'peer-left') {
    say('relay', "bob's connection dropped: signaling reports peer-left to alice");
    pair.leave('b');
  } else {
    say('relay', 'server finalizes the session');
    pair.finalize({ by: 'demo' });
  }
}
// With peer-left, bob is told nothing by signaling: he learns it when alice's side closes the call's data
// channel (within PEER_CLOSE_GRACE_MS), long before ICE would notice.
const summaries: Record<string, EndSummary> = {
  alice: await sessions.alice.ended,
  bob: await sessions.bob.ended,
};

stopSinks();
console.log('\nteardown audit');
let clean = true;
for (const [who, session] of Object.entries(sessions)) {
  const tracks = localTracks[who] ?? [];
  const stopped = tracks.filter((track) => track.readyState === 'ended').length;
  const pcs = createdPeerConnections.filter((entry) => entry.who === who);
  const closed = pcs.filter((entry) => entry.pc.signalingState === 'closed').length;
  const live = session.liveResources();
  const rows: [string, boolean][] = [
    [`ended with '${summaries[who]?.reason}'`, session.state === 'ended'],
    [`tracks stopped ${stopped}/${tracks.length}`, tracks.length > 0 && stopped === tracks.length],
    [`peer connection closed ${closed}/${pcs.length}`, pcs.length > 0 && closed === pcs.length],
    [`timers ${live.timers}`, live.timers === 0],
    [`listeners ${session.eventNames().length}`, session.eventNames().length === 0],
    [`DOM listeners ${live.domListeners}`, live.domListeners === 0],
    [
      `signaling subscription ${live.signalingSubscribed ? 'still active' : 'dropped'}`,
      !live.signalingSubscribed,
    ],
    [`queued candidates ${live.queuedCandidates}`, live.queuedCandidates === 0],
    [`media requests in flight ${live.pendingAcquisitions}`, live.pendingAcquisitions === 0],
    [`video frames decoded from the peer: ${received[who]?.frames}`, (received[who]?.frames ?? 0) > 0],
    [
      `session holds streams: ${session.localStream || session.remoteStream ? 'yes' : 'no'}`,
      !session.localStream,
    ],
  ];
  console.log(`  ${who}`);
  for (const [text, ok] of rows) {
    console.log(`    ${ok ? '✔' : '✘'} ${text}`);
    clean &&= ok;
  }
}
// Let go of the closed connections and stopped tracks: @roamhq/wrtc can crash at exit while they are
// still reachable.
console.log(`  media generators still running: ${media.runningGenerators}`);
clean &&= media.runningGenerators === 0;
createdPeerConnections.length = 0;
localTracks.alice = [];
localTracks.bob = [];
pair.close();
// Collect them now if we may (`npm run demo` passes --expose-gc), rather than leaving it to exit.
(globalThis as { gc?: () => void }).gc?.();
console.log(clean ? '\nall released: nothing of either call is left running' : '\nLEAK: see ✘ above');
// Exit explicitly: a process whose calls carried RTP from wrtc's nonstandard sources crashes (SIGSEGV or
// SIGABRT) in wrtc's native shutdown when it exits by running out of work, even with everything released and
// collected; `process.exit` skips that path (measured: 3 of 3 crashes without it, 0 of 5 with it).
process.exit(clean ? 0 : 1);
