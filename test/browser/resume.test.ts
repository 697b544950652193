import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRelayServer, type RelayServer } from '../../src/server/index.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcpProxy.js';
import { bundle, describeBrowser, launchBrowser } from './harness.js';

// Chromium's own WebSocket under WebSocketSignaling: a socket reset by a loopback proxy is seen as code 1006 and
// resumed; nothing sent either way is lost or duplicated.

interface ResumeTestApi {
  open(name: string, url: string, room: string): Promise<void>;
  send(name: string, count: number, from: number): void;
  events(name: string): { type: string; data?: { callId?: string } }[];
  close(): void;
}

describeBrowser('Chromium: WebSocketSignaling resumes after a cut', () => {
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let server: Server;
  let relay: RelayServer;
  let proxies: TcpProxy[];
  let page: Page;
  let origin: string;

  beforeAll(async () => {
    const script = await bundle(join(import.meta.dirname, 'page', 'resumePage.ts'));
    server = createServer((request, response) => {
      if (request.url === '/resume.js') {
        response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      } else {
        response
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<!doctype html><title>resume</title><script src="/resume.js"></script>');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    relay = await createRelayServer({ port: 0, pingIntervalMs: 0 });
    proxies = [await startTcpProxy(relay.port), await startTcpProxy(relay.port)];
    browser = await launchBrowser();
    page = await browser.context.newPage();
    await page.goto(origin);
  });
  afterAll(async () => {
    await page?.evaluate(() =>
      (globalThis as unknown as { resumeTest: { close(): void } }).resumeTest.close(),
    );
    await browser?.close();
    await Promise.all((proxies ?? []).map((proxy) => proxy.close()));
    await relay?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  // Each callback runs in the page, where resumePage.ts put `resumeTest` on globalThis.
  const open = (name: string, port: number) =>
    page.evaluate(
      ([side, url]) =>
        (globalThis as unknown as { resumeTest: ResumeTestApi }).resumeTest.open(side, url, 'browser-resume'),
      [name, `ws://127.0.0.1:${port}`] as const,
    );
  const send = (name: string, count: number, from: number) =>
    page.evaluate(
      ([side, n, start]) =>
        (globalThis as unknown as { resumeTest: ResumeTestApi }).resumeTest.send(side, n, start),
      [name, count, from] as const,
    );
  const events = (name: string) =>
    page.evaluate(
      (side) => (globalThis as unknown as { resumeTest: ResumeTestApi }).resumeTest.events(side),
      name,
    );
  const received = async (name: string) => (await events(name)).filter((event) => event.type === 'message');

  async function until(check: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('a cut socket: interrupted then resumed; every message arrives once, in order, both ways', async () => {
    const [pa, pb] = proxies as [TcpProxy, TcpProxy];
    await open('a', pa.port);
    await open('b', pb.port);
    await send('a', 5, 0);
    await send('b', 5, 0);
    await until(
      async () => (await received('a')).length === 5 && (await received('b')).length === 5,
      'five each',
    );
    pa.cut();
    await send('a', 5, 5);
    await send('b', 5, 5);
    await until(async () => (await events('a')).some((event) => event.type === 'resumed'), 'a resumed');
    await until(
      async () => (await received('a')).length >= 10 && (await received('b')).length >= 10,
      'ten each',
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    const ids = (list: { data?: { callId?: string } }[]) => list.map((event) => event.data?.callId);
    const expected = Array.from({ length: 10 }, (_, i) => `m${i}`);
    expect(ids(await received('a'))).toEqual(expected);
    expect(ids(await received('b'))).toEqual(expected);
    const control = (await events('a'))
      .filter((event) => event.type !== 'message')
      .map((event) => event.type);
    expect(control).toEqual(['interrupted', 'resumed']);
    expect((await events('b')).filter((event) => event.type !== 'message')).toEqual([]);
  });
});
