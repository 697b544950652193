// Real getDisplayMedia in headless Chromium 156. What this browser allows (probed on this machine):
// - with the usual `--use-fake-ui-for-media-stream`, getDisplayMedia grants a fake screen ("screen:-3:0") that
//   nothing can end, so the "Stop sharing" path could not be exercised;
// - without it and with `--auto-select-tab-capture-source-by-title=<title>`, it captures the tab with that title,
//   no picker, and closing that tab makes the browser end the capture: the screen track gets a real `ended` event
//   (`isTrusted`), the same event its "Stop sharing" control fires. No event is dispatched by the test.
// Headless has no "Stop sharing" button to click; races around the picker (stop while it is open, a share that
// arrives after teardown, a refused picker) are driven with the fake runtime in test/unit/media/screenShare.test.ts.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectHangUpOnA, expectPageClean } from './expectations.js';
import {
  describeBrowser,
  launchBrowser,
  runScenario,
  SCREEN_SHARE_ARGS,
  SHARED_TAB_TITLE,
  serveScenarioPage,
} from './harness.js';

describeBrowser('Chromium, screen sharing with the real getDisplayMedia', () => {
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let server: Awaited<ReturnType<typeof serveScenarioPage>>;
  let page: Page;

  /** Opens the tab getDisplayMedia will capture (the auto-select flag matches its title). */
  async function openSharedTab(): Promise<Page> {
    const tab = await browser.context.newPage();
    await tab.goto(new URL('/shared-tab.html', server.url).href);
    expect(await tab.title()).toBe(SHARED_TAB_TITLE);
    await page.bringToFront();
    return tab;
  }

  beforeAll(async () => {
    [browser, server] = await Promise.all([launchBrowser(SCREEN_SHARE_ARGS), serveScenarioPage()]);
    page = await browser.context.newPage();
    page.on('pageerror', (error) => {
      throw error;
    });
    await page.goto(server.url);
  });
  afterAll(async () => {
    await page?.close();
    await browser?.close();
    await server?.close();
  });

  it('shares a tab, brings the camera back when the browser ends the capture, and releases everything at hang-up', async () => {
    expect(await runScenario(page, 'connectForSharing')).toBe('connected/connected');

    // 1. Share: the screen replaces the camera on the sender and in localStream; the camera keeps running.
    const firstTab = await openSharedTab();
    const first = await runScenario(page, 'startSharing');
    expect(first.rejected).toBeUndefined();
    expect(first.facts).toMatchObject({
      isScreenSharing: true,
      sent: 'screen',
      shown: 'screen',
      screenSurface: 'browser',
      screenState: 'live',
      cameraState: 'live',
      state: 'connected',
    });
    expect(first.facts.screenLabel).toMatch(/^web-contents-media-stream:/);

    // 2. The browser ends the capture (its shared tab goes away): a trusted `ended` event, the camera comes back.
    await firstTab.close();
    const back = await runScenario(page, 'awaitCameraBack');
    expect(back.endedEvents).toEqual([{ isTrusted: true }]);
    expect(back).toMatchObject({
      isScreenSharing: false,
      sent: 'camera',
      shown: 'camera',
      screenState: 'ended',
      cameraState: 'live',
      state: 'connected',
    });
    // The peer receives video again after the switch back: the call went on.
    expect(back.videoPacketsAtB).toBeGreaterThan(first.facts.videoPacketsAtB);
    expect(back.errors).toEqual([]);

    // 3. Share again, then hang up while sharing: camera, microphone and screen are all ended when end() returns.
    await openSharedTab();
    const second = await runScenario(page, 'startSharing');
    expect(second.rejected).toBeUndefined();
    expect(second.facts).toMatchObject({ isScreenSharing: true, sent: 'screen', shown: 'screen' });
    const result = await runScenario(page, 'hangUpWhileSharing');
    expect(result.extra?.tracksAtEnd).toEqual({ camera: 'ended', microphone: 'ended', screen: 'ended' });
    expectHangUpOnA(result);
    expect(result.extra?.errors).toEqual([]);
    expect(result.audit.displayTracks).toBe(2);
    expectPageClean(result.audit);
  });
});
