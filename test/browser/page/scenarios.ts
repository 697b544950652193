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
  return {
    gumTracks: tracks.length,
    liveGumTracks: tracks.filter((track) => track.readyState !== 'ended').length,
    peerConnections: peerConnections.length,
    openPeerConnections: peerConnections.filter((pc) => pc.signalingState !== 'closed').length,
  };
}

// ——— sessions with an end check ———

interface Tracked {
  session: CallSession;
  check: Promise<EndCheck>;
  /** Checks right now (call it right after the ending call returns). */
  checkNow(): EndCheck;
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
  };
  const session = new CallSession({ ...options, runtime });
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
  return { session, check, checkNow };
}

const base: Partial<CallSessionOptions> = { media: { audio: true, video: true }, connectTimeoutMs: 20_000 };

function pairOfSessions(
  options: Partial<CallSessionOptions> = {},
  optionsA: Partial<CallSessionOptions> = {},
) {
  const pair = createInMemorySignalingPair();
  const a = track('a', { ...base, ...options, ...optionsA, signaling: pair.a, polite: true });
  const b = track('b', { ...base, ...options, signaling: pair.b, polite: false });
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
  const ended = await Promise.all([a.check, b.check]);
  pair.close();
  await settle();
  return { immediate, ended, audit: audit() };
}

/** `a` has a short `maxDurationMs`; the call runs into it. */
async function expiry(maxDurationMs: number): Promise<ScenarioResult> {
  const { pair, a, b } = pairOfSessions({}, { maxDurationMs, expiryWarningMs: 0, tickMs: 250 });
  await connected(a, b);
  const ended = await Promise.all([a.check, b.check]);
  pair.close();
  await settle();
  return { immediate: [], ended, audit: audit(), extra: { durationMs: (await a.session.ended).durationMs } };
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

let bc: { tracked: Tracked; signaling: BroadcastChannelSignaling } | undefined;

/** Joins the call on channel `name` from this page; resolves once connected. */
async function joinBroadcast(name: string, polite: boolean): Promise<string> {
  // Created before the session: its `pagehide` listener (announce leaving) runs before the session's.
  const signaling = new BroadcastChannelSignaling({ name });
  const tracked = track(polite ? 'polite' : 'impolite', { ...base, signaling, polite });
  bc = { tracked, signaling };
  tracked.session.on('ended', () => {
    beacon(tracked);
    signaling.close();
  });
  await tracked.session.start();
  return tracked.session.state;
}

/** State of this page's session, `'none'` before {@link joinBroadcast}. */
function broadcastState(): string {
  return bc?.tracked.session.state ?? 'none';
}

function broadcastSession(): Tracked {
  if (!bc) throw new Error('joinBroadcast first');
  return bc.tracked;
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

const scenarios = {
  inMemoryCall,
  expiry,
  connectTimeout,
  lateMedia,
  connectForNavigation,
  joinBroadcast,
  hangUpBroadcast,
  awaitBroadcastEnd,
  broadcastState,
  audit,
};

/** What the page exposes as `window.hangupScenarios`. */
export type Scenarios = typeof scenarios;

(window as unknown as { hangupScenarios: Scenarios }).hangupScenarios = scenarios;
