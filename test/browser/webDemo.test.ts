import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWebDemoServer, type WebDemoServer } from '../../examples/web-demo/server.js';
import { describeBrowser, launchBrowser } from './harness.js';

/** Records every getUserMedia stream of a page, so the test can ask whether any camera track is still live. */
function recordMedia(): void {
  const streams: MediaStream[] = [];
  (window as unknown as { liveTracks(): number }).liveTracks = () =>
    streams.flatMap((s) => s.getTracks()).filter((t) => t.readyState === 'live').length;
  const devices = navigator.mediaDevices;
  const original = devices.getUserMedia.bind(devices);
  devices.getUserMedia = async (constraints) => {
    const stream = await original(constraints);
    streams.push(stream);
    return stream;
  };
}

const liveTracks = (page: Page) =>
  page.evaluate(() => (window as unknown as { liveTracks(): number }).liveTracks());

async function waitConnected(page: Page): Promise<void> {
  await page.waitForFunction(() => document.getElementById('status')?.textContent?.endsWith('connected'));
  // Frames of the peer's fake camera are on screen.
  await page.waitForFunction(() => {
    const video = document.getElementById('remote') as HTMLVideoElement | null;
    return Boolean(video && video.videoWidth > 0 && video.readyState >= 2);
  });
}

describeBrowser('npm run demo:web in Chromium', () => {
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let demo: WebDemoServer;

  beforeAll(async () => {
    [browser, demo] = await Promise.all([launchBrowser(), startWebDemoServer({ port: 0 })]);
    await browser.context.addInitScript(recordMedia);
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.close();
  });

  for (const [variant, path] of [
    ['plain TypeScript page', ''],
    ['React page', 'react.html'],
  ] as const) {
    it(`${variant}: two tabs connect, one hangs up, both show the ended screen with the camera off`, async () => {
      const url = `${demo.url}${path}?room=${encodeURIComponent(variant)}&limit=90`;
      const first = await browser.context.newPage();
      await first.setViewportSize({ width: 760, height: 520 });
      await first.goto(url);
      await first.waitForFunction(() =>
        document.getElementById('status')?.textContent?.includes('connecting'),
      );
      const second = await browser.context.newPage();
      await second.goto(url);
      await Promise.all([waitConnected(first), waitConnected(second)]);
      expect(await first.locator('#countdown').textContent()).toMatch(/^1:[0-3]\d left$/);
      expect(await liveTracks(first)).toBe(2);
      if (path === '') {
        // The README's screenshot is refreshed only on request, so test runs leave the work tree clean.
        const target = process.env.UPDATE_SCREENSHOTS
          ? join(import.meta.dirname, '..', '..', 'docs', 'web-demo.png')
          : join(tmpdir(), 'hangup-web-demo.png');
        await first.screenshot({ path: target });
      }

      await second.click('#end');
      await Promise.all([
        first.waitForSelector('#ended:not([hidden])'),
        second.waitForSelector('#ended:not([hidden])'),
      ]);
      expect(await second.locator('#reason').textContent()).toBe('hangup');
      expect(await first.locator('#reason').textContent()).toBe('remote-hangup');
      expect(await liveTracks(first)).toBe(0);
      expect(await liveTracks(second)).toBe(0);
      await Promise.all([first.close(), second.close()]);
    });
  }
});
