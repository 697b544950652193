/**
 * The teardown guarantee in Firefox: the same page scenarios as the Chromium tests (page/scenarios.ts), driven
 * through the Firefox implementation of the browser driver (puppeteer-core over WebDriver BiDi). Calls between
 * Firefox and other runtimes are in test/interop/.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type BrowserDriver, type DrivenPage, describeOn, launchDriver } from './drivers.js';
import { expectHangUpOnA, expectPageClean, expectReleasedAtEnd } from './expectations.js';
import { runScenario, serveScenarioPage } from './harness.js';

describeOn(['firefox'])('Firefox, two sessions in one page over the in-memory pair', () => {
  let driver: BrowserDriver;
  let server: Awaited<ReturnType<typeof serveScenarioPage>>;

  beforeAll(async () => {
    [driver, server] = await Promise.all([launchDriver('firefox'), serveScenarioPage()]);
  });
  afterAll(async () => {
    await driver?.close();
    await server?.close();
    expect(driver?.pageErrors ?? []).toEqual([]);
  });

  async function inPage<T>(run: (page: DrivenPage) => Promise<T>): Promise<T> {
    const page = await driver.newPage(server.url);
    try {
      return await run(page);
    } finally {
      await page.close();
    }
  }

  it('hang-up on side a: both ends release everything, a at once, b on the bye', async () => {
    const result = await inPage((page) => runScenario(page, 'inMemoryCall', 'hangup-a'));
    expectHangUpOnA(result);
    expect(result.audit.gumTracks).toBe(4);
    expect(result.audit.peerConnections).toBe(2);
    expectPageClean(result.audit);
  });

  it('peer-left: signaling reports the peer gone; both release everything', async () => {
    const result = await inPage((page) => runScenario(page, 'inMemoryCall', 'peer-left'));
    expectReleasedAtEnd(result.ended[1], 'peer-left');
    expectReleasedAtEnd(result.immediate[0], 'hangup');
    expectPageClean(result.audit);
  });
});
