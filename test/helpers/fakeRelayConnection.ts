import type { RelayConnection } from '../../src/server/RoomBackend.js';

/** A room backend's connection without a socket: records what the rooms send it and report of it. */
export class FakeConnection implements RelayConnection {
  open = true;
  readonly frames: Record<string, unknown>[] = [];
  /** What the rooms reported of this member's partner, in order (`true`: present). */
  readonly partners: boolean[] = [];
  /** Frames sent with their size, and those whose size did not match the frame's real UTF-8 size. */
  sized = 0;
  /** UTF-8 bytes of every frame sent. */
  sentBytes = 0;
  readonly wrongSizes: { frame: string; bytes: number }[] = [];
  closedWith: number | undefined;
  terminated = false;
  send(frame: string, bytes?: number): void {
    this.sentBytes += Buffer.byteLength(frame);
    if (bytes !== undefined) this.sized++;
    if (bytes !== undefined && bytes !== Buffer.byteLength(frame)) this.wrongSizes.push({ frame, bytes });
    this.frames.push(JSON.parse(frame));
  }
  partnered(present: boolean): void {
    this.partners.push(present);
  }
  close(code: number): void {
    this.closedWith = code;
    this.open = false;
  }
  terminate(): void {
    this.terminated = true;
    this.open = false;
  }
  types(): unknown[] {
    return this.frames.map((frame) => frame.t);
  }
}
