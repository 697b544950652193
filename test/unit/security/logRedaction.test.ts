import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CallSession, createInMemorySignalingPair, type Logger } from '../../../src/index.js';
import { createRelayServer, type RelayServer } from '../../../src/server/createRelayServer.js';
import { WebSocketSignaling } from '../../../src/signaling/WebSocketSignaling.js';
import { FakeRuntime, ManualClock, settle } from '../../../src/testing/index.js';
import { expectReleased } from '../../helpers/fakeCall.js';
import { checkedLogger } from '../../helpers/problems.js';

// "SDP and candidates are never logged above debug": a whole call, with ICE trouble, invalid messages and a
// hang-up, runs with loggers that capture every level; nothing at info/warn/error may contain an SDP line or an
// IP address. The debug capture must contain them, which proves the capture sees what flows.

type Level = keyof Logger;
interface Capture {
  logger: Logger;
  lines: Record<Level, string[]>;
}

function capture(): Capture {
  const lines: Record<Level, string[]> = { debug: [], info: [], warn: [], error: [] };
  const record =
    (level: Level) =>
    (message: string, ...details: unknown[]): void => {
      lines[level].push([message, ...details.map(stringify)].join(' '));
    };
  return {
    lines,
    // Sessions wrap it themselves (failOnProblems.ts); the adapters and the relay need it by hand.
    logger: checkedLogger({
      debug: record('debug'),
      info: record('info'),
      warn: record('warn'),
      error: record('error'),
    }),
  };
}

function stringify(value: unknown): string {
  if (value instanceof Error)
    return `${value.name}: ${value.message} ${value.cause ? stringify(value.cause) : ''}`;
  try {
    return typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    return String(value);
  }
}

const SDP_LINE = /(^|[\s"'\\]|\\r\\n|\\n)[vosta]=\S|a=(ice-ufrag|ice-pwd|candidate|fingerprint|mid)/;
const IPV4 = /\b\d{1,3}(\.\d{1,3}){3}\b/;
const IPV6 = /\b[0-9a-f]{1,4}(:[0-9a-f]{0,4}){2,7}\b/i;
const CANDIDATE = /candidate:\d/;

function expectClean(...captures: Capture[]): void {
  for (const { lines } of captures) {
    for (const line of [...lines.info, ...lines.warn, ...lines.error]) {
      expect(line).not.toMatch(SDP_LINE);
      expect(line).not.toMatch(IPV4);
      expect(line).not.toMatch(IPV6);
      expect(line).not.toMatch(CANDIDATE);
    }
  }
}

describe('logs above debug carry no SDP and no IP address', () => {
  let relay: RelayServer | undefined;
  afterEach(async () => {
    await relay?.close();
    relay = undefined;
  });

  it('over the in-memory pair, through ICE trouble, bad messages and a hang-up', async () => {
    const clock = new ManualClock();
    const runtime = new FakeRuntime();
    const pair = createInMemorySignalingPair({ clock });
    const logs = { a: capture(), b: capture() };
    const common = {
      runtime,
      clock,
      endOnPageHide: false,
      disconnectGraceMs: 100,
      iceRestartTimeoutMs: 1_000,
    };
    const a = new CallSession({ signaling: pair.a, polite: true, logger: logs.a.logger, ...common });
    const b = new CallSession({ signaling: pair.b, polite: false, logger: logs.b.logger, ...common });
    const started = [a.start(), b.start()];
    for (let i = 0; i < 20 && (a.state !== 'connected' || b.state !== 'connected'); i++)
      await clock.advanceAsync(1);
    await Promise.all(started);
    // ICE trouble and a restart: descriptions and candidates flow again.
    runtime.peerConnections[0]?.setConnectionState('disconnected');
    await clock.advanceAsync(100);
    for (let i = 0; i < 10; i++) await clock.advanceAsync(1);
    // A hostile peer: SDP-looking junk in places where it is invalid, and an oversized SDP.
    await pair.b.send({
      type: 'description',
      description: { type: 'bogus' as never, sdp: 'v=0\r\na=ice-pwd:secret 10.1.2.3' },
    });
    await pair.b.send({
      type: 'description',
      description: { type: 'offer', sdp: `v=0\r\nc=IN IP4 192.168.1.20\r\n${'a=x\r\n'.repeat(70_000)}` },
    });
    await clock.advanceAsync(10);
    a.end();
    await clock.advanceAsync(10);
    await settle();
    expect(b.endReason).toBe('remote-hangup');
    expectReleased(a, b);
    expectClean(logs.a, logs.b);
    // The capture does see SDP and addresses: at debug, where they belong.
    const debug = [...logs.a.lines.debug, ...logs.b.lines.debug].join('\n');
    expect(debug).toMatch(SDP_LINE);
    expect(debug).toMatch(IPV4);
    expect(logs.a.lines.info.length + logs.b.lines.info.length).toBeGreaterThan(0);
  });

  it('through the relay and WebSocketSignaling, the relay logging too', async () => {
    const relayLog = capture();
    relay = await createRelayServer({ port: 0, logger: relayLog.logger });
    const url = `ws://127.0.0.1:${relay.port}`;
    const logs = { a: capture(), b: capture(), wsA: capture(), wsB: capture() };
    const wsA = new WebSocketSignaling({ url, room: 'log-room', WebSocket, logger: logs.wsA.logger });
    const wsB = new WebSocketSignaling({ url, room: 'log-room', WebSocket, logger: logs.wsB.logger });
    const runtime = new FakeRuntime();
    const a = new CallSession({
      signaling: wsA,
      polite: true,
      runtime,
      endOnPageHide: false,
      logger: logs.a.logger,
    });
    const b = new CallSession({
      signaling: wsB,
      polite: false,
      runtime,
      endOnPageHide: false,
      logger: logs.b.logger,
    });
    await Promise.all([a.start(), b.start()]);
    // Frames the relay refuses: its answers and its own logs must not echo what was in them.
    const raw = new WebSocket(url);
    await new Promise((resolve) => raw.once('open', resolve));
    raw.send('{"t":"signal","data":{"sdp":"v=0\\r\\nc=IN IP4 10.9.8.7"}}');
    raw.send(`{"t":"signal","data":${'['.repeat(200_000)}${']'.repeat(200_000)}}`);
    raw.close();
    a.end();
    await b.ended;
    wsA.close();
    wsB.close();
    expectReleased(a, b);
    expectClean(logs.a, logs.b, logs.wsA, logs.wsB, relayLog);
  });
});
