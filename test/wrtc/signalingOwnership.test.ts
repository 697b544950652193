import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CallSession, WebSocketSignaling } from '../../src/index.js';
import { createRelayServer, type RelayServer } from '../../src/server/index.js';
import { assertReleased } from '../../src/testing/index.js';
import { wrtcRuntime } from '../helpers/wrtcRuntime.js';
import { RawClient } from './relayClient.js';

// Who owns the signaling adapter (CONTRACT "Additions"), on the real relay: an adapter created by the
// session (`signaling: () => adapter`) is closed at teardown, so the room is free again and a Node process
// exits by itself; an adapter instance stays the app's.

let relay: RelayServer | undefined;
const cleanup: (() => void)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0)) step();
  await relay?.close();
  relay = undefined;
});

async function startRelay(): Promise<string> {
  relay = await createRelayServer({ port: 0 });
  return `ws://127.0.0.1:${relay.port}`;
}

function session(signaling: ConstructorParameters<typeof CallSession>[0]['signaling'], polite: boolean) {
  const created = new CallSession({ signaling, polite, runtime: wrtcRuntime, connectTimeoutMs: 20_000 });
  cleanup.push(() => created.teardown('disposed'));
  return created;
}

/** Two raw clients join `room`: both get `joined` only if the room has no member left. */
async function roomIsFree(url: string, room: string): Promise<boolean> {
  const clients = [new RawClient(url), new RawClient(url)];
  cleanup.push(() => {
    for (const client of clients) client.close();
  });
  for (const client of clients) await client.join(room);
  return clients.every((client) => client.of('joined').length === 1 && client.of('error').length === 0);
}

describe('signaling adapter ownership on the real relay', () => {
  it('function form: after a hang-up both sockets leave, the room is free, a retry connects', async () => {
    const url = await startRelay();
    const room = 'owned-1';
    const factory = () => new WebSocketSignaling({ url, room, WebSocket });
    const a = session(factory, true);
    const b = session(factory, false);
    await Promise.all([a.start(), b.start()]);
    a.end();
    expect((await b.ended).reason).toBe('remote-hangup');
    assertReleased(a);
    assertReleased(b);

    // A retry in the same room: no room-full, it connects.
    const retryA = session(factory, true);
    const retryB = session(factory, false);
    await Promise.all([retryA.start(), retryB.start()]);
    expect([retryA.state, retryB.state]).toEqual(['connected', 'connected']);
    retryB.end();
    expect((await retryA.ended).reason).toBe('remote-hangup');
    assertReleased(retryA);
    assertReleased(retryB);
    expect(await roomIsFree(url, room)).toBe(true);
  });

  it('instance form: the session never closes the app’s adapter (the room stays joined until the app closes it)', async () => {
    const url = await startRelay();
    const room = 'app-owned-1';
    const adapters = [true, false].map(() => new WebSocketSignaling({ url, room, WebSocket }));
    cleanup.push(() => {
      for (const adapter of adapters) adapter.close();
    });
    const a = session(adapters[0]!, true);
    const b = session(adapters[1]!, false);
    await Promise.all([a.start(), b.start()]);
    a.end();
    expect((await b.ended).reason).toBe('remote-hangup');
    const third = new RawClient(url);
    cleanup.push(() => third.close());
    await third.join(room);
    expect(third.of('error').map((frame) => frame.code)).toEqual(['room-full']);
    for (const adapter of adapters) adapter.close();
    expect(await roomIsFree(url, room)).toBe(true);
  });

  it('a Node process that ran a call with the function form exits by itself', async () => {
    const url = await startRelay();
    const child = spawn(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', path.join(__dirname, 'fixtures/relayCallChild.ts'), url, 'child-1'],
      { cwd: path.resolve(__dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    cleanup.push(() => child.kill('SIGKILL'));
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => {
      out += String(chunk);
    });
    child.stderr.on('data', (chunk) => {
      err += String(chunk);
    });
    // Bounded by the test timeout: a process kept alive by a socket would never exit.
    const code = await new Promise<number | null>((resolve) =>
      child.on('exit', (exitCode) => resolve(exitCode)),
    );
    expect(err).toBe('');
    expect(out.trim()).toBe('ended hangup remote-hangup');
    expect(code).toBe(0);
  });
});
