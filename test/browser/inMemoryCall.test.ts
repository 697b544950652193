import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { expectHangUpOnA, expectPageClean, expectReleasedAtEnd } from './expectations.js';
import { describeBrowser, launchBrowser, runScenario, serveScenarioPage } from './harness.js';

describeBrowser('Chromium, two sessions in one page over the in-memory pair', () => {
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let server: Awaited<ReturnType<typeof serveScenarioPage>>;
  let page: Page;

  beforeAll(async () => {
    [browser, server] = await Promise.all([launchBrowser(), serveScenarioPage()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  beforeEach(async () => {
    page = await browser.context.newPage();
    page.on('pageerror', (error) => {
      throw error;
    });
    await page.goto(server.url);
  });
  afterEach(async () => {
    await page.close();
  });

  it('hang-up on side a: both ends release everything, a at once, b on the bye', async () => {
    const result = await runScenario(page, 'inMemoryCall', 'hangup-a');
    expectHangUpOnA(result);
    expect(result.audit.gumTracks).toBe(4);
    expect(result.audit.peerConnections).toBe(2);
    expectPageClean(result.audit);
  });

  it('hang-up on side b', async () => {
    const result = await runScenario(page, 'inMemoryCall', 'hangup-b');
    expectReleasedAtEnd(result.immediate[0], 'hangup');
    expectReleasedAtEnd(result.ended[0], 'remote-hangup');
    expectReleasedAtEnd(result.ended[1], 'hangup');
    expectPageClean(result.audit);
  });

  it('expiry: maxDurationMs ends the call', async () => {
    const result = await runScenario(page, 'expiry', 1_500);
    expectReleasedAtEnd(result.ended[0], 'expired');
    expectReleasedAtEnd(result.ended[1], 'remote-hangup');
    expect(result.extra?.durationMs).toBeGreaterThanOrEqual(1_500);
    expectPageClean(result.audit);
  });

  it('peer-left: signaling reports the peer gone', async () => {
    const result = await runScenario(page, 'inMemoryCall', 'peer-left');
    expectReleasedAtEnd(result.ended[1], 'peer-left');
    expectReleasedAtEnd(result.immediate[0], 'hangup');
    expectPageClean(result.audit);
  });

  it('finalize: the server ends the call on both sides', async () => {
    const result = await runScenario(page, 'inMemoryCall', 'finalize');
    expectReleasedAtEnd(result.ended[0], 'finalized');
    expectReleasedAtEnd(result.ended[1], 'finalized');
    expectPageClean(result.audit);
  });

  it('connect timeout: the peer never answers', async () => {
    const result = await runScenario(page, 'connectTimeout', 1_500);
    expectReleasedAtEnd(result.ended[0], 'connect-timeout');
    expect(result.extra?.start).toBe('CallEndedError');
    expect(result.audit.gumTracks).toBe(2);
    expectPageClean(result.audit);
  });

  it('page hide (a pagehide event): both sessions end at once', async () => {
    const result = await runScenario(page, 'inMemoryCall', 'pagehide-event');
    expectReleasedAtEnd(result.immediate[0], 'page-hide');
    expectReleasedAtEnd(result.immediate[1], 'page-hide');
    expectPageClean(result.audit);
  });

  it('page hide (a real navigation away): both sessions end released, reported as the page goes', async () => {
    server.reports.length = 0;
    expect(await runScenario(page, 'connectForNavigation')).toBe('connected/connected');
    await page.goto(new URL('/blank.html', server.url).href);
    await server.reportCount(2);
    const [first, second] = server.reports;
    expect([first?.check.name, second?.check.name].sort()).toEqual(['a', 'b']);
    expectReleasedAtEnd(first?.check, 'page-hide');
    expectReleasedAtEnd(second?.check, 'page-hide');
    // The audit sent by the second session to end covers the whole page.
    if (second) expectPageClean(second.audit);
  });

  it('permission granted after the call ended: end() right after start(), the late tracks are stopped on arrival', async () => {
    const result = await runScenario(page, 'lateMedia', true);
    expect(result.extra?.stateAtEnd).toBe('starting');
    expectReleasedAtEnd(result.immediate[0], 'hangup', { hadMedia: false });
    expectReleasedAtEnd(result.ended[0], 'hangup', { hadMedia: false });
    expect(result.extra?.lateTracks).toEqual(['ended', 'ended']);
    expect(result.audit.gumTracks).toBe(2);
    expectPageClean(result.audit);
  });

  it('real getUserMedia still in flight at end(): its tracks are stopped when they arrive', async () => {
    const result = await runScenario(page, 'lateMedia', false);
    expectReleasedAtEnd(result.immediate[0], 'hangup', { hadMedia: false });
    expect(result.extra?.lateTracks).toEqual(['ended', 'ended']);
    expectPageClean(result.audit);
  });
});
