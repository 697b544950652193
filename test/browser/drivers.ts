/**
 * One interface over the two browser automation libraries: Chromium through playwright-core, Firefox through
 * puppeteer-core over WebDriver BiDi (no geckodriver, nothing downloaded). Both use the Debian binaries, and both
 * tests' pages are served from http://127.0.0.1 (a secure context: `about:blank` has no `mediaDevices` in
 * Firefox).
 */
import { existsSync } from 'node:fs';
import { describe } from 'vitest';
import { DUMP_PREFIX } from './dumpPrefix.js';
import { CHROMIUM, launchBrowser } from './harness.js';

/** A page as the tests drive it: playwright's and puppeteer's pages both fit. */
export interface DrivenPage {
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  goto(url: string): Promise<unknown>;
  /** With `runBeforeUnload`, `beforeunload` / `pagehide` run as when a user closes the tab. */
  close(options?: { runBeforeUnload?: boolean }): Promise<void>;
}

/** A launched browser. */
export interface BrowserDriver {
  readonly name: BrowserName;
  /** Opens a tab at `url`; uncaught page errors are collected in `pageErrors`. */
  newPage(url: string): Promise<DrivenPage>;
  readonly pageErrors: string[];
  /**
   * Lines pages wrote with `window.dump()` (Firefox only: it writes them to the browser's stdout). The one
   * channel out of a closing Firefox tab that never loses a line: a beacon or even a synchronous request sent
   * from its `pagehide` is dropped now and then (2 of 8).
   */
  readonly dumped: string[];
  close(): Promise<void>;
}

export type BrowserName = 'chromium' | 'firefox';

export const FIREFOX = '/usr/bin/firefox-esr';

/** Firefox prefs: a fake camera and microphone, granted without a prompt. */
export const FIREFOX_PREFS = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  // window.dump() to stdout: see BrowserDriver.dumped.
  'browser.dom.window.dump.enabled': true,
};

const BINARIES: Record<BrowserName, string> = { chromium: CHROMIUM, firefox: FIREFOX };
const APT_PACKAGE: Record<BrowserName, string> = { chromium: 'chromium', firefox: 'firefox-esr' };
const inCi = Boolean(process.env.CI);

/** Whether tests on `name` run here: the binary is installed, or CI is set (where a missing one must fail). */
export function browserRuns(name: BrowserName): boolean {
  if (existsSync(BINARIES[name]) || inCi) return true;
  console.warn(
    `[hangup] ${name} tests SKIPPED: ${BINARIES[name]} is missing. Install it with \`apt-get install -y ` +
      `${APT_PACKAGE[name]}\` (.ci/run does); with CI set they run and fail instead of skipping.`,
  );
  return false;
}

/** `describe` that runs only where every browser in `names` runs (see {@link browserRuns}). */
export function describeOn(
  names: readonly BrowserName[],
): typeof describe.runIf extends (c: boolean) => infer D ? D : never {
  return describe.runIf(names.every((name) => browserRuns(name)));
}

/** Launches `name` in a fresh profile. */
export function launchDriver(name: BrowserName): Promise<BrowserDriver> {
  return name === 'chromium' ? launchChromium() : launchFirefox();
}

async function launchChromium(): Promise<BrowserDriver> {
  const browser = await launchBrowser();
  const pageErrors: string[] = [];
  return {
    name: 'chromium',
    pageErrors,
    dumped: [],
    async newPage(url) {
      const page = await browser.context.newPage();
      page.on('pageerror', (error) => pageErrors.push(String(error)));
      await page.goto(url);
      return page as unknown as DrivenPage;
    },
    close: () => browser.close(),
  };
}

async function launchFirefox(): Promise<BrowserDriver> {
  // Imported here so Chromium-only runs never load it.
  const { default: puppeteer } = await import('puppeteer-core');
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    timeout: 30_000,
    protocolTimeout: 45_000,
    extraPrefsFirefox: FIREFOX_PREFS,
  });
  const pageErrors: string[] = [];
  const dumped: string[] = [];
  const child = browser.process();
  for (const stream of [child?.stdout, child?.stderr]) {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith(DUMP_PREFIX)) dumped.push(line.slice(DUMP_PREFIX.length));
    });
  }
  return {
    name: 'firefox',
    pageErrors,
    dumped,
    async newPage(url) {
      const page = await browser.newPage();
      page.on('pageerror', (error) => pageErrors.push(String(error)));
      await page.goto(url);
      return page as unknown as DrivenPage;
    },
    close: () => browser.close(),
  };
}
