import type { EventEmitter } from 'eventemitter3';
import type { CallEndedError } from '../errors/CallEndedError.js';
import { HangupError } from '../errors/HangupError.js';
import { readInboundBytes } from '../media/inboundBytes.js';
import type { MediaOwner } from '../media/MediaOwner.js';
import type { MuteSync, MuteSyncHost } from '../media/MuteSync.js';
import type { MediaHost } from '../media/mediaHost.js';
import type { EndReason } from '../model/endReason.js';
import type { CallProgress, CallStats } from '../model/events.js';
import type { CallState } from '../model/states.js';
import { HEARTBEAT, isHeartbeat } from '../peer/heartbeat.js';
import type { PeerLink, PeerLinkHost } from '../peer/PeerLink.js';
import type { SignalingLink, SignalingLinkHost } from '../signaling/SignalingLink.js';
import type { TimerSet } from '../util/TimerSet.js';
import type { AcquireAndConnectHost } from './acquireAndConnect.js';
import type { CallTimers, CallTimersHost } from './CallTimers.js';
import type { ConnectedStepsHost } from './connectedSteps.js';
import type { CallSessionEvents } from './events.js';
import type { IceRecovery, IceRecoveryHost } from './IceRecovery.js';
import type { ResolvedOptions } from './options.js';
import { SILENCE_SAMPLE_MS, type SilentPathWatch, type SilentPathWatchHost } from './SilentPathWatch.js';

/**
 * How long a data channel closed by the peer waits for a `bye` still in flight before the call ends with
 * `'peer-left'`.
 */
export const PEER_CLOSE_GRACE_MS = 250;

/**
 * What the wiring below needs from the session: its state, its exit, its events and its parts. It is also,
 * as it is, the host of the session's start ({@link AcquireAndConnectHost}) and of the steps around its move
 * to `connected` ({@link ConnectedStepsHost}), which need nothing narrower.
 */
export interface SessionHost {
  readonly options: ResolvedOptions;
  readonly timers: TimerSet;
  /** Owns every track the call acquires. */
  readonly owner: MediaOwner;
  state(): CallState;
  ended(): boolean;
  end(reason: EndReason, error?: unknown): void;
  /** Moves along the transition table; false when refused or the call ended meanwhile. */
  transition(to: CallState): boolean;
  emit<E extends keyof CallSessionEvents>(
    event: E,
    ...args: EventEmitter.EventArgs<CallSessionEvents, E>
  ): void;
  /** The snapshot changed. */
  changed(): void;
  /** Whether `start()` ran (mute changes are announced from then on). */
  started(): boolean;
  signaling(): SignalingLink;
  peer(): PeerLink;
  mute(): MuteSync;
  ice(): IceRecovery;
  watch(): SilentPathWatch;
  callTimers(): CallTimers;
  /** The connection reached `connected` (the session moves to `connected`, first time or again). */
  connected(): void;
  localStream(): MediaStream | undefined;
  /** Makes `stream` the local stream and announces it; nothing once the call has ended. */
  publishLocalStream(stream: MediaStream): void;
  /**
   * The `quality` interval's stats summary, with a bitrate baseline of its own, over a read no older than
   * `maxAgeMs` that it may share with the silent-path watch (`PeerLink.stats`).
   */
  sampleQuality(maxAgeMs: number): Promise<CallStats>;
  endedError(): CallEndedError | undefined;
  elapsed(): CallProgress;
}

/** The host of every part, each built over the one {@link SessionHost}. */
export interface PartHosts {
  readonly signaling: SignalingLinkHost;
  readonly peer: PeerLinkHost;
  readonly mute: MuteSyncHost;
  readonly timers: CallTimersHost & IceRecoveryHost;
  readonly media: MediaHost;
  readonly watch: SilentPathWatchHost;
}

/**
 * The session's policies at the seams between its parts, in one place: what each thing the peer or the
 * signaling channel says does to the call, how a closed data channel is told apart from a dead path, what
 * re-sends the mute state.
 */
export function sessionHosts(session: SessionHost): PartHosts {
  const report = (error: HangupError): void => session.emit('error', error);
  const fail = (error: unknown): void => session.end('error', error);
  // Stamped once: the heartbeat goes out every second for the whole call.
  const { callId } = session.options;
  const heartbeat = callId === undefined ? HEARTBEAT : { ...HEARTBEAT, callId };
  return {
    signaling: {
      ended: session.ended,
      bye: () => session.end('remote-hangup'),
      mute: (kind, muted) => session.mute().receive(kind, muted),
      description: (description) => session.peer().receiveDescription(description),
      candidate: (candidate) => session.peer().receiveCandidate(candidate),
      peerLeft: () => session.end('peer-left'),
      finalize: () => session.end('finalized'),
      closed: (cause) => {
        // Only an ICE restart under way needs signaling; it ends the call when it finds the channel closed.
        if (session.ice().survivesSignalingLoss()) report(HangupError.signalingClosed(cause));
        else session.end('signaling-closed', cause);
      },
      // Never an end by itself: a restart that needs the channel waits for it within its own bound.
      interrupted: () => session.options.logger.info('signaling interrupted'),
      resumed: () => session.ice().signalingResumed(),
      report,
      fail,
    },
    peer: {
      ended: session.ended,
      send: (message) => session.signaling().send(message),
      report,
      fail,
      connectionState: (state) => onConnectionState(session, state),
      remoteStream: (stream) => {
        session.emit('remoteStream', stream);
        session.changed();
      },
      // A renegotiation of a live call (an ICE restart, say), offer or answer: each side re-sends its mute
      // state so that neither can drift. Only for descriptions actually applied, and rate-bounded by MuteSync.
      descriptionApplied: () => {
        if (session.state() === 'connected') session.mute().resync();
      },
      message: (data) => session.emit('message', data),
      control: (data) => {
        // Anything on the control channel proves the path; heartbeats go no further.
        session.watch().controlReceived();
        if (!isHeartbeat(data)) session.signaling().receiveControl(data);
      },
      channelClosedByPeer: () => onChannelClosedByPeer(session),
    },
    mute: {
      localStream: session.localStream,
      announcing: session.started,
      send: (message) => session.signaling().send(message),
      remoteChanged: (change) => {
        session.emit('remoteMute', change);
        session.changed();
      },
      localChanged: session.changed,
    },
    timers: {
      state: session.state,
      end: session.end,
      toReconnecting: () => session.transition('reconnecting'),
      reconnecting: (attempt) => session.emit('reconnecting', attempt),
      restart: () => session.peer().restartIce(),
      signalingClosed: () => session.signaling().channelClosed,
      signalingInterrupted: () => session.signaling().interrupted,
      tick: () => {
        session.changed();
        session.emit('tick', session.elapsed());
      },
      expiring: () => session.emit('expiring', { remainingMs: session.elapsed().remainingMs ?? 0 }),
      // The quality interval and the silent-path watch share their reads, each taking one younger than its
      // own period: one getStats() a period serves both.
      getStats: () => session.sampleQuality(session.options.statsIntervalMs),
      quality: (stats) => {
        if (session.state() === 'connected') session.emit('quality', stats);
      },
    },
    watch: {
      state: session.state,
      inboundBytes: () =>
        readInboundBytes(session.peer().stats({ reader: 'watch', maxAgeMs: SILENCE_SAMPLE_MS })),
      expectedKinds: () => {
        const tracks = session.peer().remoteStream?.getTracks() ?? [];
        return (['audio', 'video'] as const).filter(
          (kind) =>
            !session.mute().isRemoteMuted(kind) &&
            tracks.some((track) => track.kind === kind && track.readyState !== 'ended'),
        );
      },
      heartbeat: () => session.peer().sendControl(heartbeat),
      report,
      // Recovery as for an ICE failure of a connected call: restarts bounded in number and time.
      trouble: () => session.ice().failed(),
      // What arrives again is the path back: a session that went reconnecting is connected again.
      flowing: () => session.connected(),
      fail: (error) => {
        report(error);
        session.end('ice-failed', error);
      },
    },
    media: {
      owner: session.owner,
      runtime: session.options.runtime,
      logger: session.options.logger,
      peerConnection: () => session.peer().connection,
      localStream: session.localStream,
      publishLocalStream: session.publishLocalStream,
      isMuted: (kind) => session.mute().isMuted(kind),
      endedError: session.endedError,
      report,
    },
  };
}

/** What each connection state does to the call. */
function onConnectionState(session: SessionHost, state: RTCPeerConnectionState): void {
  session.options.logger.debug(`connection state ${state}`);
  if (state === 'connected') session.connected();
  else if (state === 'disconnected') session.ice().disconnected();
  else if (state === 'failed') session.ice().failed();
  else if (state === 'closed') session.end('error', HangupError.connectionClosed());
}

/**
 * The peer's control channel closed. With the path up, the peer closed its connection: it left (after a
 * moment for a `bye` still in flight, on signaling or, in @roamhq/wrtc, on the channel itself, whose close
 * can overtake its last message; still far sooner than ICE noticing). While reconnecting the path is what
 * died, and the truthful end is `'ice-failed'`.
 */
function onChannelClosedByPeer(session: SessionHost): void {
  const state = session.state();
  if (state === 'reconnecting') {
    session.end('ice-failed', HangupError.iceFailed('the data channel closed while the path was down'));
  } else if (state === 'connected') {
    session.timers.set('peer-close', PEER_CLOSE_GRACE_MS, () => {
      // The path went down during the grace: the close was the path dying, not the peer leaving.
      if (session.state() === 'reconnecting') {
        session.end('ice-failed', HangupError.iceFailed('the data channel closed as the path died'));
      } else session.end('peer-left');
    });
  }
}
