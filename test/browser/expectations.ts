import { expect } from 'vitest';
import { NOTHING_HELD } from './harness.js';
import type { EndCheck, PageAudit, ScenarioResult } from './page/scenarios.js';

/** The guarantee, as seen from inside the page at the moment the call ended. */
export function expectReleasedAtEnd(
  check: EndCheck | undefined,
  reason: string | readonly string[],
  options: { hadMedia?: boolean } = {},
): void {
  expect(check, 'no end check reported').toBeDefined();
  if (!check) return;
  const reasons = typeof reason === 'string' ? [reason] : reason;
  expect(reasons, `${check.name}: end reason ${check.reason}`).toContain(check.reason);
  if (options.hadMedia ?? true) expect(check.localTracks, `${check.name}: had camera and microphone`).toBe(2);
  expect(check.liveTracksAtEnd, `${check.name}: local tracks not ended when the end returned`).toBe(0);
  expect(check.resourcesAtEnd, `${check.name}: liveResources() at the end`).toEqual(NOTHING_HELD);
  if (check.pcSignalingStateAtEnd !== undefined) expect(check.pcSignalingStateAtEnd).toBe('closed');
  expect(check.localStreamCleared, `${check.name}: streams dropped`).toBe(true);
}

/** Side a hung up: it had released everything when `end()` returned, and b released everything on the bye. */
export function expectHangUpOnA(result: ScenarioResult): void {
  expectReleasedAtEnd(result.immediate[0], 'hangup');
  const [a, b] = result.ended;
  expectReleasedAtEnd(a, 'hangup');
  expectReleasedAtEnd(b, 'remote-hangup');
}

/** Nothing in the whole page is still live: every getUserMedia and getDisplayMedia track ended, every peer connection closed. */
export function expectPageClean(audit: PageAudit): void {
  expect(audit.liveGumTracks, 'getUserMedia tracks still live in the page').toBe(0);
  expect(audit.liveDisplayTracks, 'getDisplayMedia tracks still live in the page').toBe(0);
  expect(audit.openPeerConnections, 'peer connections still open in the page').toBe(0);
}
