import { dispatchCallsHandlerProperties } from './fakeMedia.js';

/**
 * An `RTCDataChannel` stand-in. Two channels created with the same negotiated `id` on the two fake peer
 * connections of one {@link FakeRuntime} are linked when the connection comes up: both open, `send()` on
 * one delivers a `message` on the other (asynchronously, strings as is, `ArrayBuffer`s copied), and
 * closing one end (or its peer connection) fires `close` on the other, as an SCTP shutdown would.
 * Unlinked channels can be driven by hand: {@link FakeRTCDataChannel.simulateOpen},
 * {@link FakeRTCDataChannel.simulateMessage}, {@link FakeRTCDataChannel.simulateRemoteClose}.
 */
export class FakeRTCDataChannel extends EventTarget {
  readonly label: string;
  readonly id: number | null;
  readonly negotiated: boolean;
  readonly ordered: boolean;
  readonly protocol: string;
  readyState: RTCDataChannelState = 'connecting';
  binaryType: BinaryType = 'blob';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  /** Everything `send()` accepted, in order (whether or not a peer received it). */
  readonly sent: (string | ArrayBuffer)[] = [];
  /** When true, `send()` accepts data but the peer never receives it (a lossy path). */
  dropOutgoing = false;

  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: Event) => void) | null = null;
  onclosing: ((event: Event) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  onbufferedamountlow: ((event: Event) => void) | null = null;

  #peer: FakeRTCDataChannel | undefined;

  constructor(label: string, init: RTCDataChannelInit = {}) {
    super();
    this.label = label;
    this.negotiated = init.negotiated ?? false;
    this.id = init.id ?? null;
    this.ordered = init.ordered ?? true;
    this.protocol = init.protocol ?? '';
  }

  /** The channel on the other side, once linked. */
  get peer(): FakeRTCDataChannel | undefined {
    return this.#peer;
  }

  /** Links two channels and opens both (asynchronously, as SCTP would). */
  static link(a: FakeRTCDataChannel, b: FakeRTCDataChannel): void {
    if (a.#peer || b.#peer) return;
    a.#peer = b;
    b.#peer = a;
    a.simulateOpen();
    b.simulateOpen();
  }

  /** Opens this channel (in a microtask) and fires `open`. */
  simulateOpen(): void {
    queueMicrotask(() => {
      if (this.readyState !== 'connecting') return;
      this.readyState = 'open';
      this.#fire('open', new Event('open'));
    });
  }

  /** Delivers `data` as if the peer sent it. */
  simulateMessage(data: string | ArrayBuffer): void {
    if (this.readyState !== 'open') return;
    this.#fire('message', new MessageEvent('message', { data }));
  }

  /** Closes this channel as the peer going away would: `readyState` `closed` and a `close` event. */
  simulateRemoteClose(): void {
    if (this.readyState === 'closed') return;
    this.#peer = undefined;
    this.readyState = 'closed';
    this.#fire('close', new Event('close'));
  }

  send(data: string | ArrayBuffer | ArrayBufferView | Blob): void {
    if (this.readyState !== 'open') {
      throw domError(`send() on a data channel that is ${this.readyState}`, 'InvalidStateError');
    }
    const copy = typeof data === 'string' ? data : data instanceof ArrayBuffer ? data.slice(0) : undefined;
    if (copy === undefined) throw new TypeError('FakeRTCDataChannel sends strings and ArrayBuffers only');
    this.sent.push(copy);
    const peer = this.#peer;
    if (!peer || this.dropOutgoing) return;
    queueMicrotask(() => peer.simulateMessage(typeof copy === 'string' ? copy : copy.slice(0)));
  }

  /** Closes this end; the linked end gets `close` asynchronously. Own handlers see `closed` only. */
  close(): void {
    if (this.readyState === 'closed') return;
    this.readyState = 'closed';
    const peer = this.#peer;
    this.#peer = undefined;
    if (peer) queueMicrotask(() => peer.simulateRemoteClose());
  }

  #fire(type: string, event: Event): void {
    // happy-dom's dispatchEvent calls the on<type> property itself; Node's does not. Fire it exactly once.
    if (!dispatchCallsHandlerProperties()) {
      const handler = (this as unknown as Record<string, ((event: Event) => void) | null>)[`on${type}`];
      handler?.call(this, event);
    }
    this.dispatchEvent(event);
  }
}

function domError(message: string, name: string): Error {
  return typeof DOMException === 'function' ? new DOMException(message, name) : new Error(message);
}
