import type { Page } from 'playwright-core';
import { runScenario } from './harness.js';

/**
 * Starts a call between two pages over `BroadcastChannelSignaling` on channel `name`, both `start()`ing in the
 * same instant: each page pairs its signaling and arms its session, then one go-signal on a BroadcastChannel
 * reaches both. `first` is the impolite side, `second` the polite one. Resolves to both pages' states once each
 * connected (or to why it ended instead).
 * @param preAcquire acquire the cameras before the go-signal, so both peer connections come up together too
 */
export async function startTogether(
  first: Page,
  second: Page,
  name: string,
  preAcquire = false,
): Promise<string[]> {
  await Promise.all([
    runScenario(first, 'armBroadcast', name, false, preAcquire),
    runScenario(second, 'armBroadcast', name, true, preAcquire),
  ]);
  await runScenario(first, 'fireGo', name);
  return Promise.all([
    runScenario(first, 'awaitBroadcastConnected'),
    runScenario(second, 'awaitBroadcastConnected'),
  ]);
}
