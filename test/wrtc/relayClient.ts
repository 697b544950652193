import { WebSocket } from 'ws';

/** A raw `ws` client for relay tests: records parsed frames and the close code. */
export class RawClient {
  readonly socket: WebSocket;
  readonly frames: Record<string, unknown>[] = [];
  closeCode: number | undefined;
  readonly opened: Promise<void>;

  constructor(url: string, options: { autoPong?: boolean } = {}) {
    this.socket = new WebSocket(url, options);
    this.socket.on('error', () => {});
    this.socket.on('message', (data) => this.frames.push(JSON.parse(String(data))));
    this.socket.on('close', (code) => {
      this.closeCode = code;
    });
    this.opened = new Promise((resolve) => this.socket.once('open', () => resolve()));
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  async join(room: string): Promise<void> {
    await this.opened;
    this.send({ t: 'join', room });
    await this.frame((f) => f.t === 'joined' || f.t === 'error');
  }

  /** Waits for a frame matching `match` and returns it. */
  async frame(match: (frame: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    await until(() => this.frames.some(match));
    return this.frames.find(match)!;
  }

  /** Frames of type `t`. */
  of(t: string): Record<string, unknown>[] {
    return this.frames.filter((frame) => frame.t === t);
  }

  async closed(): Promise<number> {
    await until(() => this.closeCode !== undefined);
    return this.closeCode!;
  }

  close(): void {
    this.socket.terminate();
  }
}

/** Polls `check` until it holds (the test's own timeout bounds the wait). */
export async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}
