import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { startTogether } from './broadcastPages.js';
import { expectPageClean, expectReleasedAtEnd } from './expectations.js';
import { describeBrowser, launchBrowser, runScenario, serveScenarioPage } from './harness.js';

describeBrowser('Chromium, two pages over BroadcastChannelSignaling', () => {
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let server: Awaited<ReturnType<typeof serveScenarioPage>>;
  let first: Page;
  let second: Page;
  let channel = 0;

  beforeAll(async () => {
    [browser, server] = await Promise.all([launchBrowser(), serveScenarioPage()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  beforeEach(async () => {
    server.reports.length = 0;
    [first, second] = await Promise.all([browser.context.newPage(), browser.context.newPage()]);
    await Promise.all([first.goto(server.url), second.goto(server.url)]);
    // A fresh channel name per test, so no tab of an earlier test can pair.
    const name = `call-${++channel}`;
    // Both tabs start in the same instant: the first offer cannot collide (the polite side leaves it to the
    // impolite one), so neither tab has to wait for the other.
    const states = await startTogether(first, second, name);
    expect(states).toEqual(['connected', 'connected']);
  });
  afterEach(async () => {
    await Promise.all([first.isClosed() || first.close(), second.isClosed() || second.close()]);
  });

  /** `hanging` hangs up while `waiting` waits for the end: released when end() returns, and on the bye. */
  async function hangUpFrom(hanging: Page, waiting: Page): Promise<void> {
    const [local, remote] = await Promise.all([
      runScenario(hanging, 'hangUpBroadcast'),
      runScenario(waiting, 'awaitBroadcastEnd'),
    ]);
    expectReleasedAtEnd(local.immediate[0], 'hangup');
    expectReleasedAtEnd(remote.ended[0], 'remote-hangup');
    expectPageClean(local.audit);
    expectPageClean(remote.audit);
  }

  it('the first page hangs up: it is released when end() returns, the other ends with remote-hangup', () =>
    hangUpFrom(first, second));

  it('the second page hangs up', () => hangUpFrom(second, first));

  it('closing one page ends the call in the other; the closed one released on its way out', async () => {
    const remote = runScenario(first, 'awaitBroadcastEnd');
    await second.close();
    const result = await remote;
    // The closing page says goodbye twice, racing: its session's bye (page-hide, also over the data channel)
    // and the adapter's leave notice. Whichever arrives first ends the call; both are right.
    expectReleasedAtEnd(result.ended[0], ['peer-left', 'remote-hangup']);
    expectPageClean(result.audit);
    // Both pages beacon their end checks: the closed page's says page-hide.
    await server.reportCount(2);
    const closed = server.reports.find((report) => report.check.name === 'polite');
    expectReleasedAtEnd(closed?.check, 'page-hide');
    if (closed) expectPageClean(closed.audit);
  });
});
