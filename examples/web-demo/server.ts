/**
 * The server behind `npm run demo:web`: one HTTP server on 127.0.0.1 that serves the demo pages (TypeScript bundled
 * on request by esbuild, straight from src/), hands out perfect-negotiation roles, and carries the reference relay
 * (`createRelayServer`) on `/relay`. Node only.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';
import { createRelayServer } from '../../src/server/index.js';

const EXAMPLES = join(import.meta.dirname, '..');

/** Pages and bundles: path → how to produce it. */
const ROUTES: Record<string, { type: string; load(): Promise<string> }> = {
  '/': { type: 'text/html', load: () => readFile(join(EXAMPLES, 'web-demo', 'index.html'), 'utf8') },
  '/react.html': { type: 'text/html', load: () => readFile(join(EXAMPLES, 'react', 'index.html'), 'utf8') },
  '/demo.css': { type: 'text/css', load: () => readFile(join(EXAMPLES, 'web-demo', 'demo.css'), 'utf8') },
  '/web-demo.js': { type: 'text/javascript', load: () => bundle(join(EXAMPLES, 'web-demo', 'main.ts')) },
  '/react-demo.js': { type: 'text/javascript', load: () => bundle(join(EXAMPLES, 'react', 'main.tsx')) },
};

/** A running demo server. */
export interface WebDemoServer {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string;
  close(): Promise<void>;
}

/** Bundles a demo entry for the browser (on every request, so edits show up on reload). */
async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"development"' },
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

/**
 * Starts the demo server.
 * @param options.port port on 127.0.0.1; `0` picks a free one
 * @param options.maxDurationMs server-side call limit enforced by the relay (`finalize`), none by default
 */
export async function startWebDemoServer(
  options: { port?: number; maxDurationMs?: number } = {},
): Promise<WebDemoServer> {
  /** room → the tab that came first (impolite); every other tab is polite. */
  const firstTab = new Map<string, string>();
  const server = createServer((request, response) => {
    void handle(request, response, firstTab).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const relay = await createRelayServer({
    server,
    ...(options.maxDurationMs !== undefined && { maxDurationMs: options.maxDurationMs }),
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    async close() {
      await relay.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  firstTab: Map<string, string>,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  if (url.pathname === '/role') {
    const room = url.searchParams.get('room') ?? 'demo';
    const tab = url.searchParams.get('tab') ?? '';
    if (!firstTab.has(room)) firstTab.set(room, tab);
    response
      .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      .end(JSON.stringify({ polite: firstTab.get(room) !== tab }));
    return;
  }
  const route = ROUTES[url.pathname];
  if (!route) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  response
    .writeHead(200, { 'content-type': route.type, 'cache-control': 'no-store' })
    .end(await route.load());
}
