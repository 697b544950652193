import { describe, expect, it } from 'vitest';
import type { Logger, SignalingEvent } from '../../../src/index.js';
import {
  type WebSocketCloseEventLike,
  type WebSocketLike,
  type WebSocketMessageEventLike,
  WebSocketSignaling,
} from '../../../src/signaling/WebSocketSignaling.js';
import { settle } from '../../../src/testing/index.js';

// A hostile or broken signaling server talks to WebSocketSignaling through a scripted socket. Regression tests
// for the security review (docs/security.md): frames are bounded, and nothing the server says can throw inside
// the socket callback or inject lines into the application's logs.

class ScriptedSocket implements WebSocketLike {
  static last: ScriptedSocket | undefined;
  readyState = 0;
  readonly sent: string[] = [];
  readonly #listeners = new Map<string, ((event: never) => void)[]>();

  constructor(_url: string) {
    ScriptedSocket.last = this;
  }

  send(data: string): void {
    this.sent.push(data);
  }

  close(): void {
    this.readyState = 3;
  }

  addEventListener(type: string, listener: (event: never) => void): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }

  fire(type: 'open' | 'error'): void;
  fire(type: 'message', event: WebSocketMessageEventLike): void;
  fire(type: 'close', event: WebSocketCloseEventLike): void;
  fire(type: string, event?: unknown): void {
    if (type === 'open') this.readyState = 1;
    for (const listener of this.#listeners.get(type) ?? []) listener(event as never);
  }
}

function setUp(): {
  socket: ScriptedSocket;
  events: SignalingEvent[];
  warnings: string[];
  adapter: WebSocketSignaling;
} {
  const warnings: string[] = [];
  const logger: Logger = {
    debug: () => {},
    info: () => {},
    warn: (message) => warnings.push(message),
    error: () => {},
  };
  const adapter = new WebSocketSignaling({
    url: 'ws://relay.invalid',
    room: 'r',
    WebSocket: ScriptedSocket,
    logger,
  });
  const socket = ScriptedSocket.last as ScriptedSocket;
  const events: SignalingEvent[] = [];
  adapter.subscribe((event) => events.push(event));
  socket.fire('open');
  socket.fire('message', { data: JSON.stringify({ t: 'joined', room: 'r', peers: 1, v: 1 }) });
  return { socket, events, warnings, adapter };
}

describe('WebSocketSignaling against a hostile relay', () => {
  it('does not throw inside the socket callback for an error frame whose message cannot be stringified', async () => {
    const { socket, warnings, adapter } = setUp();
    // JSON.parse gives an object whose own `toString` is not a function: String() of it throws.
    expect(() =>
      socket.fire('message', { data: '{"t":"error","code":{"toString":1},"message":{"toString":1}}' }),
    ).not.toThrow();
    expect(warnings).toEqual(['signaling: relay reported an error (object: object)']);
    adapter.close();
    await settle();
  });

  it('keeps the server text it logs to one bounded line', async () => {
    const { socket, warnings, adapter } = setUp();
    const message = `forged\nERROR admin logged in\r\n${'x'.repeat(10_000)}`;
    socket.fire('message', { data: JSON.stringify({ t: 'error', code: 'bad-frame', message }) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).not.toMatch(/[\r\n]/);
    expect((warnings[0] as string).length).toBeLessThan(400);
    adapter.close();
    await settle();
  });

  it('escapes Unicode bidi and format characters in the server text it logs (no visual log spoofing)', async () => {
    const { socket, warnings, adapter } = setUp();
    // U+202E reverses what follows on screen, U+2066 opens an isolate, U+200B hides a break; all are Cf.
    const message = 'user \u202Enimda\u202C logged \u2066in\u2069\u200B\uFEFF\u2028x';
    socket.fire('message', { data: JSON.stringify({ t: 'error', code: 'bad\u200Fframe', message }) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).not.toMatch(/[\p{Cf}\p{Cc}\u2028\u2029]/u);
    expect(warnings[0]).toBe('signaling: relay reported an error (bad frame: user  nimda  logged  in    x)');
    adapter.close();
    await settle();
  });

  it('drops a frame larger than 1 MiB instead of parsing it, and still delivers normal ones', async () => {
    const { socket, events, adapter } = setUp();
    const huge = JSON.stringify({
      t: 'signal',
      data: { type: 'description', description: { type: 'offer', sdp: 'a'.repeat(1024 * 1024) } },
    });
    socket.fire('message', { data: huge });
    socket.fire('message', {
      data: JSON.stringify({ t: 'signal', data: { type: 'bye', reason: 'hangup' } }),
    });
    await settle();
    expect(events).toEqual([{ type: 'message', data: { type: 'bye', reason: 'hangup' } }]);
    adapter.close();
    await settle();
  });
});
