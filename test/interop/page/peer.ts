/**
 * Runs inside Chromium or Firefox (bundled by esbuild, see ../browserPeer.ts): one CallSession through the relay
 * with the browser's fake camera and microphone, exposed as `window.interopPeer` for the matrix to drive.
 */
import { CallSession, type HangupError, WebSocketSignaling } from '../../../src/index.js';
import { DUMP_PREFIX } from '../../browser/dumpPrefix.js';
import type { MediaCounts, PeerReport, PeerStartOptions } from '../peerApi.js';

let session: CallSession | undefined;
let pc: RTCPeerConnection | undefined;
let startedAt = 0;
let side = 'not started';
const localTracks: MediaStreamTrack[] = [];
const messages: string[] = [];
const errors: string[] = [];
const remoteMutes: string[] = [];
let endReport: PeerReport | undefined;
let lastCounts: MediaCounts = { videoFrames: 0, audioPackets: 0, messages };
const endWaiters: ((report: PeerReport) => void)[] = [];
/** The session's log (messages only, no SDP), kept for a failing cell's message. */
const log: string[] = [];
const keep = (message: string): void => {
  log.push(`${Math.round(performance.now() - startedAt)} ${message}`);
  if (log.length > 60) log.shift();
};

function remoteUfrag(): string | undefined {
  return /a=ice-ufrag:(\S+)/.exec(pc?.remoteDescription?.sdp ?? '')?.[1];
}

function report(): PeerReport {
  return (
    endReport ?? {
      side,
      state: session?.state ?? 'none',
      endReason: session?.endReason,
      errors,
      remoteMutes,
      remoteUfrag: remoteUfrag(),
      resourcesAtEnd: undefined,
      liveTracksAtEnd: undefined,
      endedAfterMs: undefined,
      log,
    }
  );
}

async function counts(): Promise<MediaCounts> {
  if (!pc || pc.signalingState === 'closed') return lastCounts;
  let videoFrames = 0;
  let audioPackets = 0;
  // A getStats() that never settles (a Firefox page call once hung on a broken path) must not hang the driver.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stats = await Promise.race([
    pc.getStats(),
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), 2_000);
    }),
  ]).finally(() => clearTimeout(timer));
  if (!stats) return lastCounts;
  stats.forEach((stat: { type: string; kind?: string; framesDecoded?: number; packetsReceived?: number }) => {
    if (stat.type !== 'inbound-rtp') return;
    if (stat.kind === 'video') videoFrames += stat.framesDecoded ?? 0;
    if (stat.kind === 'audio') audioPackets += stat.packetsReceived ?? 0;
  });
  lastCounts = { videoFrames, audioPackets, messages };
  return lastCounts;
}

const api = {
  async start(options: PeerStartOptions): Promise<string> {
    const Base = window.RTCPeerConnection;
    const mediaDevices = navigator.mediaDevices;
    startedAt = performance.now();
    side = `${options.room}:${options.polite ? 'polite' : 'impolite'}`;
    const signaling = new WebSocketSignaling({ url: options.url, room: options.room });
    const current = new CallSession({
      signaling,
      logger: { debug: keep, info: keep, warn: keep, error: keep },
      polite: options.polite,
      connectTimeoutMs: 20_000,
      runtime: {
        RTCPeerConnection: class extends Base {
          constructor(configuration?: RTCConfiguration) {
            super(configuration);
            pc = this;
          }
        },
        getUserMedia: (constraints) => mediaDevices.getUserMedia(constraints),
      },
    });
    session = current;
    current.on('localStream', (stream) => localTracks.push(...stream.getTracks()));
    current.on('error', (error: HangupError) => errors.push(`${error.code}: ${error.message}`));
    current.on('message', (data) => messages.push(typeof data === 'string' ? data : '[binary]'));
    current.on('remoteMute', ({ kind, muted }) => remoteMutes.push(`${kind}:${muted}`));
    current.on('ended', (summary) => {
      endReport = {
        side,
        state: 'ended',
        endReason: summary.reason,
        errors,
        remoteMutes,
        remoteUfrag: undefined,
        resourcesAtEnd: current.liveResources(),
        liveTracksAtEnd: localTracks.filter((track) => track.readyState !== 'ended').length,
        endedAfterMs: Math.round(performance.now() - startedAt),
        log,
      };
      // Tell the test runner even if this page is going away (a closing tab): Chromium delivers a beacon;
      // Firefox drops one now and then, but never a line written with window.dump (see BrowserDriver.dumped).
      const json = JSON.stringify(endReport);
      const dump = (window as { dump?: (line: string) => void }).dump;
      if (typeof dump === 'function') dump(`${DUMP_PREFIX}${json}\n`);
      else navigator.sendBeacon('/report', json);
      for (const wake of endWaiters.splice(0)) wake(endReport);
      // The app owns the adapter: close it once the bye has been handed to it.
      signaling.close();
    });
    await current.start().catch(() => undefined);
    return current.state;
  },
  counts,
  async report(): Promise<PeerReport> {
    return report();
  },
  async send(text: string): Promise<void> {
    session?.send(text);
  },
  async setMuted(kind: 'audio' | 'video', muted: boolean): Promise<void> {
    session?.setMuted(kind, muted);
  },
  async switchCamera(): Promise<string> {
    // Firefox has one fake camera: a new acquisition with other constraints is still a new track.
    await session?.switchDevice('video', { width: { ideal: 320 }, height: { ideal: 240 } });
    return session?.localStream?.getVideoTracks()[0]?.id ?? '';
  },
  async restartIce(): Promise<void> {
    pc?.restartIce();
  },
  async end(): Promise<void> {
    session?.end();
  },
  ended(): Promise<PeerReport> {
    if (endReport) return Promise.resolve(endReport);
    return new Promise((resolve) => endWaiters.push(resolve));
  },
};

/** What the page exposes as `window.interopPeer`. */
export type PagePeerApi = typeof api;
(window as unknown as { interopPeer: PagePeerApi }).interopPeer = api;
