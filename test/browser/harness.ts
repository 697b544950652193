/**
 * Shared set-up of the browser tests: Debian's Chromium driven by playwright-core from Node, and a tiny HTTP server
 * on 127.0.0.1 (a secure context, so getUserMedia works) serving an esbuild bundle of the page code.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { describe } from 'vitest';
import type { DrivenPage } from './drivers.js';
import type { EndCheck, PageAudit, Scenarios } from './page/scenarios.js';

export const CHROMIUM = '/usr/bin/chromium';

/** Flags from DEVELOPERS.md: a fake camera and microphone granted without a prompt, nothing phoning home. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];

/** Title of the tab the screen-share browser captures (served at `/shared-tab.html`). */
export const SHARED_TAB_TITLE = 'hangup shared tab';

/**
 * Flags for real `getDisplayMedia` in headless Chromium. `--use-fake-ui-for-media-stream` is left out: with it,
 * Chromium hands out a fake screen ("screen:-3:0") that nothing can end. Without it, the auto-select flag picks the
 * open tab titled {@link SHARED_TAB_TITLE} with no picker, and closing that tab makes the browser end the capture
 * (a real `ended` event, what its "Stop sharing" control does). Camera and microphone are granted through
 * playwright's `permissions` instead (see {@link launchBrowser}).
 */
export const SCREEN_SHARE_ARGS = [
  ...CHROMIUM_ARGS.filter((arg) => arg !== '--use-fake-ui-for-media-stream'),
  `--auto-select-tab-capture-source-by-title=${SHARED_TAB_TITLE}`,
];

const chromiumPresent = existsSync(CHROMIUM);
const inCi = Boolean(process.env.CI);
if (!chromiumPresent && !inCi) {
  console.warn(
    `[hangup] browser tests SKIPPED: ${CHROMIUM} is missing. Install it with \`apt-get install -y chromium\` ` +
      '(.ci/run does); with CI set they run and fail instead of skipping.',
  );
}

/**
 * `describe` for browser tests: skipped (with the warning above) only when Chromium is absent outside CI. In CI a
 * missing Chromium fails the launch loudly.
 */
export const describeBrowser = describe.runIf(chromiumPresent || inCi);

/**
 * A persistent Chromium context in a fresh profile directory; `close()` removes it. `args` defaults to
 * {@link CHROMIUM_ARGS}; camera and microphone are granted up front, so flag sets without the fake UI
 * ({@link SCREEN_SHARE_ARGS}) get them too.
 */
export async function launchBrowser(
  args: readonly string[] = CHROMIUM_ARGS,
): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = await mkdtemp(join(tmpdir(), 'hangup-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...args],
    permissions: ['camera', 'microphone'],
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Bundles `entry` (TypeScript, imports from src/) into one browser script. */
export async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error(`esbuild produced nothing for ${entry}`);
  return output.text;
}

/** Reads a POSTed JSON body (a page's beacon), hands it to `sink`, then answers 204. */
export function receiveJson<T>(
  request: IncomingMessage,
  response: ServerResponse,
  sink: (value: T) => void,
): void {
  let body = '';
  request.setEncoding('utf8');
  request.on('data', (chunk: string) => {
    body += chunk;
  });
  request.on('end', () => {
    sink(JSON.parse(body) as T);
    response.writeHead(204).end();
  });
}

/** An end check a page sent with `navigator.sendBeacon` (it survives the page going away). */
export interface BeaconReport {
  check: EndCheck;
  audit: PageAudit;
}

/**
 * Serves the scenario page at `/` (and a blank page at `/blank.html`) on 127.0.0.1, and collects the beacons pages
 * post to `/report` (console messages of a page being unloaded never reach playwright; beacons do).
 */
export async function serveScenarioPage(): Promise<{
  url: string;
  reports: BeaconReport[];
  /** Resolves once at least `n` reports arrived. */
  reportCount(n: number): Promise<void>;
  close(): Promise<void>;
}> {
  const script = await bundle(join(import.meta.dirname, 'page', 'scenarios.ts'));
  const reports: BeaconReport[] = [];
  const waiters: (() => void)[] = [];
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/report' && request.method === 'POST') {
      receiveJson<BeaconReport>(request, response, (report) => {
        reports.push(report);
        for (const wake of waiters.splice(0)) wake();
      });
    } else if (path === '/scenarios.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else if (path === '/') {
      response
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><title>hangup scenarios</title><script src="/scenarios.js"></script>');
    } else if (path === '/shared-tab.html') {
      response
        .writeHead(200, { 'content-type': 'text/html' })
        .end(`<!doctype html><title>${SHARED_TAB_TITLE}</title><h1>shared</h1>`);
    } else if (path === '/blank.html') {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>elsewhere</title>');
    } else {
      response.writeHead(404).end();
    }
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}/`,
    reports,
    async reportCount(n) {
      while (reports.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
    },
    close: () => closeServer(server),
  };
}

export async function listen(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Runs scenario `name` in the page with `args`; the scenario functions live in page/scenarios.ts. */
export function runScenario<K extends keyof Scenarios>(
  page: Pick<Page, 'evaluate'> | DrivenPage,
  name: K,
  ...args: Parameters<Scenarios[K]>
): Promise<Awaited<ReturnType<Scenarios[K]>>> {
  return (page as DrivenPage).evaluate(
    ([scenario, scenarioArgs]) => {
      const all = (window as unknown as { hangupScenarios: Record<string, (...a: unknown[]) => unknown> })
        .hangupScenarios;
      return all[scenario as string]?.(...(scenarioArgs as unknown[]));
    },
    [name, args] as const,
  ) as Promise<Awaited<ReturnType<Scenarios[K]>>>;
}

export { NOTHING_HELD } from '../../src/testing/index.js';
