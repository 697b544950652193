/**
 * A Node process on @roamhq/wrtc as an {@link InteropPeer}: `hangup/node`'s generated media, the relay through
 * `ws`, frames counted with wrtc's `RTCVideoSink` / `RTCAudioSink`.
 */
import { WebSocket } from 'ws';
import { CallSession, WebSocketSignaling } from '../../src/index.js';
import { countFrames, wrtcRuntime } from '../helpers/wrtcRuntime.js';
import type { InteropPeer, MediaCounts, PeerReport, PeerStartOptions } from './peerApi.js';

export class NodePeer implements InteropPeer {
  readonly runtime = 'node';
  #session: CallSession | undefined;
  #signaling: WebSocketSignaling | undefined;
  #pc: RTCPeerConnection | undefined;
  #startedAt = 0;
  #side = 'not started';
  #localTracks: MediaStreamTrack[] = [];
  readonly #sinks = new Map<MediaStreamTrack, ReturnType<typeof countFrames>>();
  readonly #messages: string[] = [];
  readonly #errors: string[] = [];
  readonly #remoteMutes: string[] = [];
  #endReport: PeerReport | undefined;
  #last: MediaCounts = { videoFrames: 0, audioPackets: 0, messages: this.#messages };
  #endPromise: Promise<PeerReport> | undefined;

  async start(options: PeerStartOptions): Promise<string> {
    const peer = this;
    const Base = wrtcRuntime.RTCPeerConnection;
    const signaling = new WebSocketSignaling({ url: options.url, room: options.room, WebSocket });
    this.#signaling = signaling;
    this.#startedAt = performance.now();
    const side = `${options.room}:${options.polite ? 'polite' : 'impolite'}`;
    this.#side = side;
    const session = new CallSession({
      signaling,
      polite: options.polite,
      connectTimeoutMs: 20_000,
      runtime: {
        RTCPeerConnection: class extends Base {
          constructor(configuration?: RTCConfiguration) {
            super(configuration);
            peer.#pc = this;
          }
        },
        getUserMedia: (constraints) => wrtcRuntime.getUserMedia(constraints),
      },
    });
    this.#session = session;
    session.on('localStream', (stream) => this.#localTracks.push(...stream.getTracks()));
    session.on('error', (error) => this.#errors.push(`${error.code}: ${error.message}`));
    session.on('message', (data) => this.#messages.push(typeof data === 'string' ? data : '[binary]'));
    session.on('remoteMute', ({ kind, muted }) => this.#remoteMutes.push(`${kind}:${muted}`));
    this.#endPromise = new Promise((resolve) => {
      session.on('ended', (summary) => {
        this.#stopSinks();
        this.#endReport = {
          side,
          state: 'ended',
          endReason: summary.reason,
          errors: this.#errors,
          remoteMutes: this.#remoteMutes,
          remoteUfrag: undefined,
          resourcesAtEnd: session.liveResources(),
          liveTracksAtEnd: this.#localTracks.filter((track) => track.readyState !== 'ended').length,
          endedAfterMs: Math.round(performance.now() - this.#startedAt),
        };
        // wrtc can crash at exit while stopped tracks or closed connections are reachable.
        this.#localTracks = [];
        this.#pc = undefined;
        signaling.close();
        resolve(this.#endReport);
      });
    });
    await session.start().catch(() => undefined);
    return session.state;
  }

  async counts(): Promise<MediaCounts> {
    const remote = this.#session?.remoteStream;
    for (const track of remote?.getTracks() ?? []) {
      if (!this.#sinks.has(track)) this.#sinks.set(track, countFrames(track));
    }
    let videoFrames = 0;
    let audioPackets = 0;
    for (const [track, sink] of this.#sinks) {
      if (track.kind === 'video') videoFrames += sink.count;
      else audioPackets += sink.count;
    }
    this.#last = { videoFrames, audioPackets, messages: this.#messages };
    return this.#last;
  }

  async report(): Promise<PeerReport> {
    return (
      this.#endReport ?? {
        side: this.#side,
        state: this.#session?.state ?? 'none',
        endReason: this.#session?.endReason,
        errors: this.#errors,
        remoteMutes: this.#remoteMutes,
        remoteUfrag: /a=ice-ufrag:(\S+)/.exec(this.#pc?.remoteDescription?.sdp ?? '')?.[1],
        resourcesAtEnd: undefined,
        liveTracksAtEnd: undefined,
        endedAfterMs: undefined,
      }
    );
  }

  async send(text: string): Promise<void> {
    this.#session?.send(text);
  }

  async setMuted(kind: 'audio' | 'video', muted: boolean): Promise<void> {
    this.#session?.setMuted(kind, muted);
  }

  async switchCamera(): Promise<string> {
    await this.#session?.switchDevice('video', 'generated-camera-2');
    return this.#session?.localStream?.getVideoTracks()[0]?.id ?? '';
  }

  async restartIce(): Promise<void> {
    this.#pc?.restartIce();
  }

  async end(): Promise<void> {
    this.#session?.end();
  }

  ended(): Promise<PeerReport> {
    return this.#endPromise ?? Promise.reject(new Error('not started'));
  }

  async close(): Promise<void> {
    // A Node peer has no tab: its process "closing" is the session ending without a hang-up.
    this.#session?.teardown('disposed');
    this.#signaling?.close();
  }

  #stopSinks(): void {
    for (const sink of this.#sinks.values()) sink.stop();
    this.#sinks.clear();
  }
}
