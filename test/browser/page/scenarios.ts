/**
 * Runs inside Chromium (bundled by esbuild, see ../harness.ts). Every scenario uses the real `getUserMedia`
 * (fake camera and microphone) and the real `RTCPeerConnection`, and checks the teardown guarantee *inside the
 * page*, at the moment the ending call returns (or, for ends that come from outside, inside the `ended` event,
 * which teardown emits after releasing everything).
 */
import {
  BroadcastChannelSignaling,
  CallSession,
  type CallSessionOptions,
  createInMemorySignalingPair,
  type LiveResources,
  type Logger,
} from '../../../src/index.js';

/** What the page saw for one session when it ended. */
export interface EndCheck {
  name: string;
  reason: string | undefined;
  /** Local tracks of this session not yet `ended` right when teardown returned / `ended` fired. */
  liveTracksAtEnd: number;
  /** Local tracks this session had shown (0 means it never got media). */
  localTracks: number;
  resourcesAtEnd: LiveResources;
  /** The session's peer connection state right at the end (`closed` expected). */
  pcSignalingStateAtEnd: string | undefined;
  localStreamCleared: boolean;
}

/** Page-wide audit: everything getUserMedia ever handed out and every peer connection ever created. */
export interface PageAudit {
  gumTracks: number;
  liveGumTracks: number;
  /** Tracks getDisplayMedia handed out, and how many of them are not `ended`. */
  displayTracks: number;
  liveDisplayTracks: number;
  peerConnections: number;
  openPeerConnections: number;
}

// ——— instrumentation: record every stream and connection the page creates ———

const gumStreams: MediaStream[] = [];
const gumArrivals: ((stream: MediaStream) => void)[] = [];
const mediaDevices = navigator.mediaDevices;
const realGetUserMedia = mediaDevices.getUserMedia.bind(mediaDevices);
mediaDevices.getUserMedia = async (constraints) => {
  const stream = await realGetUserMedia(constraints);
  gumStreams.push(stream);
  for (const notify of gumArrivals.splice(0)) notify(stream);
  return stream;
};
const displayStreams: MediaStream[] = [];
const realGetDisplayMedia = mediaDevices.getDisplayMedia.bind(mediaDevices);
mediaDevices.getDisplayMedia = async (options) => {
  const stream = await realGetDisplayMedia(options);
  displayStreams.push(stream);
  return stream;
};
const peerConnections: RTCPeerConnection[] = [];
const RealPeerConnection = window.RTCPeerConnection;
window.RTCPeerConnection = class extends RealPeerConnection {
  constructor(configuration?: RTCConfiguration) {
    super(configuration);
    peerConnections.push(this);
  }
};

function audit(): PageAudit {
  const tracks = gumStreams.flatMap((stream) => stream.getTracks());
  const display = displayStreams.flatMap((stream) => stream.getTracks());
  return {
    gumTracks: tracks.length,
    liveGumTracks: tracks.filter((track) => track.readyState !== 'ended').length,
    displayTracks: display.length,
    liveDisplayTracks: display.filter((track) => track.readyState !== 'ended').length,
    peerConnections: peerConnections.length,
    openPeerConnections: peerConnections.filter((pc) => pc.signalingState !== 'closed').length,
  };
}

// ——— sessions with an end check ———

interface Tracked {
  name: string;
  session: CallSession;
  check: Promise<EndCheck>;
  /** Checks right now (call it right after the ending call returns). */
  checkNow(): EndCheck;
  /** The peer connection the session created (kept after the end, so its final state can be read). */
  pc(): RTCPeerConnection | undefined;
  /** Codes of the `error` events the session emitted. */
  errors: string[];
  /** What the session logged (debug and above), unless `options.logger` was given. */
  debug: string[];
}

/** A logger that keeps every line's message (details such as SDP are left out). */
function recordingLogger(lines: string[]): Logger {
  const keep = (message: string) => {
    lines.push(message);
  };
  return { debug: keep, info: keep, warn: keep, error: keep };
}

/** How many offer collisions the sessions' logs report. */
function collisions(...sessions: Tracked[]): number {
  return sessions.flatMap((s) => s.debug).filter((line) => line.startsWith('offer collision')).length;
}

/**
 * Builds a session whose runtime is the browser's own (`getUserMedia` through the recorder above), with the
 * peer connection it creates remembered, so its state can be read at the end.
 */
function track(name: string, options: CallSessionOptions): Tracked {
  let tracks: MediaStreamTrack[] = [];
  let pc: RTCPeerConnection | undefined;
  const Recorded = window.RTCPeerConnection;
  const runtime = options.runtime ?? {
    RTCPeerConnection: class extends Recorded {
      constructor(configuration?: RTCConfiguration) {
        super(configuration);
        pc = this;
      }
    },
    getUserMedia: (constraints: MediaStreamConstraints) => mediaDevices.getUserMedia(constraints),
    getDisplayMedia: (displayOptions?: DisplayMediaStreamOptions) =>
      mediaDevices.getDisplayMedia(displayOptions),
  };
  const debug: string[] = [];
  const session = new CallSession({ logger: recordingLogger(debug), ...options, runtime });
  session.on('localStream', (stream) => {
    tracks = stream.getTracks();
  });
  const checkNow = (): EndCheck => ({
    name,
    reason: session.endReason,
    liveTracksAtEnd: tracks.filter((t) => t.readyState !== 'ended').length,
    localTracks: tracks.length,
    resourcesAtEnd: session.liveResources(),
    pcSignalingStateAtEnd: pc?.signalingState,
    localStreamCleared: session.localStream === undefined && session.remoteStream === undefined,
  });
  const check = new Promise<EndCheck>((resolve) => {
    session.on('ended', () => resolve(checkNow()));
  });
  const errors: string[] = [];
  session.on('error', (error) => errors.push(`${error.code}: ${error.message}`));
  return { name, session, check, checkNow, pc: () => pc, errors, debug };
}

const base: Partial<CallSessionOptions> = { media: { audio: true, video: true }, connectTimeoutMs: 20_000 };

function pairOfSessions(
  options: Partial<CallSessionOptions> = {},
  optionsA: Partial<CallSessionOptions> = {},
  optionsB: Partial<CallSessionOptions> = {},
) {
  const pair = createInMemorySignalingPair();
  const a = track('a', { ...base, ...options, ...optionsA, signaling: pair.a, polite: true });
  const b = track('b', { ...base, ...options, ...optionsB, signaling: pair.b, polite: false });
  return { pair, a, b };
}

async function connected(...sessions: Tracked[]): Promise<void> {
  await Promise.all(sessions.map((s) => s.session.start()));
}

/** Waits until the browser has had a chance to deliver anything still in flight (late tracks, events). */
function settle(ms = 50): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface ScenarioResult {
  /** Checks taken synchronously right after the ending call returned (sync end paths only). */
  immediate: EndCheck[];
  /** Checks taken inside each session's `ended` event. */
  ended: EndCheck[];
  audit: PageAudit;
  /** Scenario-specific facts. */
  extra?: Record<string, unknown>;
}

/**
 * The tail of every two-session scenario: waits for both ends, closes the pair, lets late events arrive,
 * then audits the page.
 */
async function bothEnded(
  pair: { close(): void },
  sides: [Tracked, Tracked],
  immediate: EndCheck[],
  /** Read once both ended and the page settled, so it sees whatever their teardowns reported. */
  extra?: () => Record<string, unknown> | Promise<Record<string, unknown>>,
): Promise<ScenarioResult> {
  const ended = await Promise.all(sides.map((side) => side.check));
  pair.close();
  await settle();
  const facts = await extra?.();
  return { immediate, ended, audit: audit(), ...(facts && { extra: facts }) };
}

type Ending = 'hangup-a' | 'hangup-b' | 'peer-left' | 'finalize' | 'pagehide-event';

/** Connects two sessions over the in-memory pair, then ends the call the given way. */
async function inMemoryCall(ending: Ending): Promise<ScenarioResult> {
  const { pair, a, b } = pairOfSessions();
  await connected(a, b);
  const immediate: EndCheck[] = [];
  switch (ending) {
    case 'hangup-a':
      a.session.end();
      immediate.push(a.checkNow());
      break;
    case 'hangup-b':
      b.session.end();
      immediate.push(b.checkNow());
      break;
    case 'peer-left':
      pair.leave('a');
      // `a` is still alive (only its signaling went); its owner hangs it up after `b` noticed.
      await b.check;
      a.session.end();
      immediate.push(a.checkNow());
      break;
    case 'finalize':
      pair.finalize({ reason: 'test' });
      break;
    case 'pagehide-event':
      window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false }));
      immediate.push(a.checkNow(), b.checkNow());
      break;
  }
  return bothEnded(pair, [a, b], immediate);
}

/** `a` has a short `maxDurationMs`; the call runs into it. */
async function expiry(maxDurationMs: number): Promise<ScenarioResult> {
  const { pair, a, b } = pairOfSessions({}, { maxDurationMs, expiryWarningMs: 0, tickMs: 250 });
  await connected(a, b);
  return bothEnded(pair, [a, b], [], async () => ({ durationMs: (await a.session.ended).durationMs }));
}

/** Only `a` starts: nobody answers, so `connectTimeoutMs` ends it. */
async function connectTimeout(connectTimeoutMs: number): Promise<ScenarioResult> {
  const pair = createInMemorySignalingPair();
  const a = track('a', { ...base, connectTimeoutMs, signaling: pair.a, polite: true });
  const started = a.session.start().then(
    () => 'resolved',
    (error: Error) => error.name,
  );
  const ended = [await a.check];
  pair.close();
  await settle();
  return { immediate: [], ended, audit: audit(), extra: { start: await started } };
}

/**
 * The permission arrives after the call ended: `end()` right after `start()`, while the real getUserMedia is
 * still pending (`held`: the grant is held back until after the end, then given with a real camera stream).
 */
async function lateMedia(held: boolean): Promise<ScenarioResult> {
  const pair = createInMemorySignalingPair();
  let grant: ((stream: MediaStream) => void) | undefined;
  const runtime = held
    ? {
        RTCPeerConnection: window.RTCPeerConnection,
        getUserMedia: () => new Promise<MediaStream>((resolve) => (grant = resolve)),
      }
    : undefined;
  const arrived = new Promise<MediaStream>((resolve) => gumArrivals.push(resolve));
  const a = track('a', { ...base, ...(runtime && { runtime }), signaling: pair.a, polite: true });
  void a.session.start();
  const stateAtEnd = a.session.state;
  a.session.end();
  const immediate = [a.checkNow()];
  if (held) grant?.(await realGetUserMediaRecorded());
  const stream = await arrived;
  // The session's continuation runs right after the stream arrives; give it that turn.
  await settle(0);
  const lateTracks = stream.getTracks().map((t) => t.readyState);
  const ended = [await a.check];
  pair.close();
  await settle();
  return { immediate, ended, audit: audit(), extra: { stateAtEnd, lateTracks } };
}

/** A real getUserMedia through the recorder, so the audit sees its tracks. */
function realGetUserMediaRecorded(): Promise<MediaStream> {
  return mediaDevices.getUserMedia({ audio: true, video: true });
}

// ——— real navigation and closing: reports go out as beacons the test server collects ———

/** Sends an end check to the test server; a beacon is delivered even while the page is being unloaded. */
function beacon(tracked: Tracked): void {
  navigator.sendBeacon('/report', JSON.stringify({ check: tracked.checkNow(), audit: audit() }));
}

/** Connects two sessions that beacon their end checks; the test then navigates away. */
async function connectForNavigation(): Promise<string> {
  const { a, b } = pairOfSessions();
  for (const tracked of [a, b]) tracked.session.on('ended', () => beacon(tracked));
  await connected(a, b);
  return `${a.session.state}/${b.session.state}`;
}

// ——— two pages over BroadcastChannel ———

let bc: { tracked: Tracked; signaling: BroadcastChannelSignaling; started?: Promise<void> } | undefined;

/**
 * Prepares this page's side of a call on channel `name` without starting it: the signaling pairs with the
 * other page, and the session waits for the go-signal of {@link fireGo} on `${name}/go`, when it calls
 * `start()` in the same instant as the other page. Resolves once paired and waiting.
 * @param preAcquire acquire the camera before the go-signal, so both peer connections (and both first
 * `negotiationneeded`s) come up in the same instant rather than a getUserMedia apart
 */
async function armBroadcast(name: string, polite: boolean, preAcquire = false): Promise<void> {
  const media = preAcquire ? await realGetUserMediaRecorded() : base.media;
  // Created before the session: its `pagehide` listener (announce leaving) runs before the session's.
  const signaling = new BroadcastChannelSignaling({ name });
  const tracked = track(polite ? 'polite' : 'impolite', { ...base, media, signaling, polite });
  const current: NonNullable<typeof bc> = { tracked, signaling };
  bc = current;
  tracked.session.on('ended', () => {
    beacon(tracked);
    signaling.close();
  });
  const go = new BroadcastChannel(`${name}/go`);
  go.onmessage = () => {
    go.close();
    current.started = tracked.session.start();
  };
  await signaling.ready;
}

/**
 * The go-signal: one message on `${name}/go`, which every armed page (this one included: a channel object
 * does not hear itself, but the armed one is another object) receives in the same turn of its event loop.
 */
function fireGo(name: string): void {
  const go = new BroadcastChannel(`${name}/go`);
  go.postMessage('go');
  go.close();
}

/** Waits for this page's armed session to connect; its state, or why it ended instead. */
async function awaitBroadcastConnected(): Promise<string> {
  const current = bc;
  if (!current) throw new Error('armBroadcast first');
  while (!current.started) await settle(10);
  try {
    await current.started;
  } catch (error) {
    return `${(error as Error).name}: ${current.tracked.session.endReason} ${current.tracked.errors.join('; ')}`;
  }
  return current.tracked.session.state;
}

/** Media received by this page's session: {@link mediaFlow} of the broadcast call. */
function broadcastMediaFlow(): Promise<MediaFlow> {
  return mediaFlow(broadcastSession());
}

/** Offer collisions this page's broadcast session has seen. */
function broadcastCollisions(): number {
  return collisions(broadcastSession());
}

function broadcastSession(): Tracked {
  if (!bc) throw new Error('armBroadcast first');
  return bc.tracked;
}

// ——— media flow, simultaneous starts and renegotiation glare ———

/** What one side receives from the other. */
export interface MediaFlow {
  name: string;
  /** Kinds of the live tracks of `remoteStream`, sorted. */
  remoteKinds: string[];
  audioPackets: number;
  videoPackets: number;
  state: string;
}

/** Packets received so far per kind, from the peer connection's `inbound-rtp` stats. */
async function inboundPackets(pc: RTCPeerConnection | undefined): Promise<{ audio: number; video: number }> {
  const received = { audio: 0, video: 0 };
  if (!pc || pc.signalingState === 'closed') return received;
  (await pc.getStats()).forEach((report: { type: string; kind?: string; packetsReceived?: number }) => {
    if (report.type !== 'inbound-rtp') return;
    if (report.kind === 'audio' || report.kind === 'video')
      received[report.kind] += report.packetsReceived ?? 0;
  });
  return received;
}

/**
 * Waits (up to `timeoutMs`) until `tracked` has received more audio and video packets than `since`, and
 * reports what it received. The bound only keeps a broken call from hanging the test; no timing is asserted.
 */
async function mediaFlow(
  tracked: Tracked,
  since = { audio: 0, video: 0 },
  timeoutMs = 10_000,
): Promise<MediaFlow> {
  const deadline = performance.now() + timeoutMs;
  let received = await inboundPackets(tracked.pc());
  while ((received.audio <= since.audio || received.video <= since.video) && performance.now() < deadline) {
    await settle(100);
    received = await inboundPackets(tracked.pc());
  }
  const remote = tracked.session.remoteStream?.getTracks() ?? [];
  return {
    name: tracked.name,
    remoteKinds: remote
      .filter((t) => t.readyState === 'live')
      .map((t) => t.kind)
      .sort(),
    audioPackets: received.audio,
    videoPackets: received.video,
    state: tracked.session.state,
  };
}

/**
 * How the two sessions of {@link simultaneousInMemory} get their cameras. `getUserMedia`: each acquires its
 * own in `start()`. `preAcquired`: both are handed theirs up front, so both peer connections (and both first
 * `negotiationneeded`s) come up in the same tick.
 */
export type SimultaneousMode = 'getUserMedia' | 'preAcquired';

/**
 * One call between two sessions of this page over the in-memory pair, both `start()`ed in the same tick (see
 * {@link SimultaneousMode}). Checks media flows both ways, then side `hangUp` ends the call.
 */
async function simultaneousInMemory(mode: SimultaneousMode, hangUp: 'a' | 'b'): Promise<ScenarioResult> {
  const [mediaA, mediaB] =
    mode === 'getUserMedia'
      ? [base.media, base.media]
      : await Promise.all([realGetUserMediaRecorded(), realGetUserMediaRecorded()]);
  const pair = createInMemorySignalingPair();
  const a = track('a', { ...base, media: mediaA, signaling: pair.a, polite: true });
  const b = track('b', { ...base, media: mediaB, signaling: pair.b, polite: false });
  const started = [a.session.start(), b.session.start()];
  const outcome = await Promise.all(started).then(
    () => 'connected',
    () => `ended before connecting: ${a.session.endReason}/${b.session.endReason}`,
  );
  const flows = outcome === 'connected' ? await Promise.all([mediaFlow(a), mediaFlow(b)]) : [];
  const ending = hangUp === 'a' ? a : b;
  ending.session.end();
  const immediate = [ending.checkNow()];
  return bothEnded(pair, [a, b], immediate, () => ({
    outcome,
    flows,
    errors: [...a.errors, ...b.errors],
    collisions: collisions(a, b),
  }));
}

/** The `a=ice-ufrag` of a peer connection's current local description (its ICE generation). */
function localUfrag(pc: RTCPeerConnection | undefined): string | undefined {
  return /^a=ice-ufrag:(\S+)/m.exec(pc?.localDescription?.sdp ?? '')?.[1];
}

/** Facts about the connection of one side during the glare scenario. */
export interface GlareSide {
  name: string;
  ufragBefore: string | undefined;
  ufragAfter: string | undefined;
  signalingState: string | undefined;
  connectionState: string | undefined;
  flow: MediaFlow;
}

/**
 * Renegotiation glare: once connected, both sides' peer connections `restartIce()` in the same tick. The
 * signaling latency makes both restart offers cross on the wire, so the impolite side ignores the polite
 * side's offer and the polite side rolls its own back. Waits until both are stable again on new ICE
 * credentials with media flowing past the restart, then `a` hangs up.
 */
async function restartGlare(latencyMs: number): Promise<ScenarioResult> {
  const pair = createInMemorySignalingPair({ latencyMs });
  const a = track('a', { ...base, signaling: pair.a, polite: true });
  const b = track('b', { ...base, signaling: pair.b, polite: false });
  await connected(a, b);
  const sides = [a, b];
  const before = await Promise.all(sides.map((side) => inboundPackets(side.pc())));
  const ufragBefore = sides.map((side) => localUfrag(side.pc()));
  // Every state the sessions pass through from here on: a glare that converges never leaves `connected`.
  const stateChanges: string[] = [];
  for (const side of sides)
    side.session.on('stateChange', (state) => stateChanges.push(`${side.name}:${state}`));
  for (const side of sides) side.pc()?.restartIce();
  const collided = () =>
    a.debug.some((line) => line.includes('polite side rolls back')) &&
    b.debug.some((line) => line.includes('impolite side ignores'));
  const settled = () =>
    sides.every(
      (side, i) =>
        side.pc()?.signalingState === 'stable' &&
        localUfrag(side.pc()) !== ufragBefore[i] &&
        side.session.state === 'connected',
    );
  for (let i = 0; i < 200 && !(collided() && settled()); i++) await settle(25);
  const flows = await Promise.all(sides.map((side, i) => mediaFlow(side, before[i])));
  const glare: GlareSide[] = sides.map((side, i) => ({
    name: side.name,
    ufragBefore: ufragBefore[i],
    ufragAfter: localUfrag(side.pc()),
    signalingState: side.pc()?.signalingState,
    connectionState: side.pc()?.connectionState,
    flow: flows[i] as MediaFlow,
  }));
  a.session.end();
  const immediate = [a.checkNow()];
  return bothEnded(pair, [a, b], immediate, () => ({
    collided: collided(),
    glare,
    errors: [...a.errors, ...b.errors],
    stateChanges,
  }));
}

async function hangUpBroadcast(): Promise<ScenarioResult> {
  const tracked = broadcastSession();
  tracked.session.end();
  const immediate = [tracked.checkNow()];
  const ended = [await tracked.check];
  await settle();
  return { immediate, ended, audit: audit() };
}

async function awaitBroadcastEnd(): Promise<ScenarioResult> {
  const ended = [await broadcastSession().check];
  await settle();
  return { immediate: [], ended, audit: audit() };
}

// ——— screen sharing: real getDisplayMedia (the browser is launched with SCREEN_SHARE_ARGS, see ../harness.ts) ———

/** The call of the screen-share scenarios, kept between steps (the test closes the shared tab in between). */
let sharing:
  | {
      pair: ReturnType<typeof createInMemorySignalingPair>;
      a: Tracked;
      b: Tracked;
      camera: MediaStreamTrack;
      microphone: MediaStreamTrack;
      /** `ended` events the current screen track received, and whether the browser fired them. */
      endedEvents: { isTrusted: boolean }[];
    }
  | undefined;

/** Which track something holds, as seen from side `a` of the screen-share call. */
export type HeldTrack = 'screen' | 'camera' | 'none' | 'other';

/** Side `a` of the screen-share call at one step. */
export interface ShareFacts {
  isScreenSharing: boolean;
  /** The track `a`'s video sender sends. */
  sent: HeldTrack;
  /** The video track of `a.localStream`. */
  shown: HeldTrack;
  screenLabel: string | undefined;
  screenSurface: string | undefined;
  screenState: string | undefined;
  cameraState: string;
  endedEvents: { isTrusted: boolean }[];
  state: string;
  /** Video packets `b` has received so far. */
  videoPacketsAtB: number;
  errors: string[];
}

/** The video track of the latest getDisplayMedia stream. */
function latestScreen(): MediaStreamTrack | undefined {
  return displayStreams.at(-1)?.getVideoTracks()[0];
}

function sharingCall(): NonNullable<typeof sharing> {
  if (!sharing) throw new Error('connectForSharing first');
  return sharing;
}

async function shareFacts(): Promise<ShareFacts> {
  const { a, b, camera, endedEvents } = sharingCall();
  const screen = latestScreen();
  const name = (track: MediaStreamTrack | null | undefined): HeldTrack =>
    !track ? 'none' : track === screen ? 'screen' : track === camera ? 'camera' : 'other';
  const sender = a
    .pc()
    ?.getTransceivers()
    .find((transceiver) => transceiver.receiver.track.kind === 'video')?.sender;
  return {
    isScreenSharing: a.session.isScreenSharing,
    sent: name(sender?.track),
    shown: name(a.session.localStream?.getVideoTracks()[0]),
    screenLabel: screen?.label,
    screenSurface: screen?.getSettings().displaySurface,
    screenState: screen?.readyState,
    cameraState: camera.readyState,
    endedEvents: [...endedEvents],
    state: a.session.state,
    videoPacketsAtB: (await inboundPackets(b.pc())).video,
    errors: [...a.errors, ...b.errors],
  };
}

/** Connects `a` and `b` over the in-memory pair for the screen-share steps below. */
async function connectForSharing(): Promise<string> {
  const { pair, a, b } = pairOfSessions();
  await connected(a, b);
  const local = a.session.localStream;
  const camera = local?.getVideoTracks()[0];
  const microphone = local?.getAudioTracks()[0];
  if (!camera || !microphone) throw new Error('a has no camera or microphone');
  sharing = { pair, a, b, camera, microphone, endedEvents: [] };
  return `${a.session.state}/${b.session.state}`;
}

/**
 * `a.startScreenShare()` with the real getDisplayMedia; the result is what it rejected with, or the facts once
 * it resolved. The screen track's `ended` events are recorded with `isTrusted`, which only the browser sets.
 */
async function startSharing(): Promise<{
  rejected?: { name: string; code?: string; cause?: string };
  facts: ShareFacts;
}> {
  const call = sharingCall();
  call.endedEvents = [];
  try {
    await call.a.session.startScreenShare();
  } catch (error) {
    const { name, code, cause } = error as { name: string; code?: string; cause?: { name?: string } };
    return { rejected: { name, code, cause: cause?.name }, facts: await shareFacts() };
  }
  const events = call.endedEvents;
  latestScreen()?.addEventListener('ended', (event) => events.push({ isTrusted: event.isTrusted }));
  return { facts: await shareFacts() };
}

/**
 * After the test closed the shared tab (the browser then ends the capture): waits, bounded, until sharing
 * stopped and the camera is back on the sender, and reports what it saw. No timing is asserted.
 */
async function awaitCameraBack(timeoutMs = 10_000): Promise<ShareFacts> {
  const deadline = performance.now() + timeoutMs;
  let facts = await shareFacts();
  while ((facts.isScreenSharing || facts.sent !== 'camera') && performance.now() < deadline) {
    await settle(25);
    facts = await shareFacts();
  }
  const since = facts.videoPacketsAtB;
  // The camera's frames reach `b` again (bounded wait, only a broken call would run into it).
  while (facts.videoPacketsAtB <= since && performance.now() < deadline) {
    await settle(50);
    facts = await shareFacts();
  }
  return facts;
}

/**
 * `a` hangs up while sharing. `tracksAtEnd`: camera, microphone and screen, read right when `end()` returned.
 */
async function hangUpWhileSharing(): Promise<ScenarioResult> {
  const { pair, a, b, camera, microphone } = sharingCall();
  const screen = latestScreen();
  a.session.end();
  const immediate = [a.checkNow()];
  const tracksAtEnd = {
    camera: camera.readyState,
    microphone: microphone.readyState,
    screen: screen?.readyState,
  };
  sharing = undefined;
  return bothEnded(pair, [a, b], immediate, () => ({ tracksAtEnd, errors: [...a.errors, ...b.errors] }));
}

const scenarios = {
  inMemoryCall,
  expiry,
  connectTimeout,
  lateMedia,
  connectForNavigation,
  armBroadcast,
  fireGo,
  awaitBroadcastConnected,
  broadcastMediaFlow,
  broadcastCollisions,
  hangUpBroadcast,
  awaitBroadcastEnd,
  simultaneousInMemory,
  restartGlare,
  connectForSharing,
  startSharing,
  awaitCameraBack,
  hangUpWhileSharing,
  audit,
};

/** What the page exposes as `window.hangupScenarios`. */
export type Scenarios = typeof scenarios;

(window as unknown as { hangupScenarios: Scenarios }).hangupScenarios = scenarios;
