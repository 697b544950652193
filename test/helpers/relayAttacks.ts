import type { Socket } from 'node:net';
import { WebSocket } from 'ws';

// Attacks on the reference relay (issue #11), each a plain `ws` client on 127.0.0.1 running for a given time,
// and a legitimate pair whose round trips are measured meanwhile. The relay runs in another process
// (`relayProcess.ts`), so these clients' own memory does not blur its RSS.

/** How often the attacker was cut off by the relay, and what it pushed. */
export interface AttackResult {
  /** Times the relay closed an attacking socket (or, for the non-reader, told its partner `peer-left`). */
  cutOff: number;
  framesSent: number;
  bytesSent: number;
  /** Close codes the attacking sockets saw, by code. */
  closeCodes: Record<number, number>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The TCP socket under a `ws` client: pausing it models a peer that never reads (its window fills up). */
function tcp(socket: WebSocket): Socket {
  return (socket as unknown as { _socket: Socket })._socket;
}

/**
 * Attacking sockets use an all-zero mask, which `ws` does not apply: masking megabytes a second in JavaScript
 * would load the test process (where the legitimate pair also runs) rather than the relay.
 */
const ATTACKER = { generateMask: (mask: Buffer): void => void mask.fill(0) };

function open(
  url: string,
  options: { generateMask?: (mask: Buffer) => void } = ATTACKER,
): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves with the close code when `socket` closes (1006 if it never had a close frame). */
function closed(socket: WebSocket): Promise<number> {
  if (socket.readyState === socket.CLOSED) return Promise.resolve(1006);
  return new Promise((resolve) => socket.once('close', (code) => resolve(code)));
}

function frames(socket: WebSocket, onFrame: (frame: Record<string, unknown>) => void): void {
  socket.on('message', (raw) => onFrame(JSON.parse(String(raw)) as Record<string, unknown>));
}

async function joined(url: string, room: string, attacker = true): Promise<WebSocket> {
  const socket = await open(url, attacker ? ATTACKER : {});
  socket.on('error', () => {});
  const answer = new Promise<Record<string, unknown>>((resolve, reject) => {
    socket.once('message', (raw) => resolve(JSON.parse(String(raw)) as Record<string, unknown>));
    socket.once('close', (code) => reject(new Error(`closed (${code}) before joining "${room}"`)));
  });
  socket.send(JSON.stringify({ t: 'join', room }));
  const frame = await answer;
  if (frame.t !== 'joined') throw new Error(`join of "${room}" refused: ${JSON.stringify(frame)}`);
  return socket;
}

function count(codes: Record<number, number>, code: number): void {
  codes[code] = (codes[code] ?? 0) + 1;
}

/**
 * Item 1: one member of a room never reads (its TCP socket is paused) while its partner sends frames of
 * `frameBytes` (default 512 KiB, the relay's default limit) at 85 a second, under the rate limit. Each time the relay tells the sender `peer-left`, a new non-reader joins the
 * same room, until `durationMs` is over; then `beforeCleanup` runs while the last non-reader is still there.
 */
export async function nonReaderAttack(
  url: string,
  durationMs: number,
  beforeCleanup: () => Promise<void> = async () => {},
  { room = 'non-reader', frameBytes = 512 * 1024 }: { room?: string; frameBytes?: number } = {},
): Promise<AttackResult> {
  const result: AttackResult = { cutOff: 0, framesSent: 0, bytesSent: 0, closeCodes: {} };
  const deadline = Date.now() + durationMs;
  // Just under the relay's frame limit (512 KiB by default).
  const frame = Buffer.from(JSON.stringify({ t: 'signal', data: 'x'.repeat(frameBytes - 64) }));
  const sender = await joined(url, room);
  let peerLeft = 0;
  frames(sender, (received) => {
    if (received.t === 'peer-left') peerLeft++;
  });
  const victims: WebSocket[] = [];
  try {
    while (Date.now() < deadline && sender.readyState === sender.OPEN) {
      const victim = await joined(url, room);
      victims.push(victim);
      victim.on('close', (code) => count(result.closeCodes, code));
      tcp(victim).pause();
      const before = peerLeft;
      const started = Date.now();
      let sent = 0;
      while (peerLeft === before && Date.now() < deadline && sender.readyState === sender.OPEN) {
        // 85 frames a second on schedule: the relay's token bucket allows 100.
        const due = Math.floor(((Date.now() - started) * 85) / 1000) + 1;
        for (; sent < due; sent++) {
          sender.send(frame, { binary: false });
          result.framesSent++;
          result.bytesSent += frame.length;
        }
        await sleep(5);
      }
      if (peerLeft > before) result.cutOff++;
    }
    await beforeCleanup();
  } finally {
    for (const victim of victims) victim.terminate();
    sender.terminate();
  }
  if (sender.readyState !== sender.CLOSED) await closed(sender);
  return result;
}

/**
 * Item 2: a socket that never joins and never reads sends 125-byte pings as fast as it can write them. When the
 * relay cuts it off, the next one starts, until `durationMs` is over; then `beforeCleanup` runs while the last
 * one is still there.
 */
export async function pingFloodAttack(
  url: string,
  durationMs: number,
  beforeCleanup: () => Promise<void> = async () => {},
): Promise<AttackResult> {
  const result: AttackResult = { cutOff: 0, framesSent: 0, bytesSent: 0, closeCodes: {} };
  const deadline = Date.now() + durationMs;
  const payload = Buffer.alloc(125, 0x70);
  while (Date.now() < deadline) {
    const socket = await open(url);
    socket.on('error', () => {});
    const gone = closed(socket).then((code) => {
      count(result.closeCodes, code);
      return code;
    });
    let isGone = false;
    void gone.then(() => {
      isGone = true;
    });
    tcp(socket).pause();
    while (!isGone && Date.now() < deadline) {
      // Keep the client's own buffer small: the point is what the relay buffers.
      for (
        let i = 0;
        i < 500 && socket.bufferedAmount < 256 * 1024 && socket.readyState === socket.OPEN;
        i++
      ) {
        socket.ping(payload);
        result.framesSent++;
        result.bytesSent += payload.length + 6;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (isGone) result.cutOff++;
    else await beforeCleanup();
    socket.terminate();
    await gone;
  }
  return result;
}

/** What {@link idleSocketsAttack} saw. */
export interface IdleAttackResult extends AttackResult {
  /** Fresh pairs that tried to join a room during the attack, and how many got in and relayed a frame. */
  joinsTried: number;
  joinsAdmitted: number;
}

/**
 * Item 3: `sockets` connections that never join, each reopened as soon as the relay closes it, held for
 * `durationMs` from the moment they are all open. Then `onFull` runs (to start a legitimate pair), and a fresh pair
 * tries to join a room every 100 ms (at least once). With `squatMs`, the squatting variant: each socket joins a
 * room of its own as soon as it opens (so it is not "unjoined"), and `onFull` waits `squatMs` after the relay is
 * full (the relay's `aloneTimeoutMs`).
 */
export async function idleSocketsAttack(
  url: string,
  durationMs: number,
  sockets: number,
  onFull: () => Promise<void> = async () => {},
  squatMs?: number,
): Promise<IdleAttackResult> {
  const result: IdleAttackResult = {
    cutOff: 0,
    framesSent: 0,
    bytesSent: 0,
    closeCodes: {},
    joinsTried: 0,
    joinsAdmitted: 0,
  };
  const live = new Set<WebSocket>();
  let stopping = false;
  let opened = 0;
  let squatRoom = 0;
  const keepOne = (): void => {
    if (stopping) return;
    const socket = new WebSocket(url, ATTACKER);
    live.add(socket);
    socket.on('error', () => {});
    socket.once('open', () => {
      opened++;
      if (squatMs !== undefined) socket.send(JSON.stringify({ t: 'join', room: `squat-${squatRoom++}` }));
    });
    socket.once('close', (code) => {
      live.delete(socket);
      if (stopping) return;
      result.cutOff++;
      count(result.closeCodes, code);
      setImmediate(keepOne);
    });
  };
  for (let i = 0; i < sockets; i++) keepOne();
  // The idle sockets fill the relay before the first legitimate join (for at most 10 s on a loaded machine); the
  // attack's time runs from then, and at least one fresh pair tries.
  const fillBy = Date.now() + 10_000;
  while (opened < sockets && Date.now() < fillBy) await sleep(10);
  if (squatMs !== undefined) await sleep(squatMs);
  await onFull();
  const deadline = Date.now() + durationMs;
  let room = 0;
  do {
    result.joinsTried++;
    try {
      const name = `fresh-${room++}`;
      const a = await joined(url, name, false);
      const b = await joined(url, name, false);
      const echoed = new Promise<void>((resolve) => frames(b, (frame) => frame.t === 'signal' && resolve()));
      a.send(JSON.stringify({ t: 'signal', data: { hello: name } }));
      await echoed;
      result.joinsAdmitted++;
      a.terminate();
      b.terminate();
    } catch {
      // Refused (1013) or closed before joining: counted as tried, not admitted.
    }
    await sleep(100);
  } while (Date.now() < deadline);
  stopping = true;
  const remaining = [...live];
  for (const socket of remaining) socket.terminate();
  await Promise.all(remaining.map((socket) => closed(socket)));
  return result;
}

/** Round trips of the legitimate pair, in ms. */
export interface RoundTrips {
  count: number;
  medianMs: number;
  maxMs: number;
}

/**
 * A legitimate pair in `room`: every 50 ms one side sends a signal, the other echoes it, and the round trip is
 * timed. `stop()` waits for the round trip in flight (the test's timeout bounds that wait) and throws if the pair
 * was disturbed (peer-left, an error frame, a close).
 */
export async function startLegitPair(
  url: string,
  room: string,
): Promise<{ stop(): Promise<RoundTrips>; roundTrips(): number }> {
  const a = await joined(url, room, false);
  const b = await joined(url, room, false);
  const rtts: number[] = [];
  const problems: string[] = [];
  for (const [name, socket] of [
    ['a', a],
    ['b', b],
  ] as const) {
    socket.on('close', (code) => problems.push(`${name} closed (${code})`));
    frames(socket, (frame) => {
      if (frame.t === 'peer-left' || frame.t === 'error')
        problems.push(`${name} got ${JSON.stringify(frame)}`);
    });
  }
  frames(b, (frame) => {
    if (frame.t === 'signal') b.send(JSON.stringify({ t: 'signal', data: frame.data }));
  });
  let stopping = false;
  let inFlight: Promise<void> = Promise.resolve();
  const loop = (async () => {
    while (!stopping && problems.length === 0) {
      const sentAt = performance.now();
      inFlight = new Promise<void>((resolve) => {
        const onMessage = (): void => {
          a.off('message', onMessage);
          resolve();
        };
        a.on('message', onMessage);
      });
      a.send(JSON.stringify({ t: 'signal', data: { n: rtts.length } }));
      await inFlight;
      rtts.push(performance.now() - sentAt);
      await sleep(50);
    }
  })();
  return {
    roundTrips: () => rtts.length,
    async stop() {
      stopping = true;
      await loop;
      const disturbed = [...problems];
      a.terminate();
      b.terminate();
      if (disturbed.length > 0) throw new Error(`the legitimate pair was disturbed: ${disturbed.join('; ')}`);
      const sorted = [...rtts].sort((x, y) => x - y);
      return {
        count: sorted.length,
        medianMs: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN,
        maxMs: sorted[sorted.length - 1] ?? Number.NaN,
      };
    },
  };
}
