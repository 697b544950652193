import { HangupError } from '../errors/HangupError.js';
import type { Logger } from '../logger.js';

/** Messages `send()` holds before the channel opens; one more throws `HangupError` `DATA_CHANNEL`. */
export const MAX_QUEUED_DATA_MESSAGES = 256;
/** Bytes (UTF-16 code units for strings) `send()` holds before the channel opens. */
export const MAX_QUEUED_DATA_BYTES = 1024 * 1024;

/**
 * Both channels are `negotiated: true` with fixed ids, so both peers create them the same way and no side
 * waits for `datachannel`: there is no glare and no role. (The offering side creates them before its first
 * offer, the answering side right after its first answer; both long before the association opens.)
 */
const CONTROL_CHANNEL = Object.freeze({ label: 'hangup-control', id: 0 });
/** The application's channel: `send()` and the `message` event. */
const APP_CHANNEL = Object.freeze({ label: 'hangup-data', id: 1 });

/** What {@link DataChannelLink} needs from its host (the peer link). */
export interface DataChannelLinkHost {
  /** Application data from the peer. */
  message(data: string | ArrayBuffer): void;
  /** A control message from the peer (still untrusted: the session validates it like signaling). */
  control(data: unknown): void;
  /** A channel closed, and not by us: the peer's side is gone. */
  closedByPeer(): void;
  logger: Logger;
}

type ChannelData = string | ArrayBuffer;

/**
 * The session's data channels: a control channel (the second path of `bye`) and the application channel.
 * Data sent before the application channel opens waits in a bounded queue, flushed in order at `open`.
 * {@link DataChannelLink.close} detaches every handler first, then closes: nothing the session let go of
 * can call back into it.
 */
export class DataChannelLink {
  readonly #host: DataChannelLinkHost;
  #control: RTCDataChannel | undefined;
  #app: RTCDataChannel | undefined;
  #queue: ChannelData[] = [];
  #queuedBytes = 0;
  #peerClosed = false;
  #controlOpen = false;
  #detached = false;

  constructor(host: DataChannelLinkHost) {
    this.#host = host;
  }

  /** Whether channels are held (they are released by {@link DataChannelLink.close}). */
  get held(): boolean {
    return this.#control !== undefined || this.#app !== undefined;
  }

  /** Creates both channels on `pc`. */
  attach(pc: RTCPeerConnection): void {
    const control = pc.createDataChannel(CONTROL_CHANNEL.label, { negotiated: true, id: CONTROL_CHANNEL.id });
    const app = pc.createDataChannel(APP_CHANNEL.label, { negotiated: true, id: APP_CHANNEL.id });
    this.#control = control;
    this.#app = app;
    app.binaryType = 'arraybuffer';
    control.onmessage = (event) => this.#host.control(parseControl(event.data));
    app.onmessage = (event) => this.#host.message(event.data as ChannelData);
    app.onopen = () => this.#flush();
    control.onopen = () => {
      this.#controlOpen = true;
    };
    // Only the control channel's close means the peer left: it is ordered, so a bye sent on it arrives
    // before its close, while the application channel's close may overtake that bye.
    control.onclose = () => this.#onPeerClose(true);
    app.onclose = () => this.#onPeerClose(false);
  }

  /**
   * Sends application data, or queues it until the channel opens.
   * @throws HangupError `DATA_CHANNEL` when the queue is full or the channel is closed or refuses it.
   * @throws TypeError for data that is neither a string nor an `ArrayBuffer`.
   */
  send(data: ChannelData): void {
    if (typeof data !== 'string' && !(data instanceof ArrayBuffer)) {
      throw new TypeError('send() takes a string or an ArrayBuffer');
    }
    if (this.#peerClosed) throw dataChannelError('the data channel was closed by the peer');
    const app = this.#app;
    // Read once: in @roamhq/wrtc `readyState` follows the native channel, so it can change between two reads.
    const state = app?.readyState;
    if (app && state === 'open') {
      // Open before its `open` event ran (the runtime updates readyState first): what waits goes out first.
      if (this.#queue.length > 0) this.#flush();
      sendOn(app, data);
      return;
    }
    if (app && state !== 'connecting') throw dataChannelError(`the data channel is ${state}`);
    const size = typeof data === 'string' ? data.length : data.byteLength;
    if (this.#queue.length >= MAX_QUEUED_DATA_MESSAGES || this.#queuedBytes + size > MAX_QUEUED_DATA_BYTES) {
      throw dataChannelError(
        `the data channel is not open yet and its queue is full (${MAX_QUEUED_DATA_MESSAGES} messages / ${MAX_QUEUED_DATA_BYTES} bytes)`,
      );
    }
    this.#queue.push(typeof data === 'string' ? data : data.slice(0));
    this.#queuedBytes += size;
  }

  /** Sends a control message if the control channel is open; returns whether it went out. */
  sendControl(message: object): boolean {
    const control = this.#control;
    // Once its `open` event ran, the channel is known open until `close`: the hang-up path then skips the
    // `readyState` read, a blocking native call in @roamhq/wrtc. Before that event, readyState decides.
    const state = this.#controlOpen ? 'open' : control?.readyState;
    let problem: unknown = state ?? 'absent';
    if (control && state === 'open') {
      try {
        control.send(JSON.stringify(message));
        return true;
      } catch (error) {
        // Closing under us: the signaling path carries the message anyway.
        problem = error;
      }
    }
    this.#host.logger.debug('control channel not open: not sent on it', problem);
    return false;
  }

  /**
   * Teardown, first half: detaches every handler and empties the queue, so nothing the session lets go of
   * can call back into it. The channels stay open until {@link DataChannelLink.close}: closing them before
   * the peer connection would reset the streams ahead of a `bye` just sent (seen in @roamhq/wrtc, where the
   * peer then saw the close first), while `pc.close()` flushes it.
   */
  detach(): unknown[] {
    const failures: unknown[] = [];
    // Once: PeerLink detaches before the connection closes and closes the channels after it.
    if (this.#detached) return failures;
    this.#detached = true;
    this.#queue = [];
    this.#queuedBytes = 0;
    for (const channel of [this.#control, this.#app]) {
      if (!channel) continue;
      try {
        channel.onmessage = null;
        channel.onopen = null;
        channel.onclose = null;
      } catch (error) {
        failures.push(error);
      }
    }
    return failures;
  }

  /** Detaches (if not done yet), closes both channels and drops them. Returns what threw. */
  close(): unknown[] {
    const failures = this.detach();
    const channels = [this.#control, this.#app];
    this.#control = undefined;
    this.#app = undefined;
    this.#controlOpen = false;
    for (const channel of channels) {
      try {
        channel?.close();
      } catch (error) {
        failures.push(error);
      }
    }
    return failures;
  }

  #flush(): void {
    const app = this.#app;
    if (!app) return;
    const queue = this.#queue;
    this.#queue = [];
    this.#queuedBytes = 0;
    for (const data of queue) {
      try {
        sendOn(app, data);
      } catch (error) {
        this.#host.logger.warn('a queued data-channel message could not be sent', error);
      }
    }
  }

  #onPeerClose(peerGone: boolean): void {
    this.#peerClosed = true;
    if (peerGone) this.#controlOpen = false;
    this.#queue = [];
    this.#queuedBytes = 0;
    if (peerGone) this.#host.closedByPeer();
  }
}

function sendOn(channel: RTCDataChannel, data: ChannelData): void {
  try {
    // Overloads differ per type; the union does not match any one of them.
    channel.send(data as string);
  } catch (error) {
    throw dataChannelError('the data channel refused the message', error);
  }
}

/** The `DATA_CHANNEL` error `send()` throws, with the runtime's failure as its cause. */
export function dataChannelError(message: string, cause?: unknown): HangupError {
  return new HangupError('DATA_CHANNEL', message, cause === undefined ? undefined : { cause });
}

function parseControl(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(data);
  } catch {
    // Not JSON: hand it on as is, so validation reports it like any bad signaling message.
    return data;
  }
}
