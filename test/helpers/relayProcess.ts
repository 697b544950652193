import { type ChildProcess, fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RelayServerOptions } from '../../src/server/index.js';

/** What the relay process reports: RSS now, the peak since the last `mark`, log lines written (by message). */
export interface RelayReport {
  rss: number;
  /** V8 heap in use + external memory (Buffers, including what sockets hold). */
  live: number;
  /** Longest event-loop delay of the relay since the last `mark`, in ms. */
  maxLoopDelayMs: number;
  peakRss: number;
  logCounts: Record<string, number>;
}

// A path, not `new URL(…)`: happy-dom replaces the global URL in the unit project.
const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'relayChild.ts');

/**
 * The reference relay running in a child process (see `relayChild.ts`), so a test can measure its memory
 * alone. Loopback only; `stop()` ends it, and it exits by itself if the test process goes away.
 */
export class RelayProcess {
  readonly url: string;
  readonly #child: ChildProcess;
  #nextId = 1;
  readonly #waiting = new Map<number, (report: RelayReport) => void>();

  private constructor(child: ChildProcess, port: number) {
    this.#child = child;
    this.url = `ws://127.0.0.1:${port}`;
    child.on('message', (message: RelayReport & { id?: number }) => {
      const resolve = message.id === undefined ? undefined : this.#waiting.get(message.id);
      if (!resolve || message.id === undefined) return;
      this.#waiting.delete(message.id);
      resolve(message);
    });
  }

  /** Starts a relay with `options` (JSON-serialisable ones: no clock, logger or server). */
  static start(options: Omit<RelayServerOptions, 'clock' | 'logger' | 'server'> = {}): Promise<RelayProcess> {
    const child = fork(CHILD, [], {
      execArgv: ['--expose-gc', '--import', 'tsx'],
      env: { ...process.env, HANGUP_RELAY_OPTIONS: JSON.stringify(options) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`relay process exited early (${code})`)));
      child.once('message', (message: { port?: number }) => {
        if (typeof message.port === 'number') resolve(new RelayProcess(child, message.port));
        else reject(new Error('relay process did not report its port'));
      });
    });
  }

  /** Collects garbage and restarts the peak from the current RSS; returns the baseline (RSS and live memory). */
  mark(): Promise<RelayReport> {
    return this.#ask('mark');
  }

  report(): Promise<RelayReport> {
    return this.#ask('report');
  }

  /** Like `report`, taken after collecting garbage: `live` is the memory the relay actually holds now. */
  retained(): Promise<RelayReport> {
    return this.#ask('retained');
  }

  /** Closes the relay and waits for the process to exit (killed if it takes more than 3 s). */
  async stop(): Promise<RelayReport | undefined> {
    if (this.#child.exitCode !== null) return undefined;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    const killer = setTimeout(() => this.#child.kill('SIGKILL'), 3_000);
    const report = await Promise.race([this.#ask('stop'), exited.then(() => undefined)]);
    await exited;
    clearTimeout(killer);
    return report;
  }

  #ask(op: 'mark' | 'report' | 'retained' | 'stop'): Promise<RelayReport> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#waiting.set(id, resolve);
      this.#child.send({ id, op });
    });
  }
}
