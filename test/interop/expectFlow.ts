/** Bounded waits for what one peer receives from the other. */
import { expect } from 'vitest';
import type { InteropPeer, MediaCounts, PeerReport } from './peerApi.js';

/** Polls `probe` until `ok` holds; throws with the last value after `timeoutMs`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 8_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  const late = Symbol('late');
  for (;;) {
    // A probe is bounded too: a call into a Firefox page once hung on a broken path.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const value = await Promise.race([
      probe(),
      new Promise<typeof late>((resolve) => {
        timer = setTimeout(() => resolve(late), Math.max(0, deadline - Date.now()) + 1);
      }),
    ]).finally(() => clearTimeout(timer));
    if (value === late) throw new Error(`${what}: no answer within ${timeoutMs} ms`);
    if (ok(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** More video frames are decoded and audio packets received on `peer` than in `before`. */
function grew(before: MediaCounts, now: MediaCounts, frames: number, packets: number): boolean {
  return now.videoFrames >= before.videoFrames + frames && now.audioPackets >= before.audioPackets + packets;
}

/** Video frames are decoded and audio arrives on both sides (from now on: counters must grow). */
export async function expectMediaBothWays(
  a: InteropPeer,
  b: InteropPeer,
  label: string,
  timeoutMs = 8_000,
): Promise<void> {
  const [beforeA, beforeB] = await Promise.all([a.counts(), b.counts()]);
  await Promise.all([
    until(
      `${label}: media into ${a.runtime}`,
      () => a.counts(),
      (now) => grew(beforeA, now, 5, 10),
      timeoutMs,
    ),
    until(
      `${label}: media into ${b.runtime}`,
      () => b.counts(),
      (now) => grew(beforeB, now, 5, 10),
      timeoutMs,
    ),
  ]);
}

/** A message from each side arrives at the other. */
export async function expectDataBothWays(
  a: InteropPeer,
  b: InteropPeer,
  tag: string,
  timeoutMs = 8_000,
): Promise<void> {
  await Promise.all([a.send(`${tag} from ${a.runtime}`), b.send(`${tag} from ${b.runtime}`)]);
  await Promise.all([
    until(
      `${tag}: data into ${b.runtime}`,
      () => b.counts(),
      (c) => c.messages.includes(`${tag} from ${a.runtime}`),
      timeoutMs,
    ),
    until(
      `${tag}: data into ${a.runtime}`,
      () => a.counts(),
      (c) => c.messages.includes(`${tag} from ${b.runtime}`),
      timeoutMs,
    ),
  ]);
}

/** The side ended with `reason`, everything released, nothing left live. */
export function expectEnded(report: PeerReport, reasons: readonly string[], who: string): void {
  expect(report.state, who).toBe('ended');
  expect(reasons, `${who} ended with ${report.endReason}`).toContain(report.endReason);
  expect(report.liveTracksAtEnd, `${who}: live local tracks at the end`).toBe(0);
  const resources = report.resourcesAtEnd ?? {};
  expect(
    Object.entries(resources).filter(([, value]) => value !== 0 && value !== false),
    `${who}: resources held at the end`,
  ).toEqual([]);
}
