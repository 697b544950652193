import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { RelayServerOptions } from '../../src/server/createRelayServer.js';

/** A relay running in its own Node process (so it can be SIGKILLed like a crashed machine). */
export interface RelayNode {
  readonly port: number;
  readonly processId: string | undefined;
  readonly child: ChildProcess;
  /** SIGKILL: no close frames, no departures recorded in Redis; only the heartbeat stops. */
  kill(): Promise<void>;
  /** SIGTERM: the process drains (clients resume elsewhere) and exits. */
  stop(): Promise<void>;
}

// A path, not `new URL(…)`: happy-dom replaces the global URL in the unit project.
const MAIN = join(dirname(fileURLToPath(import.meta.url)), 'relayNodeMain.ts');

/** Starts `relayNodeMain.ts` with `options` (JSON: no functions, no clock, no logger). */
export async function startRelayNode(options: RelayServerOptions): Promise<RelayNode> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', MAIN, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const first = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`relay process exited before listening (code ${code})`)));
  });
  const { port, processId } = JSON.parse(first) as { port: number; processId?: string };
  const stopWith = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { port, processId, child, kill: () => stopWith('SIGKILL'), stop: () => stopWith('SIGTERM') };
}
